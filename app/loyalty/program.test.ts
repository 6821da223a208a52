import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  defaultProgramConfig,
  lotTimes,
  programConfigSchema,
  type ProgramConfig,
} from "./program";
import { minorToPoints, pointsToMinor, pointsToMoney } from "./rewards";

describe("defaultProgramConfig", () => {
  it.each([
    ["USD", 100],
    ["JPY", 1],
    ["KWD", 1_000],
  ])("earns 1 point per unit of %s (%i minor)", (currency, perAmountMinor) => {
    const config = defaultProgramConfig(currency);
    expect(config.earn.perAmountMinor).toBe(perAmountMinor);
    expect(programConfigSchema.parse(config)).toEqual(config);
  });

  it("is off, with the documented defaults", () => {
    expect(defaultProgramConfig("EUR")).toEqual({
      enabled: false,
      currency: "EUR",
      earn: {
        points: 1,
        perAmountMinor: 100,
        rounding: "DOWN",
        applyOrderDiscounts: true,
        includeShipping: false,
        includeTaxes: false,
        includeGiftCards: false,
      },
      pendingDays: 0,
      expiryDays: null,
      redemption: {
        pointsPerUnit: 100,
        rewards: [
          { id: "fixed-500", kind: "FIXED_AMOUNT", points: 500 },
          { id: "fixed-1000", kind: "FIXED_AMOUNT", points: 1_000 },
          { id: "fixed-2000", kind: "FIXED_AMOUNT", points: 2_000 },
        ],
        slider: null,
        combinesWith: {
          orderDiscounts: false,
          productDiscounts: true,
          shippingDiscounts: true,
        },
        checkoutCodeTtlMinutes: 30,
        accountCodeTtlMinutes: 10_080,
        refundPolicy: "RETURN_PROPORTIONALLY",
      },
      negativeBalancePolicy: "ALLOW_NEGATIVE",
      tiers: {
        basis: "POINTS_EARNED",
        window: "LIFETIME",
        levels: [
          {
            name: "Bronze",
            threshold: 0,
            earnMultiplierBasisPoints: 10_000,
            entryRewardPoints: 0,
          },
          {
            name: "Silver",
            threshold: 500,
            earnMultiplierBasisPoints: 10_000,
            entryRewardPoints: 0,
          },
          {
            name: "Gold",
            threshold: 1_500,
            earnMultiplierBasisPoints: 10_000,
            entryRewardPoints: 0,
          },
        ],
        graceDays: 30,
        tagPrefix: "loyalty-tier:",
        effectiveFrom: null,
      },
      signupBonusPoints: 0,
      guestOrderMatching: true,
      programStartAt: null,
      growth: {
        referrals: {
          enabled: false,
          advocatePoints: 500,
          friendDiscount: { kind: "PERCENTAGE", percentage: 10 },
          friendMinimumSubtotalMinor: null,
          weeklyLimit: 5,
        },
        challenges: [],
        storeCredit: {
          enabled: false,
          stepPoints: 100,
          minPoints: 100,
          maxPoints: 100_000,
        },
      },
      engagement: {
        expiryWarningDays: 30,
        birthday: { enabled: false, points: 100 },
      },
    });
  });

  it("survives a JSON round trip, dates included", () => {
    const config: ProgramConfig = {
      ...defaultProgramConfig("EUR"),
      programStartAt: new Date("2025-03-01T00:00:00Z"),
    };
    expect(
      programConfigSchema.parse(JSON.parse(JSON.stringify(config))),
    ).toEqual(config);
  });

  const base = defaultProgramConfig("USD");
  it.each<[string, unknown]>([
    ["pendingDays above 90", { ...base, pendingDays: 91 }],
    ["negative pendingDays", { ...base, pendingDays: -1 }],
    [
      "expiry before availability",
      { ...base, pendingDays: 30, expiryDays: 30 },
    ],
    ["zero redemption rate", { ...base, redemption: { pointsPerUnit: 0 } }],
    ["unknown policy", { ...base, negativeBalancePolicy: "MAYBE" }],
    [
      "first tier above 0",
      {
        ...base,
        tiers: { ...base.tiers, levels: [{ name: "A", threshold: 10 }] },
      },
    ],
    [
      "thresholds not increasing",
      {
        ...base,
        tiers: {
          ...base.tiers,
          levels: [
            { name: "A", threshold: 0 },
            { name: "B", threshold: 0 },
          ],
        },
      },
    ],
    [
      "duplicate tier names",
      {
        ...base,
        tiers: {
          ...base.tiers,
          levels: [
            { name: "Gold", threshold: 0 },
            { name: "gold", threshold: 10 },
          ],
        },
      },
    ],
    ["no currency", { ...base, currency: "" }],
  ])("rejects %s", (_name, input) => {
    expect(programConfigSchema.safeParse(input).success).toBe(false);
  });
});

describe("redemption rate", () => {
  const rate = { pointsPerUnit: 100 };

  it.each([
    [100, "USD", 100],
    [150, "USD", 150],
    [99, "USD", 99],
    [100, "JPY", 1],
    [150, "JPY", 1], // 1.5 yen is 1 yen: never more than the points are worth
    [100, "KWD", 1_000],
    [0, "USD", 0],
  ])("%i points are worth %s %i minor", (points, currency, minor) => {
    expect(pointsToMinor(points, rate, currency)).toBe(minor);
    expect(pointsToMoney(points, rate, currency)).toEqual({ minor, currency });
  });

  it.each([
    [100, "USD", 100],
    [1, "JPY", 100],
    [3, "JPY", 300],
    [1, "KWD", 1], // 0.001 KWD costs 0.1 point, rounded up to 1
    [0, "USD", 0],
  ])("%i minor of %s costs %i points", (minor, currency, points) => {
    expect(minorToPoints(minor, rate, currency)).toBe(points);
  });

  it("never gives more money than the points are worth", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.constantFrom("USD", "JPY", "KWD"),
        (amount, pointsPerUnit, currency) => {
          const r = { pointsPerUnit };
          // The money a number of points buys costs no more points than that.
          expect(
            minorToPoints(pointsToMinor(amount, r, currency), r, currency),
          ).toBeLessThanOrEqual(amount);
          // The points charged for an amount are worth at least that amount.
          expect(
            pointsToMinor(minorToPoints(amount, r, currency), r, currency),
          ).toBeGreaterThanOrEqual(amount);
        },
      ),
    );
  });
});

describe("lotTimes", () => {
  it.each<[number, number | null, string, string | null]>([
    [0, null, "2025-01-10T12:00:00.000Z", null],
    [14, 365, "2025-01-24T12:00:00.000Z", "2026-01-10T12:00:00.000Z"],
  ])(
    "pending %i days, expiry %s",
    (pendingDays, expiryDays, availableAt, expiresAt) => {
      const times = lotTimes(
        { pendingDays, expiryDays },
        new Date("2025-01-10T12:00:00Z"),
      );
      expect(times.availableAt.toISOString()).toBe(availableAt);
      expect(times.expiresAt?.toISOString() ?? null).toBe(expiresAt);
    },
  );
});
