import {
  createLoyaltySession,
  type LoyaltySession,
} from "../../shared/session";
import {
  clientFor,
  type HostApi,
  type Network,
} from "../../shared/shopify-host";

export type AccountApi = HostApi;

/** Redemptions here produce a code to copy: nothing is applied, and there is no checkout token. */
export function createAccountSession(
  api: AccountApi,
  network: Network,
  newKey: () => string,
): LoyaltySession {
  return createLoyaltySession({
    client: clientFor(api, network),
    surface: "account",
    newKey,
  });
}
