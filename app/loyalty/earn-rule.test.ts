import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  cancelClawback,
  combineModifiers,
  earnRuleSchema,
  earnSnapshotSchema,
  earningBase,
  evaluateEarn,
  pointsForBase,
  refundClawback,
  type EarnModifier,
  type EarnRule,
  type OrderForEarning,
} from "./earn-rule";
import { divideRounded } from "./rounding";

const rule = (overrides: Partial<EarnRule> = {}): EarnRule =>
  earnRuleSchema.parse({ points: 1, perAmountMinor: 100, ...overrides });

type Line = OrderForEarning["lines"][number];
const line = (overrides: Partial<Line> = {}): Line => ({
  quantity: 1,
  unitPriceMinor: 10_000,
  discountMinor: 0,
  loyaltyDiscountMinor: 0,
  isGiftCard: false,
  ...overrides,
});
const order = (overrides: Partial<OrderForEarning> = {}): OrderForEarning => ({
  currency: "USD",
  lines: [line()],
  shippingMinor: 0,
  taxMinor: 0,
  tipMinor: 0,
  ...overrides,
});

describe("earnRuleSchema", () => {
  it("fills the defaults: round down, after discounts, nothing else included", () => {
    expect(earnRuleSchema.parse({ points: 1, perAmountMinor: 100 })).toEqual({
      points: 1,
      perAmountMinor: 100,
      rounding: "DOWN",
      applyOrderDiscounts: true,
      includeShipping: false,
      includeTaxes: false,
      includeGiftCards: false,
    });
  });

  it.each([
    { points: -1, perAmountMinor: 100 },
    { points: 1, perAmountMinor: 0 },
    { points: 1.5, perAmountMinor: 100 },
    { points: 1, perAmountMinor: 100, rounding: "HALF_EVEN" },
  ])("rejects %j", (input) => {
    expect(earnRuleSchema.safeParse(input).success).toBe(false);
  });
});

