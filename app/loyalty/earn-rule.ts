import { z } from "zod";
import { currencyCodeSchema } from "./money";
import {
  assertNonNegativeInteger,
  divideRoundedBig,
  roundingModeSchema,
  toSafeNumber,
} from "./rounding";

export const earnRuleSchema = z.object({
  /** Points given per `perAmountMinor` of earning base. */
  points: z.int().min(0),
  /** 100 = per 1.00 of a two-decimal currency. */
  perAmountMinor: z.int().positive(),
  rounding: roundingModeSchema.default("DOWN"),
  /** true: earn on the subtotal after the shop's own discounts. */
  applyOrderDiscounts: z.boolean().default(true),
  includeShipping: z.boolean().default(false),
  includeTaxes: z.boolean().default(false),
  includeGiftCards: z.boolean().default(false),
});

export type EarnRule = z.infer<typeof earnRuleSchema>;

const minorAmount = z.int().min(0);

export const orderLineForEarningSchema = z.object({
  quantity: z.int().min(0),
  unitPriceMinor: minorAmount,
  /** Shop discounts allocated to this line, not counting this app's points discount. */
  discountMinor: minorAmount,
  /** This app's points discount allocated to this line. */
  loyaltyDiscountMinor: minorAmount,
  isGiftCard: z.boolean(),
});

/** An order already normalised by the Shopify adapter: integers in the order's currency. */
export const orderForEarningSchema = z.object({
  currency: currencyCodeSchema,
  lines: z.array(orderLineForEarningSchema),
  /** After shipping discounts. */
  shippingMinor: minorAmount,
  taxMinor: minorAmount,
  tipMinor: minorAmount,
});

export type OrderForEarning = z.infer<typeof orderForEarningSchema>;
export type OrderLineForEarning = z.infer<typeof orderLineForEarningSchema>;

/**
 * What one line contributes to the earning base. Refunds are measured in the same terms, so a
 * refunded line takes back exactly the base it brought.
 */
export function lineEarningBase(
  line: OrderLineForEarning,
  rule: EarnRule,
  label = "line",
): number {
  assertNonNegativeInteger(line.quantity, `${label}.quantity`);
  assertNonNegativeInteger(line.unitPriceMinor, `${label}.unitPriceMinor`);
  assertNonNegativeInteger(line.discountMinor, `${label}.discountMinor`);
  assertNonNegativeInteger(
    line.loyaltyDiscountMinor,
    `${label}.loyaltyDiscountMinor`,
  );
  if (line.isGiftCard && !rule.includeGiftCards) return 0;
  let amount = BigInt(line.quantity) * BigInt(line.unitPriceMinor);
  if (rule.applyOrderDiscounts) amount -= BigInt(line.discountMinor);
  // Whatever the merchant chose for discounts, points are never earned on the part of the
  // order that was paid with points.
  amount -= BigInt(line.loyaltyDiscountMinor);
  return amount > 0n ? toSafeNumber(amount) : 0;
}

/** The minor-unit amount points are earned on. Tips never count. */
export function earningBase(order: OrderForEarning, rule: EarnRule): number {
  let base = 0n;
  for (const [index, line] of order.lines.entries()) {
    base += BigInt(lineEarningBase(line, rule, `lines[${index}]`));
  }
  assertNonNegativeInteger(order.shippingMinor, "shippingMinor");
  assertNonNegativeInteger(order.taxMinor, "taxMinor");
  assertNonNegativeInteger(order.tipMinor, "tipMinor");
  if (rule.includeShipping) base += BigInt(order.shippingMinor);
  if (rule.includeTaxes) base += BigInt(order.taxMinor);
  return toSafeNumber(base);
}

/** The seam where tiers and campaigns plug in. */
export type EarnModifier = {
  source: string;
  /** 10000 = ×1, 15000 = ×1.5. */
  multiplierBasisPoints?: number;
  /** Flat points added once per order, never scaled by multipliers. */
  bonusPoints?: number;
};

export const BASIS_POINTS_ONE = 10_000;

export type CombinedModifiers = {
  multiplierBasisPoints: number;
  bonusPoints: number;
  sources: string[];
};

/**
 * Multipliers compose by product: ×1.5 and ×1.2 give ×1.8 (18000 bp). The product is exact in
 * BigInt and divided by 10000^(n−1) once, rounding DOWN, so only a product finer than 0.01 % is
 * ever truncated, and never twice.
 */
export function combineModifiers(
  modifiers: readonly EarnModifier[],
): CombinedModifiers {
  let product = 1n;
  let factors = 0;
  let bonus = 0n;
  for (const modifier of modifiers) {
    if (modifier.multiplierBasisPoints !== undefined) {
      assertNonNegativeInteger(
        modifier.multiplierBasisPoints,
        `${modifier.source} multiplier`,
      );
      product *= BigInt(modifier.multiplierBasisPoints);
      factors += 1;
    }
    if (modifier.bonusPoints !== undefined) {
      assertNonNegativeInteger(
        modifier.bonusPoints,
        `${modifier.source} bonus`,
      );
      bonus += BigInt(modifier.bonusPoints);
    }
  }
  const multiplier =
    factors === 0
      ? BigInt(BASIS_POINTS_ONE)
      : divideRoundedBig(
          product,
          BigInt(BASIS_POINTS_ONE) ** BigInt(factors - 1),
          "DOWN",
        );
  return {
    multiplierBasisPoints: toSafeNumber(multiplier),
    bonusPoints: toSafeNumber(bonus),
    sources: modifiers.map((modifier) => modifier.source),
  };
}

