import type { Loyalty } from "../../shared/api";
import type { Locale } from "../../shared/locale";
import {
  describeProblem,
  describeValue,
  redeemPanel,
  type RedeemPanel,
} from "../../shared/redeem";
import type { FlowState, SessionState } from "../../shared/session";
import {
  blockView,
  type ReadyView,
  type WaitingView,
} from "../../shared/summary";

export type CheckoutRedeem =
  | { kind: "none" }
  | { kind: "notice"; text: string }
  | { kind: "held"; text: string; busy: boolean; problem: string | null }
  | { kind: "choose"; panel: RedeemPanel };

export interface CheckoutDetails {
  earn: string | null;
  redeem: CheckoutRedeem;
}

export type CheckoutView = WaitingView | ReadyView<CheckoutDetails>;

export interface CheckoutViewInput {
  state: SessionState;
  sliderPoints: number | null;
  canUpdateDiscountCodes: boolean;
  locale: Locale;
}

export function checkoutView(input: CheckoutViewInput): CheckoutView {
  const { locale } = input;
  return blockView(input.state, locale, (loyalty, flow): CheckoutDetails => {
    const estimate = loyalty.earnEstimate?.points ?? 0;
    return {
      earn:
        estimate > 0
          ? locale.t("earn.thisOrder", { points: locale.points(estimate) })
          : null,
      redeem: checkoutRedeem(loyalty, flow, input),
    };
  });
}

function checkoutRedeem(
  loyalty: Loyalty,
  flow: FlowState,
  { sliderPoints, canUpdateDiscountCodes, locale }: CheckoutViewInput,
): CheckoutRedeem {
  const { t } = locale;
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
  if (!loyalty.enabled) return { kind: "notice", text: t("program.disabled") };
  const panel = redeemPanel(loyalty, flow, sliderPoints, locale);
  if (panel === null) return { kind: "none" };
  if (!canUpdateDiscountCodes)
    return { kind: "notice", text: t("redeem.codesLocked") };
  return { kind: "choose", panel };
}
