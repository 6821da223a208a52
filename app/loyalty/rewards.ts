import { z } from "zod";
import { toDecimalString, unitMinor, type Money } from "./money";
import {
  assertNonNegativeInteger,
  assertPositiveInteger,
  mulDivRounded,
} from "./rounding";

/**
 * What points buy. Codes are minted at Shopify per redemption; the amount of a fixed reward is in
 * the shop currency, derived from the program's rate unless the merchant sets it explicitly.
 */
const rewardId = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,39}$/,
    "lower-case letters, digits and dashes, at most 40",
  );
const rewardPoints = z.int().min(1).max(10_000_000);
const optionalTitle = z.string().trim().min(1).max(60).optional();

export const rewardSchema = z.discriminatedUnion("kind", [
  z.object({
    id: rewardId,
    kind: z.literal("FIXED_AMOUNT"),
    points: rewardPoints,
    /** Minor units off; by default what `points` are worth at the program's rate. */
    amountMinor: z.int().min(1).optional(),
    title: optionalTitle,
  }),
  z.object({
    id: rewardId,
    kind: z.literal("PERCENTAGE"),
    points: rewardPoints,
    percentage: z.int().min(1).max(100),
    title: optionalTitle,
  }),
  z.object({
    id: rewardId,
    kind: z.literal("FREE_SHIPPING"),
    points: rewardPoints,
    title: optionalTitle,
  }),
]);

export type Reward = z.infer<typeof rewardSchema>;

/** "Use any number of points": a fixed amount chosen by the shopper in steps. */
export const sliderSchema = z
  .object({
    stepPoints: z.int().min(1).max(100_000),
    minPoints: z.int().min(1),
    maxPointsPerOrder: z.int().min(1).max(10_000_000),
    /** The code never takes more than this share of the cart subtotal. */
    maxSubtotalPercent: z.int().min(1).max(100),
  })
  .refine((slider) => slider.minPoints % slider.stepPoints === 0, {
    message: "the minimum must be a whole number of steps",
    path: ["minPoints"],
  })
  .refine((slider) => slider.maxPointsPerOrder >= slider.minPoints, {
    message: "the maximum must be at least the minimum",
    path: ["maxPointsPerOrder"],
  });

export type Slider = z.infer<typeof sliderSchema>;

export const combinesWithSchema = z.object({
  orderDiscounts: z.boolean(),
  productDiscounts: z.boolean(),
  shippingDiscounts: z.boolean(),
});

export type CombinesWith = z.infer<typeof combinesWithSchema>;

export const DEFAULT_REWARDS: Reward[] = [500, 1_000, 2_000].map((points) => ({
  id: `fixed-${points}`,
  kind: "FIXED_AMOUNT",
  points,
}));

export const rewardsSchema = z
  .array(rewardSchema)
  .max(20)
  .refine(
    (rewards) =>
      new Set(rewards.map((reward) => reward.id)).size === rewards.length,
    { message: "every reward needs its own id" },
  );

export const redemptionRateSchema = z.object({
  /** Points worth one major unit of the shop currency: 100 = "100 points = 1.00 off". */
  pointsPerUnit: z.int().positive(),
});

export type RedemptionRate = z.infer<typeof redemptionRateSchema>;

/** What `points` are worth, rounded DOWN: a shopper never gets more than their points are worth. */
export function pointsToMinor(
  points: number,
  rate: RedemptionRate,
  currency: string,
): number {
  assertNonNegativeInteger(points, "points");
  assertPositiveInteger(rate.pointsPerUnit, "pointsPerUnit");
  return mulDivRounded(points, unitMinor(currency), rate.pointsPerUnit, "DOWN");
}

/**
 * What `points` are worth, for a shopper-facing view to price any choice with integers alone: a
 * choice of p points is worth floor(p × amountMinor ÷ points), exactly what pointsToMinor gives.
 * A value per step would not do: at 300 points a dollar, one step of 100 is worth 33 cents but
 * three are worth a dollar.
 */
export interface PointsPrice {
  points: number;
  amountMinor: number;
}

export const pointsPrice = (
  rate: RedemptionRate,
  currency: string,
): PointsPrice => ({
  points: rate.pointsPerUnit,
  amountMinor: unitMinor(currency),
});