/**
 * Everything needed to recompute the earn later, stored on the EARN entry. Refunds are clawed back
 * with this, never with today's rule.
 */
export const earnSnapshotSchema = z.object({
  version: z.literal(1),
  rule: earnRuleSchema,
  currency: currencyCodeSchema,
  baseMinor: z.int().min(0),
  /** Points of the base alone, before modifiers (for display; not summed into `points`). */
  basePoints: z.int().min(0),
  multiplierBasisPoints: z.int().min(0),
  bonusPoints: z.int().min(0),
  sources: z.array(z.string()),
  points: z.int().min(0),
});

export type EarnSnapshot = z.infer<typeof earnSnapshotSchema>;

export type EarnEvaluation = { points: number; snapshot: EarnSnapshot };

export function evaluateEarn(
  order: OrderForEarning,
  rule: EarnRule,
  modifiers: readonly EarnModifier[] = [],
): EarnEvaluation {
  const baseMinor = earningBase(order, rule);
  const combined = combineModifiers(modifiers);
  const snapshotWithoutPoints = {
    version: 1 as const,
    rule: { ...rule },
    currency: order.currency,
    baseMinor,
    basePoints: scaledPoints(rule, baseMinor, BASIS_POINTS_ONE),
    multiplierBasisPoints: combined.multiplierBasisPoints,
    bonusPoints: combined.bonusPoints,
    sources: combined.sources,
  };
  const points = pointsForBase(
    { ...snapshotWithoutPoints, points: 0 },
    baseMinor,
  );
  return { points, snapshot: { ...snapshotWithoutPoints, points } };
}

/**
 * Points the snapshot's rule gives for `baseMinor`, bonus included. The multiplier is applied
 * before the single rounding so ×1.5 on 1.99 gives 2 points, not 1 × 1.5 rounded down to 1.
 */
export function pointsForBase(
  snapshot: EarnSnapshot,
  baseMinor: number,
): number {
  assertNonNegativeInteger(baseMinor, "baseMinor");
  return (
    scaledPoints(snapshot.rule, baseMinor, snapshot.multiplierBasisPoints) +
    snapshot.bonusPoints
  );
}

function scaledPoints(
  rule: EarnRule,
  baseMinor: number,
  multiplierBasisPoints: number,
): number {
  const numerator =
    BigInt(baseMinor) * BigInt(rule.points) * BigInt(multiplierBasisPoints);
  const denominator = BigInt(rule.perAmountMinor) * BigInt(BASIS_POINTS_ONE);
  return toSafeNumber(divideRoundedBig(numerator, denominator, rule.rounding));
}

/**
 * Points still owed to the member after `cumulativeRefundedBaseMinor` of the base was refunded.
 * Bonus points stay until the whole base is refunded. A zero base (an order paid entirely with
 * points) is never "fully refunded" here: its bonus is reversed only by a cancel.
 */
function keptPoints(
  snapshot: EarnSnapshot,
  cumulativeRefundedBaseMinor: number,
): number {
  const refunded = Math.min(cumulativeRefundedBaseMinor, snapshot.baseMinor);
  if (snapshot.baseMinor > 0 && refunded === snapshot.baseMinor) return 0;
  return pointsForBase(snapshot, snapshot.baseMinor - refunded);
}

/**
 * Points to claw back for one refund, computed cumulatively: the refunds of an order always sum to
 * exactly the earned points once the whole base is refunded, whatever the split and rounding.
 * `cumulativeRefundedBaseMinor` includes this refund; `alreadyClawedBack` excludes it.
 */
export function refundClawback(
  snapshot: EarnSnapshot,
  cumulativeRefundedBaseMinor: number,
  alreadyClawedBack: number,
): number {
  assertNonNegativeInteger(
    cumulativeRefundedBaseMinor,
    "cumulativeRefundedBaseMinor",
  );
  assertNonNegativeInteger(alreadyClawedBack, "alreadyClawedBack");
  const owed =
    snapshot.points - keptPoints(snapshot, cumulativeRefundedBaseMinor);
  return Math.min(snapshot.points, Math.max(0, owed - alreadyClawedBack));
}

/** A cancelled order takes back whatever earlier refunds left. */
export function cancelClawback(
  snapshot: EarnSnapshot,
  alreadyClawedBack: number,
): number {
  assertNonNegativeInteger(alreadyClawedBack, "alreadyClawedBack");
  return Math.max(0, snapshot.points - alreadyClawedBack);
}
