import type { Loyalty } from "../../shared/api";
import type { Locale } from "../../shared/locale";
import { loadStateOf, type LoadState } from "../../shared/session";
import {
  clientFor,
  subtotalMinor,
  type CartCostApi,
  type HostApi,
  type Network,
} from "../../shared/shopify-host";
import {
  balanceSummary,
  waitingView,
  type BalanceSummary,
  type WaitingView,
} from "../../shared/summary";

export type OrderPointsApi = HostApi & CartCostApi;

export async function readOrderPoints(
  api: OrderPointsApi,
  network: Network,
): Promise<LoadState> {
  return loadStateOf(await clientFor(api, network).loyalty(subtotalMinor(api)));
}

export type OrderPointsView =
  | WaitingView
  | { kind: "ready"; order: string | null; summary: BalanceSummary };

/**
 * `orderName` is known on the order status page (`#1042`) but not on the thank-you page. The
 * order's points are on the ledger once Shopify's paid-order webhook reached the app, often
 * seconds after the thank-you page shows; until then the block gives the app's estimate.
 */
export function orderPointsView(
  load: LoadState,
  orderName: string | null,
  locale: Locale,
): OrderPointsView {
  if (load.status !== "ready") return waitingView(load, locale);
  return {
    kind: "ready",
    order: orderLine(load.loyalty, orderName, locale),
    summary: balanceSummary(load.loyalty, locale),
  };
}

function orderLine(
  loyalty: Loyalty,
  orderName: string | null,
  locale: Locale,
): string | null {
  if (!loyalty.enabled) return locale.t("program.disabled");
  const earned = loyalty.recent
    .filter(
      (line) =>
        line.kind === "EARN" &&
        orderName !== null &&
        line.orderName === orderName,
    )
    .reduce((sum, line) => sum + line.points, 0);
  if (earned > 0)
    return locale.t("order.earned", { points: locale.points(earned) });
  const estimate = loyalty.earnEstimate?.points ?? 0;
  if (estimate > 0)
    return locale.t("order.earning", { points: locale.points(estimate) });
  return null;
}