export function pointsToMoney(
  points: number,
  rate: RedemptionRate,
  currency: string,
): Money {
  return { minor: pointsToMinor(points, rate, currency), currency };
}

/** Points needed for `minor` off, rounded UP for the same reason. */
export function minorToPoints(
  minor: number,
  rate: RedemptionRate,
  currency: string,
): number {
  assertNonNegativeInteger(minor, "minor");
  assertPositiveInteger(rate.pointsPerUnit, "pointsPerUnit");
  return mulDivRounded(minor, rate.pointsPerUnit, unitMinor(currency), "UP");
}

export const REFUND_POLICIES = ["RETURN_PROPORTIONALLY", "KEEP"] as const;

/**
 * How points are spent. Every field has a default, so a program saved before a field existed
 * reads with the default.
 */
export const redemptionSettingsSchema = redemptionRateSchema.extend({
  rewards: rewardsSchema.default(DEFAULT_REWARDS),
  slider: sliderSchema.nullable().default(null),
  combinesWith: combinesWithSchema.default({
    orderDiscounts: false,
    productDiscounts: true,
    shippingDiscounts: true,
  }),
  /** A code minted at checkout ends this long after; the hold is released once it has. */
  checkoutCodeTtlMinutes: z.int().min(5).max(1_440).default(30),
  /** A code minted in the customer account is copied and used later: it lives longer. */
  accountCodeTtlMinutes: z
    .int()
    .min(5)
    .max(60 * 24 * 90)
    .default(60 * 24 * 7),
  /** What a refund of an order paid with points does to those points. */
  refundPolicy: z.enum(REFUND_POLICIES).default("RETURN_PROPORTIONALLY"),
});

export type RedemptionSettings = z.infer<typeof redemptionSettingsSchema>;

export type DiscountValue =
  | { kind: "FIXED_AMOUNT"; amountMinor: number }
  | { kind: "PERCENTAGE"; percentage: number }
  | { kind: "FREE_SHIPPING" };

export interface RedemptionPricing {
  /** Points worth one major unit of the shop currency. */
  pointsPerUnit: number;
  currency: string;
}

export function rewardValue(
  reward: Reward,
  pricing: RedemptionPricing,
): DiscountValue {
  switch (reward.kind) {
    case "FIXED_AMOUNT":
      return {
        kind: "FIXED_AMOUNT",
        amountMinor:
          reward.amountMinor ??
          pointsToMinor(reward.points, pricing, pricing.currency),
      };
    case "PERCENTAGE":
      return { kind: "PERCENTAGE", percentage: reward.percentage };
    case "FREE_SHIPPING":
      return { kind: "FREE_SHIPPING" };
  }
}

/** The shopper-facing name when the merchant gave none, e.g. "5.00 off", "10% off". */
export function rewardTitle(
  reward: Pick<Reward, "title">,
  value: DiscountValue,
  currency: string,
): string {
  if (reward.title) return reward.title;
  switch (value.kind) {
    case "FIXED_AMOUNT":
      return `${toDecimalString({ minor: value.amountMinor, currency })} off`;
    case "PERCENTAGE":
      return `${value.percentage}% off`;
    case "FREE_SHIPPING":
      return "Free shipping";
  }
}

export interface SliderRange {
  stepPoints: number;
  minPoints: number;
  /** The most this shopper may use on this cart: balance, per-order cap and subtotal share. */
  maxPoints: number;
  price: PointsPrice;
}

/**
 * The slider as this shopper sees it for this cart, or null when they cannot use it (balance or
 * cart too small). Without a subtotal the share of the subtotal cannot be checked, so the slider
 * is not offered.
 */
export function sliderRange(
  slider: Slider,
  input: { available: number; subtotalMinor: number | null },
  pricing: RedemptionPricing,
): SliderRange | null {
  if (input.subtotalMinor === null) return null;
  const shareMinor = mulDivRounded(
    input.subtotalMinor,
    slider.maxSubtotalPercent,
    100,
    "DOWN",
  );
  // The points whose value still fits the share, rounded DOWN so the code never exceeds it.
  const pointsForShare = mulDivRounded(
    shareMinor,
    pricing.pointsPerUnit,
    unitMinor(pricing.currency),
    "DOWN",
  );
  const cap = Math.min(
    Math.max(input.available, 0),
    slider.maxPointsPerOrder,
    pointsForShare,
  );
  const maxPoints = cap - (cap % slider.stepPoints);
  if (maxPoints < slider.minPoints) return null;
  return {
    stepPoints: slider.stepPoints,
    minPoints: slider.minPoints,
    maxPoints,
    price: pointsPrice(pricing, pricing.currency),
  };
}

