import type { Locale } from "../../shared/locale";
import {
  describeProblem,
  describeValue,
  redeemPanel,
  type RedeemPanel,
} from "../../shared/redeem";
import type { SessionState } from "../../shared/session";
import {
  balanceSummary,
  waitingView,
  type BalanceSummary,
  type WaitingView,
} from "../../shared/summary";

export type CheckoutRedeem =
  | { kind: "none" }
  | { kind: "notice"; text: string }
  | { kind: "held"; text: string; busy: boolean; problem: string | null }
  | { kind: "choose"; panel: RedeemPanel };

export type CheckoutView =
  | WaitingView
  | {
      kind: "ready";
      summary: BalanceSummary;
      earn: string | null;
      redeem: CheckoutRedeem;
    };

export interface CheckoutViewInput {
  state: SessionState;
  sliderPoints: number | null;
  canUpdateDiscountCodes: boolean;
  locale: Locale;
}

export function checkoutView({
  state,
  sliderPoints,
  canUpdateDiscountCodes,
  locale,
}: CheckoutViewInput): CheckoutView {
  const { load, flow } = state;
  if (load.status !== "ready") return waitingView(load, locale);
  const { loyalty } = load;
  const { t } = locale;
  const estimate = loyalty.earnEstimate?.points ?? 0;
  return {
    kind: "ready",
    summary: balanceSummary(loyalty, locale),
    earn:
      estimate > 0
        ? t("earn.thisOrder", { points: locale.points(estimate) })
        : null,
    redeem: redeem(),
  };

  function redeem(): CheckoutRedeem {
    if (flow.step === "holding" || flow.step === "releasing") {
      const { redemption } = flow;
      return {
        kind: "held",
        text: t("redeem.applied", {
          code: redemption.code,
          value: describeValue(redemption.value, loyalty.currency, locale),
          points: locale.points(redemption.points),
        }),
        busy: flow.step === "releasing",
        problem:
          flow.step === "holding" && flow.problem !== null
            ? describeProblem(flow.problem, locale)
            : null,
      };
    }
    if (!loyalty.enabled)
      return { kind: "notice", text: t("program.disabled") };
    const panel = redeemPanel(loyalty, flow, sliderPoints, locale);
    if (panel === null) return { kind: "none" };
    if (!canUpdateDiscountCodes)
      return { kind: "notice", text: t("redeem.codesLocked") };
    return { kind: "choose", panel };
  }
}
