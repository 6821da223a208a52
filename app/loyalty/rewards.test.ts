import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  chooseOnSlider,
  DEFAULT_REWARDS,
  redeemedPointsToReturn,
  redemptionCode,
  redemptionSettingsSchema,
  rewardTitle,
  rewardValue,
  sliderRange,
  type Slider,
} from "./rewards";

const usd = { pointsPerUnit: 100, currency: "USD" };
const slider: Slider = {
  stepPoints: 100,
  minPoints: 200,
  maxPointsPerOrder: 5_000,
  maxSubtotalPercent: 50,
};

describe("rewards", () => {
  it("a program saved before rewards existed reads with the default catalogue", () => {
    const settings = redemptionSettingsSchema.parse({ pointsPerUnit: 100 });
    expect(settings.rewards.map((reward) => reward.points)).toEqual([
      500, 1_000, 2_000,
    ]);
    expect(settings.checkoutCodeTtlMinutes).toBe(30);
    expect(settings.slider).toBeNull();
    expect(settings.refundPolicy).toBe("RETURN_PROPORTIONALLY");
  });

  it("fixed rewards are worth their points at the program's rate, in the shop currency", () => {
    const first = {
      id: "fixed-500",
      kind: "FIXED_AMOUNT",
      points: 500,
    } as const;
    expect(DEFAULT_REWARDS).toContainEqual(first);
    expect(rewardValue(first, usd)).toEqual({
      kind: "FIXED_AMOUNT",
      amountMinor: 500,
    });
    // Yen have no minor unit: 500 points at 100 per yen is 5 yen, not 500.
    expect(rewardValue(first, { pointsPerUnit: 100, currency: "JPY" })).toEqual(
      { kind: "FIXED_AMOUNT", amountMinor: 5 },
    );
    expect(
      rewardValue(
        { id: "deal", kind: "FIXED_AMOUNT", points: 500, amountMinor: 1_000 },
        usd,
      ),
    ).toEqual({ kind: "FIXED_AMOUNT", amountMinor: 1_000 });
  });

  it("titles read as a shopper expects unless the merchant named the reward", () => {
    expect(
      rewardTitle({}, { kind: "FIXED_AMOUNT", amountMinor: 550 }, "EUR"),
    ).toBe("5.50 off");
    expect(rewardTitle({}, { kind: "PERCENTAGE", percentage: 10 }, "EUR")).toBe(
      "10% off",
    );
    expect(rewardTitle({}, { kind: "FREE_SHIPPING" }, "EUR")).toBe(
      "Free shipping",
    );
    expect(
      rewardTitle({ title: "Welcome gift" }, { kind: "FREE_SHIPPING" }, "EUR"),
    ).toBe("Welcome gift");
  });

  it("reward ids must be unique within a catalogue", () => {
    const result = redemptionSettingsSchema.safeParse({
      pointsPerUnit: 100,
      rewards: [
        { id: "a", kind: "FREE_SHIPPING", points: 100 },
        { id: "a", kind: "FREE_SHIPPING", points: 200 },
      ],
    });
    expect(result.success).toBe(false);
  });
});