export type SliderChoice =
  | { ok: true; points: number; value: DiscountValue }
  | {
      ok: false;
      reason: "NOT_A_STEP" | "OUT_OF_RANGE";
      range: SliderRange | null;
    };

/** Checks the points a shopper chose on the slider against this cart. */
export function chooseOnSlider(
  slider: Slider,
  points: number,
  input: { available: number; subtotalMinor: number | null },
  pricing: RedemptionPricing,
): SliderChoice {
  const range = sliderRange(
    slider,
    // The balance is checked by the hold itself, which answers with the available points.
    { ...input, available: Number.MAX_SAFE_INTEGER },
    pricing,
  );
  if (points % slider.stepPoints !== 0)
    return { ok: false, reason: "NOT_A_STEP", range };
  if (!range || points < range.minPoints || points > range.maxPoints)
    return { ok: false, reason: "OUT_OF_RANGE", range };
  return {
    ok: true,
    points,
    value: {
      kind: "FIXED_AMOUNT",
      amountMinor: pointsToMinor(points, pricing, pricing.currency),
    },
  };
}

// Without 0/O and 1/I/L, so a code read aloud or copied by hand is typed right.
export const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/**
 * A discount code from 8 random bytes: `LOYAL-XXXX-XXXX`. 31^8 ≈ 8.5e11 codes, so guessing one
 * is hopeless, and each is bound to its customer at Shopify anyway.
 */
export function redemptionCode(randomBytes: Uint8Array): string {
  if (randomBytes.length < 8) throw new RangeError("need 8 random bytes");
  const letters = Array.from(randomBytes.slice(0, 8), (byte) =>
    CODE_ALPHABET.charAt(byte % CODE_ALPHABET.length),
  );
  return `LOYAL-${letters.slice(0, 4).join("")}-${letters.slice(4).join("")}`;
}

/**
 * Points given back for an order paid partly with points, after refunds: the refunded share of
 * the order's lines (at their price before discounts) of the redeemed points, rounded DOWN per
 * refund but computed cumulatively, so a fully refunded order returns every point whatever the
 * split. Shipping-only refunds return nothing.
 */
export function redeemedPointsToReturn(
  redeemedPoints: number,
  lines: ReadonlyArray<{
    lineItemId: string;
    quantity: number;
    amountMinor: number;
  }>,
  refundsInOrder: ReadonlyArray<{
    refundId: string;
    lines: ReadonlyArray<{ lineItemId: string; quantity: number }>;
  }>,
): Array<{ refundId: string; points: number }> {
  assertNonNegativeInteger(redeemedPoints, "redeemedPoints");
  const byLine = new Map(lines.map((line) => [line.lineItemId, line]));
  const total = lines.reduce((sum, line) => sum + line.amountMinor, 0);
  const refundedQuantity = new Map<string, number>();
  let returned = 0;
  return refundsInOrder.map((refund) => {
    for (const refunded of refund.lines) {
      const line = byLine.get(refunded.lineItemId);
      if (!line) continue;
      const before = refundedQuantity.get(line.lineItemId) ?? 0;
      refundedQuantity.set(
        line.lineItemId,
        Math.min(line.quantity, before + refunded.quantity),
      );
    }
    let refundedMinor = 0;
    for (const [lineItemId, quantity] of refundedQuantity) {
      const line = byLine.get(lineItemId);
      if (line)
        refundedMinor += mulDivRounded(
          line.amountMinor,
          quantity,
          line.quantity,
          "DOWN",
        );
    }
    const everyLineRefunded =
      lines.length > 0 &&
      lines.every(
        (line) => (refundedQuantity.get(line.lineItemId) ?? 0) >= line.quantity,
      );
    const target = everyLineRefunded
      ? redeemedPoints
      : total === 0
        ? 0
        : mulDivRounded(redeemedPoints, refundedMinor, total, "DOWN");
    const points = Math.max(0, target - returned);
    returned += points;
    return { refundId: refund.refundId, points };
  });
}