describe("earningBase and evaluateEarn", () => {
  it.each<[string, OrderForEarning, EarnRule, EarnModifier[], number, number]>([
    ["one line, 1 point per 1.00", order(), rule(), [], 10_000, 100],
    [
      "quantity multiplies the unit price",
      order({ lines: [line({ quantity: 3, unitPriceMinor: 1_999 })] }),
      rule(),
      [],
      5_997,
      59,
    ],
    [
      "shop discounts reduce the base by default",
      order({ lines: [line({ discountMinor: 2_500 })] }),
      rule(),
      [],
      7_500,
      75,
    ],
    [
      "shop discounts ignored when applyOrderDiscounts is off",
      order({ lines: [line({ discountMinor: 2_500 })] }),
      rule({ applyOrderDiscounts: false }),
      [],
      10_000,
      100,
    ],
    [
      "the app's points discount always reduces the base",
      order({ lines: [line({ loyaltyDiscountMinor: 1_000 })] }),
      rule(),
      [],
      9_000,
      90,
    ],
    [
      "the app's points discount reduces it even with applyOrderDiscounts off",
      order({
        lines: [line({ discountMinor: 2_000, loyaltyDiscountMinor: 1_000 })],
      }),
      rule({ applyOrderDiscounts: false }),
      [],
      9_000,
      90,
    ],
    [
      "a line never goes below zero",
      order({
        lines: [
          line({
            unitPriceMinor: 500,
            discountMinor: 400,
            loyaltyDiscountMinor: 300,
          }),
          line(),
        ],
      }),
      rule(),
      [],
      10_000,
      100,
    ],
    [
      "gift cards excluded by default",
      order({
        lines: [line(), line({ isGiftCard: true, unitPriceMinor: 5_000 })],
      }),
      rule(),
      [],
      10_000,
      100,
    ],
    [
      "gift cards included when asked",
      order({
        lines: [line(), line({ isGiftCard: true, unitPriceMinor: 5_000 })],
      }),
      rule({ includeGiftCards: true }),
      [],
      15_000,
      150,
    ],
    [
      "shipping and taxes excluded by default, tips never count",
      order({ shippingMinor: 1_000, taxMinor: 800, tipMinor: 500 }),
      rule(),
      [],
      10_000,
      100,
    ],
    [
      "shipping included when asked",
      order({ shippingMinor: 1_000, taxMinor: 800, tipMinor: 500 }),
      rule({ includeShipping: true }),
      [],
      11_000,
      110,
    ],
    [
      "taxes included when asked",
      order({ shippingMinor: 1_000, taxMinor: 800, tipMinor: 500 }),
      rule({ includeTaxes: true }),
      [],
      10_800,
      108,
    ],
    [
      "rounding DOWN",
      order({ lines: [line({ unitPriceMinor: 1_999 })] }),
      rule(),
      [],
      1_999,
      19,
    ],
    [
      "rounding NEAREST (half up)",
      order({ lines: [line({ unitPriceMinor: 1_950 })] }),
      rule({ rounding: "NEAREST" }),
      [],
      1_950,
      20,
    ],
    [
      "rounding UP",
      order({ lines: [line({ unitPriceMinor: 1_901 })] }),
      rule({ rounding: "UP" }),
      [],
      1_901,
      20,
    ],
    [
      "10 points per 1.00",
      order({ lines: [line({ unitPriceMinor: 1_234 })] }),
      rule({ points: 10 }),
      [],
      1_234,
      123,
    ],
    [
      "tier multiplier ×1.5 applied before the single rounding",
      order({ lines: [line({ unitPriceMinor: 199 })] }),
      rule(),
      [{ source: "tier:gold", multiplierBasisPoints: 15_000 }],
      199,
      2,
    ],
    [
      "multiplier and bonus via the seam",
      order(),
      rule(),
      [
        { source: "tier:gold", multiplierBasisPoints: 15_000 },
        { source: "campaign:double", multiplierBasisPoints: 20_000 },
        { source: "first-order", bonusPoints: 50 },
      ],
      10_000,
      350,
    ],
    [
      "bonus on an order paid entirely with points",
      order({ lines: [line({ loyaltyDiscountMinor: 10_000 })] }),
      rule(),
      [{ source: "first-order", bonusPoints: 50 }],
      0,
      50,
    ],
    [
      "exponent 0 currency: 1 point per 100 JPY",
      order({ currency: "JPY", lines: [line({ unitPriceMinor: 1_250 })] }),
      rule({ perAmountMinor: 100 }),
      [],
      1_250,
      12,
    ],
    [
      "exponent 3 currency: 1 point per 1.000 KWD",
      order({ currency: "KWD", lines: [line({ unitPriceMinor: 12_345 })] }),
      rule({ perAmountMinor: 1_000 }),
      [],
      12_345,
      12,
    ],
    ["empty order", order({ lines: [] }), rule(), [], 0, 0],
  ])("%s", (_name, input, earnRule, modifiers, baseMinor, points) => {
    expect(earningBase(input, earnRule)).toBe(baseMinor);
    const result = evaluateEarn(input, earnRule, modifiers);
    expect(result.points).toBe(points);
    expect(result.snapshot.baseMinor).toBe(baseMinor);
    expect(result.snapshot.points).toBe(points);
    expect(result.snapshot.currency).toBe(input.currency);
    expect(pointsForBase(result.snapshot, baseMinor)).toBe(points);
  });

  it("produces a JSON-serialisable snapshot that carries the rule and the modifiers", () => {
    const { snapshot } = evaluateEarn(order(), rule({ points: 2 }), [
      { source: "tier:gold", multiplierBasisPoints: 12_500 },
      { source: "birthday", bonusPoints: 10 },
    ]);
    expect(snapshot).toEqual({
      version: 1,
      rule: rule({ points: 2 }),
      currency: "USD",
      baseMinor: 10_000,
      basePoints: 200,
      multiplierBasisPoints: 12_500,
      bonusPoints: 10,
      sources: ["tier:gold", "birthday"],
      points: 260,
    });
    expect(
      earnSnapshotSchema.parse(JSON.parse(JSON.stringify(snapshot))),
    ).toEqual(snapshot);
  });

  it.each([
    ["negative quantity", order({ lines: [line({ quantity: -1 })] })],
    ["fractional price", order({ lines: [line({ unitPriceMinor: 10.5 })] })],
    ["negative shipping", order({ shippingMinor: -1 })],
    [
      "unsafe product",
      order({ lines: [line({ quantity: 2 ** 40, unitPriceMinor: 2 ** 40 })] }),
    ],
  ])("throws on a malformed normalised order: %s", (_name, input) => {
    expect(() => earningBase(input, rule())).toThrow(RangeError);
  });
});

