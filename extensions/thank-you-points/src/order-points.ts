import type { Loyalty } from "../../shared/api";
import type { Locale } from "../../shared/locale";
import {
  describeFailure,
  isGuest,
  isWithoutProgram,
} from "../../shared/problems";
import { loadStateOf, type LoadState } from "../../shared/session";
import {
  clientFor,
  subtotalMinor,
  type CartCostApi,
  type HostApi,
  type Network,
} from "../../shared/shopify-host";
import { summarizeTier, type TierSummary } from "../../shared/tier";

export type OrderPointsApi = HostApi & CartCostApi;

export async function readOrderPoints(
  api: OrderPointsApi,
  network: Network,
): Promise<LoadState> {
  return loadStateOf(await clientFor(api, network).loyalty(subtotalMinor(api)));
}

export type OrderPointsView =
  | { kind: "loading" }
  | { kind: "hidden" }
  | { kind: "notice"; tone: "info" | "critical"; text: string }
  | {
      kind: "ready";
      order: string | null;
      balance: string;
      pending: string | null;
      tier: TierSummary | null;
    };

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
  if (load.status === "loading") return { kind: "loading" };
  if (load.status === "failed") {
    if (isWithoutProgram(load.failure)) return { kind: "hidden" };
    return {
      kind: "notice",
      tone: isGuest(load.failure) ? "info" : "critical",
      text: describeFailure(load.failure, locale),
    };
  }
  const { loyalty } = load;
  const { t } = locale;
  return {
    kind: "ready",
    order: orderLine(loyalty, orderName, locale),
    balance: t("balance.available", {
      points: locale.points(loyalty.points.available),
    }),
    pending:
      loyalty.points.pending > 0
        ? t("balance.pending", {
            points: locale.points(loyalty.points.pending),
          })
        : null,
    tier: summarizeTier(loyalty.tier, loyalty.currency, locale),
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
