import type { Locale } from "../../shared/locale";
import {
  isGuest,
  isWithoutProgram,
  describeFailure,
} from "../../shared/problems";
import {
  describeProblem,
  describeValue,
  redeemPanel,
  type RedeemPanel,
} from "../../shared/redeem";
import type { SessionState } from "../../shared/session";
import { summarizeTier, type TierSummary } from "../../shared/tier";

export type CheckoutRedeem =
  | { kind: "none" }
  | { kind: "notice"; text: string }
  | { kind: "held"; text: string; busy: boolean; problem: string | null }
  | { kind: "choose"; panel: RedeemPanel };

export type CheckoutView =
  | { kind: "loading" }
  | { kind: "hidden" }
  | { kind: "notice"; tone: "info" | "critical"; text: string }
  | {
      kind: "ready";
      balance: string;
      pending: string | null;
      tier: TierSummary | null;
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
  const balance = t("balance.available", {
    points: locale.points(loyalty.points.available),
  });
  const pending =
    loyalty.points.pending > 0
      ? t("balance.pending", { points: locale.points(loyalty.points.pending) })
      : null;
  const tier = summarizeTier(loyalty.tier, loyalty.currency, locale);
  const earn =
    loyalty.earnEstimate === null || loyalty.earnEstimate.points <= 0
      ? null
      : t("earn.thisOrder", {
          points: locale.points(loyalty.earnEstimate.points),
        });
  return { kind: "ready", balance, pending, tier, earn, redeem: redeem() };

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