describe("combineModifiers", () => {
  it.each<[EarnModifier[], number, number]>([
    [[], 10_000, 0],
    [[{ source: "a", bonusPoints: 5 }], 10_000, 5],
    [[{ source: "a", multiplierBasisPoints: 15_000 }], 15_000, 0],
    [
      [
        { source: "a", multiplierBasisPoints: 15_000 },
        { source: "b", multiplierBasisPoints: 12_000 },
      ],
      18_000,
      0,
    ],
    // 1.0001³ = 1.000300030001: exact product, truncated once to 10003 bp. Truncating at each step
    // would give the same here, so the next case is the one that tells them apart.
    [
      [
        { source: "a", multiplierBasisPoints: 10_001 },
        { source: "b", multiplierBasisPoints: 10_001 },
        { source: "c", multiplierBasisPoints: 10_001 },
      ],
      10_003,
      0,
    ],
    // 1.5555 × 1.5555 × 2 = 4.83916... : one truncation gives 48391; per-step truncation
    // (24195 then 48390) would lose a basis point.
    [
      [
        { source: "a", multiplierBasisPoints: 15_555 },
        { source: "b", multiplierBasisPoints: 15_555 },
        { source: "c", multiplierBasisPoints: 20_000 },
      ],
      48_391,
      0,
    ],
    [
      [
        { source: "a", multiplierBasisPoints: 0 },
        { source: "b", bonusPoints: 7 },
        { source: "c", bonusPoints: 3, multiplierBasisPoints: 20_000 },
      ],
      0,
      10,
    ],
  ])(
    "%j → %i bp, bonus %i",
    (modifiers, multiplierBasisPoints, bonusPoints) => {
      expect(combineModifiers(modifiers)).toEqual({
        multiplierBasisPoints,
        bonusPoints,
        sources: modifiers.map((modifier) => modifier.source),
      });
    },
  );

  it("equals floor(Π m / 10000^(n−1)) for any set of multipliers", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50_000 }), {
          minLength: 1,
          maxLength: 4,
        }),
        (bps) => {
          const exact = bps.reduce((product, bp) => product * BigInt(bp), 1n);
          const expected = exact / 10_000n ** BigInt(bps.length - 1);
          const combined = combineModifiers(
            bps.map((bp, i) => ({
              source: `m${i}`,
              multiplierBasisPoints: bp,
            })),
          );
          expect(BigInt(combined.multiplierBasisPoints)).toBe(expected);
        },
      ),
    );
  });

  it.each([
    [{ source: "a", multiplierBasisPoints: -1 }],
    [{ source: "a", multiplierBasisPoints: 1.5 }],
    [{ source: "a", bonusPoints: -5 }],
  ])("rejects %j", (modifier) => {
    expect(() => combineModifiers([modifier])).toThrow(RangeError);
  });
});

