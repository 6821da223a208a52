import {
  pointsWorth,
  type Loyalty,
  type RewardValue,
  type Slider,
} from "./api";
import type { Locale } from "./locale";
import { describeFailure } from "./problems";
import type { FlowProblem, FlowState } from "./session";

export interface RewardOption {
  id: string;
  title: string;
  cost: string;
  enabled: boolean;
}

export interface SliderOption {
  min: number;
  max: number;
  step: number;
  points: number;
  label: string;
}

export interface RedeemPanel {
  busy: boolean;
  problem: string | null;
  rewards: RewardOption[];
  slider: SliderOption | null;
  /** Why nothing can be redeemed yet, with how many points are missing. */
  shortfall: string | null;
}

/** What the shopper can redeem now; null when the shop offers nothing to redeem. */
export function redeemPanel(
  loyalty: Loyalty,
  flow: FlowState,
  sliderPoints: number | null,
  locale: Locale,
): RedeemPanel | null {
  if (loyalty.rewards.length === 0 && loyalty.slider === null) return null;
  const rewards = loyalty.rewards.map((reward) => ({
    id: reward.id,
    title: reward.title,
    cost: locale.points(reward.points),
    enabled: reward.affordable,
  }));
  const slider =
    loyalty.slider === null
      ? null
      : sliderOption(loyalty, loyalty.slider, sliderPoints, locale);
  return {
    busy: flow.step === "applying",
    problem:
      flow.step === "choosing" && flow.problem !== null
        ? describeProblem(flow.problem, locale)
        : null,
    rewards,
    slider,
    shortfall:
      slider === null && !rewards.some((reward) => reward.enabled)
        ? shortfall(loyalty, locale)
        : null,
  };
}

function sliderOption(
  loyalty: Loyalty,
  slider: Slider,
  wanted: number | null,
  locale: Locale,
): SliderOption {
  const points = snapSliderPoints(slider, wanted ?? slider.maxPoints);
  const valueMinor = pointsWorth(slider.price, points);
  return {
    min: slider.minPoints,
    max: slider.maxPoints,
    step: slider.stepPoints,
    points,
    label: locale.t("redeem.sliderValue", {
      points: locale.points(points),
      amount: locale.money(valueMinor, loyalty.currency),
    }),
  };
}

/** Points typed or dragged by the shopper, brought back onto a step between min and max. */
export function snapSliderPoints(
  range: Pick<Slider, "minPoints" | "maxPoints" | "stepPoints">,
  wanted: number,
): number {
  const bounded = Math.min(range.maxPoints, Math.max(range.minPoints, wanted));
  const steps = Math.floor((bounded - range.minPoints) / range.stepPoints);
  return range.minPoints + steps * range.stepPoints;
}

function shortfall(loyalty: Loyalty, locale: Locale): string | null {
  const cheapest = loyalty.rewards.reduce<
    (typeof loyalty.rewards)[number] | null
  >(
    (best, reward) =>
      best === null || reward.points < best.points ? reward : best,
    null,
  );
  if (cheapest === null) return null;
  return locale.t("redeem.shortfall", {
    points: locale.points(
      Math.max(0, cheapest.points - loyalty.points.available),
    ),
    reward: cheapest.title,
  });
}

export function describeValue(
  value: RewardValue,
  currency: string,
  locale: Locale,
): string {
  switch (value.kind) {
    case "FIXED_AMOUNT":
      return locale.t("value.amountOff", {
        amount: locale.money(value.amountMinor, currency),
      });
    case "PERCENTAGE":
      return locale.t("value.percentageOff", {
        percentage: locale.number(value.percentage),
      });
    case "FREE_SHIPPING":
      return locale.t("value.freeShipping");
  }
}

export function describeProblem(problem: FlowProblem, locale: Locale): string {
  switch (problem.kind) {
    case "api":
      return describeFailure(problem.failure, locale);
    case "code-rejected":
      return locale.t("errors.codeRejected");
    case "code-kept":
      return locale.t("errors.codeKept");
  }
}
