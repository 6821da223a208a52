import type { Loyalty } from "./api";
import type { Locale } from "./locale";
import { describeFailure, isGuest, isWithoutProgram } from "./problems";
import type { FlowState, LoadState, SessionState } from "./session";
import { summarizeTier, type TierSummary } from "./tier";

/** What every block shows before it has a balance to show. */
export type WaitingView =
  | { kind: "loading" }
  | { kind: "hidden" }
  | { kind: "notice"; tone: "info" | "critical"; text: string };

export function waitingView(
  load: Exclude<LoadState, { status: "ready" }>,
  locale: Locale,
): WaitingView {
  if (load.status === "loading") return { kind: "loading" };
  if (isWithoutProgram(load.failure)) return { kind: "hidden" };
  return {
    kind: "notice",
    tone: isGuest(load.failure) ? "info" : "critical",
    text: describeFailure(load.failure, locale),
  };
}

export interface BalanceSummary {
  balance: string;
  pending: string | null;
  /** "120 points expire on Jan 1, 2027": the next expiry only. */
  expiring: string | null;
  tier: TierSummary | null;
}

export function balanceSummary(
  loyalty: Loyalty,
  locale: Locale,
): BalanceSummary {
  const { available, pending } = loyalty.points;
  const next = loyalty.expiring[0];
  return {
    balance: locale.t("balance.available", {
      points: locale.points(available),
    }),
    pending:
      pending > 0
        ? locale.t("balance.pending", { points: locale.points(pending) })
        : null,
    expiring:
      next === undefined
        ? null
        : locale.t("balance.expiring", {
            points: locale.points(next.points),
            date: locale.date(next.expiresAt),
          }),
    tier: summarizeTier(loyalty.tier, loyalty.currency, locale),
  };
}

/** What a block shows once it has the shopper's points: the balance first, then its own `Details`. */
export type ReadyView<Details> = {
  kind: "ready";
  summary: BalanceSummary;
} & Details;

/**
 * A block's view: waiting until the points are loaded, then the balance summary and the
 * `details` this block makes of them.
 */
export function blockView<Details>(
  state: SessionState,
  locale: Locale,
  details: (loyalty: Loyalty, flow: FlowState) => Details,
): WaitingView | ReadyView<Details> {
  const { load, flow } = state;
  if (load.status !== "ready") return waitingView(load, locale);
  return {
    kind: "ready",
    summary: balanceSummary(load.loyalty, locale),
    ...details(load.loyalty, flow),
  };
}