describe("refundClawback", () => {
  const earned = evaluateEarn(
    order({
      lines: [line({ unitPriceMinor: 3_333 }), line({ unitPriceMinor: 6_667 })],
    }),
    rule({ rounding: "NEAREST" }),
    [
      { source: "tier:silver", multiplierBasisPoints: 12_500 },
      { source: "first-order", bonusPoints: 25 },
    ],
  );

  it.each([
    // [cumulative refunded base, already clawed back, expected]
    [0, 0, 0],
    [3_333, 0, 42], // 125 − round(6667 × 1.25 / 100) = 125 − 83
    [10_000, 42, 108], // the rest, bonus included, once the whole base is refunded
    [10_000, 0, 150],
    [20_000, 0, 150], // refunds above the base are capped at it
    [10_000, 150, 0], // nothing left
    [3_333, 100, 0], // never negative
  ])(
    "refunded %i with %i already clawed back → %i",
    (refunded, already, expected) => {
      expect(earned.points).toBe(150);
      expect(refundClawback(earned.snapshot, refunded, already)).toBe(expected);
    },
  );

  it("sums exactly to the earned points over any split of a full refund", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5_000_000 }),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.constantFrom("DOWN" as const, "NEAREST" as const, "UP" as const),
        fc.integer({ min: 0, max: 30_000 }),
        fc.integer({ min: 0, max: 500 }),
        fc.array(fc.integer({ min: 1, max: 1_000 }), {
          minLength: 1,
          maxLength: 12,
        }),
        (
          baseMinor,
          points,
          perAmountMinor,
          rounding,
          multiplier,
          bonus,
          weights,
        ) => {
          const { snapshot } = evaluateEarn(
            order({ lines: [line({ unitPriceMinor: baseMinor })] }),
            rule({ points, perAmountMinor, rounding }),
            [
              {
                source: "m",
                multiplierBasisPoints: multiplier,
                bonusPoints: bonus,
              },
            ],
          );
          // Split the base into partial refunds proportional to the weights, last one takes the rest.
          const total = weights.reduce((sum, weight) => sum + weight, 0);
          let refunded = 0;
          let clawed = 0;
          weights.forEach((weight, index) => {
            const part =
              index === weights.length - 1
                ? baseMinor - refunded
                : divideRounded(baseMinor * weight, total, "DOWN");
            refunded += part;
            const clawback = refundClawback(snapshot, refunded, clawed);
            expect(clawback).toBeGreaterThanOrEqual(0);
            clawed += clawback;
            expect(clawed).toBeLessThanOrEqual(snapshot.points);
          });
          expect(clawed).toBe(snapshot.points);
        },
      ),
    );
  });

  it("recomputes with the snapshot's rule, not today's", () => {
    const thenRule = rule({ points: 1, perAmountMinor: 100 });
    const todayRule = rule({ points: 5, perAmountMinor: 100, rounding: "UP" });
    const { snapshot, points } = evaluateEarn(order(), thenRule);
    expect(points).toBe(100);
    // The merchant changes the program after the order; the snapshot travelled through the DB.
    const stored = earnSnapshotSchema.parse(
      JSON.parse(JSON.stringify(snapshot)),
    );
    expect(evaluateEarn(order(), todayRule).points).toBe(500);
    expect(refundClawback(stored, 5_000, 0)).toBe(50);
    expect(pointsForBase(stored, 5_000)).toBe(50);
    expect(refundClawback(stored, 10_000, 50)).toBe(50);
  });

  it("keeps the bonus of a zero-base order for cancels only", () => {
    const { snapshot } = evaluateEarn(
      order({ lines: [line({ loyaltyDiscountMinor: 10_000 })] }),
      rule(),
      [{ source: "first-order", bonusPoints: 50 }],
    );
    expect(refundClawback(snapshot, 0, 0)).toBe(0);
    expect(cancelClawback(snapshot, 0)).toBe(50);
  });

  it.each([
    [0, 150],
    [42, 108],
    [150, 0],
    [200, 0],
  ])("cancel after %i clawed back takes %i", (already, expected) => {
    expect(cancelClawback(earned.snapshot, already)).toBe(expected);
  });
});
