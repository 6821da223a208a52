import { createLoyaltyClient, type LoyaltyClient } from "./api";
import type { I18nLike } from "./locale";
import { toMinor } from "./money";

/**
 * The slices of Shopify's `shopify` object the extensions read, typed by shape so that the
 * real object fits and a test can hand over a small fake. Signals are read through `.value`.
 */
export interface Readable<T> {
  readonly value: T;
}

export interface HostApi {
  sessionToken: { get(): Promise<string> };
  i18n: I18nLike;
}

export interface CartCostApi {
  cost: { subtotalAmount: Readable<{ amount: number; currencyCode: string }> };
}

export interface Network {
  appUrl: string;
  fetch: typeof fetch;
}

export function clientFor(api: HostApi, network: Network): LoyaltyClient {
  return createLoyaltyClient({ ...network, sessionToken: api.sessionToken });
}

export function subtotalMinor(api: CartCostApi): number {
  const { amount, currencyCode } = api.cost.subtotalAmount.value;
  return toMinor(amount, currencyCode);
}