describe("slider", () => {
  it("is capped by the balance, the per-order maximum and the share of the subtotal, in whole steps", () => {
    // Balance 1,250 → 1,200 (whole steps).
    expect(
      sliderRange(slider, { available: 1_250, subtotalMinor: 100_000 }, usd),
    ).toEqual({
      stepPoints: 100,
      minPoints: 200,
      maxPoints: 1_200,
      price: { points: 100, amountMinor: 100 },
    });
    // Half of a 30.99 cart is 15.49 → 1,549 points → 1,500.
    expect(
      sliderRange(slider, { available: 9_000, subtotalMinor: 3_099 }, usd)
        ?.maxPoints,
    ).toBe(1_500);
    expect(
      sliderRange(slider, { available: 90_000, subtotalMinor: 10_000_000 }, usd)
        ?.maxPoints,
    ).toBe(5_000);
  });

  it("is not offered below its minimum or without a subtotal", () => {
    expect(
      sliderRange(slider, { available: 199, subtotalMinor: 100_000 }, usd),
    ).toBeNull();
    expect(
      sliderRange(slider, { available: 5_000, subtotalMinor: 300 }, usd),
    ).toBeNull();
    expect(
      sliderRange(slider, { available: 5_000, subtotalMinor: null }, usd),
    ).toBeNull();
  });

  it.each([
    [100, "USD"],
    [300, "USD"],
    [7, "JPY"],
    [3, "KWD"],
  ])(
    "prices every choice at %d points a unit of %s as the code it mints",
    (pointsPerUnit, currency) => {
      const pricing = { pointsPerUnit, currency };
      const cart = { available: 5_000, subtotalMinor: 1_000_000 };
      const range = sliderRange(slider, cart, pricing);
      if (range === null) throw new Error("no slider");
      for (
        let points = range.minPoints;
        points <= range.maxPoints;
        points += range.stepPoints
      ) {
        const choice = chooseOnSlider(slider, points, cart, pricing);
        const shown = Math.floor(
          (points * range.price.amountMinor) / range.price.points,
        );
        expect(choice).toMatchObject({
          ok: true,
          value: { kind: "FIXED_AMOUNT", amountMinor: shown },
        });
      }
    },
  );

  it("accepts only whole steps within the range for this cart", () => {
    const cart = { available: 0, subtotalMinor: 3_099 };
    expect(chooseOnSlider(slider, 700, cart, usd)).toEqual({
      ok: true,
      points: 700,
      value: { kind: "FIXED_AMOUNT", amountMinor: 700 },
    });
    expect(chooseOnSlider(slider, 750, cart, usd)).toMatchObject({
      ok: false,
      reason: "NOT_A_STEP",
    });
    expect(chooseOnSlider(slider, 1_600, cart, usd)).toMatchObject({
      ok: false,
      reason: "OUT_OF_RANGE",
    });
    expect(chooseOnSlider(slider, 100, cart, usd)).toMatchObject({
      ok: false,
      reason: "OUT_OF_RANGE",
    });
  });
});

describe("redemption codes", () => {
  it("look like LOYAL-XXXX-XXXX without look-alike characters", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (bytes) => {
        expect(redemptionCode(bytes)).toMatch(
          /^LOYAL-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/,
        );
      }),
    );
  });
});

describe("redeemed points returned by refunds", () => {
  const lines = [
    { lineItemId: "a", quantity: 2, amountMinor: 6_000 },
    { lineItemId: "b", quantity: 1, amountMinor: 4_000 },
  ];

  it("returns the refunded share of the lines, rounded down", () => {
    expect(
      redeemedPointsToReturn(999, lines, [
        { refundId: "r1", lines: [{ lineItemId: "a", quantity: 1 }] },
      ]),
    ).toEqual([{ refundId: "r1", points: 299 }]);
  });

  it("returns nothing for a refund of shipping only", () => {
    expect(
      redeemedPointsToReturn(999, lines, [{ refundId: "r1", lines: [] }]),
    ).toEqual([{ refundId: "r1", points: 0 }]);
  });

  it("returns every point once every line is refunded, whatever the split", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.shuffledSubarray(
          [
            { lineItemId: "a", quantity: 1 },
            { lineItemId: "a", quantity: 1 },
            { lineItemId: "b", quantity: 1 },
          ],
          { minLength: 3, maxLength: 3 },
        ),
        (points, pieces) => {
          const refunds = pieces.map((line, index) => ({
            refundId: `r${index}`,
            lines: [line],
          }));
          const returned = redeemedPointsToReturn(points, lines, refunds);
          expect(returned.reduce((sum, next) => sum + next.points, 0)).toBe(
            points,
          );
        },
      ),
    );
  });

  it("never returns more than was redeemed when a refund repeats lines", () => {
    const returned = redeemedPointsToReturn(500, lines, [
      { refundId: "r1", lines: [{ lineItemId: "b", quantity: 5 }] },
      { refundId: "r2", lines: [{ lineItemId: "b", quantity: 1 }] },
    ]);
    expect(returned).toEqual([
      { refundId: "r1", points: 200 },
      { refundId: "r2", points: 0 },
    ]);
  });
});
