import { describe, expect, it } from "vitest";
import {
  challengeProgress,
  challengeSchema,
  challengesSchema,
  challengeWindow,
  orderSpendMinor,
} from "./challenges";

const june = challengeSchema.parse({
  id: "three-in-june",
  title: "Three orders in June",
  kind: "ORDER_COUNT",
  target: 3,
  bonusPoints: 200,
  startsAt: "2025-06-01T00:00:00Z",
  endsAt: "2025-07-01T00:00:00Z",
});
const monthly = challengeSchema.parse({
  id: "spend-100",
  title: "Spend 100.00 in 30 days",
  kind: "SPEND",
  target: 10_000,
  bonusPoints: 300,
  startsAt: "2025-06-01T00:00:00Z",
  everyDays: 30,
});

describe("challengeWindow", () => {
  it("is the one period of a dated challenge, and none outside it", () => {
    expect(challengeWindow(june, new Date("2025-06-15T12:00:00Z"))).toEqual({
      start: new Date("2025-06-01T00:00:00Z"),
      end: new Date("2025-07-01T00:00:00Z"),
      period: "20250601T000000Z",
    });
    expect(challengeWindow(june, new Date("2025-05-31T23:59:59Z"))).toBeNull();
    expect(challengeWindow(june, new Date("2025-07-01T00:00:00Z"))).toBeNull();
  });

  it("is the period of a repeating challenge the instant falls in", () => {
    expect(
      challengeWindow(monthly, new Date("2025-07-05T00:00:00Z")),
    ).toMatchObject({
      start: new Date("2025-07-01T00:00:00Z"),
      end: new Date("2025-07-31T00:00:00Z"),
      period: "20250701T000000Z",
    });
  });
});

describe("challengeProgress", () => {
  const orders = [
    { at: new Date("2025-05-31T23:00:00Z"), spentMinor: 9_000 },
    { at: new Date("2025-06-02T00:00:00Z"), spentMinor: 4_000 },
    { at: new Date("2025-06-20T00:00:00Z"), spentMinor: 7_000 },
  ];
  it("counts orders or sums spend within the window only", () => {
    const at = new Date("2025-06-25T00:00:00Z");
    const juneWindow = challengeWindow(june, at);
    const monthWindow = challengeWindow(monthly, at);
    if (!juneWindow || !monthWindow) throw new Error("both are running");
    expect(challengeProgress(june, juneWindow, orders)).toBe(2);
    expect(challengeProgress(monthly, monthWindow, orders)).toBe(11_000);
  });
});

describe("challenge settings", () => {
  it("need an end or a repeat, not both, and their own ids", () => {
    const base = {
      id: "x",
      title: "X",
      kind: "ORDER_COUNT",
      target: 1,
      bonusPoints: 1,
      startsAt: "2025-01-01",
    };
    expect(challengeSchema.safeParse(base).success).toBe(false);
    expect(
      challengeSchema.safeParse({ ...base, endsAt: "2025-02-01", everyDays: 7 })
        .success,
    ).toBe(false);
    expect(
      challengeSchema.safeParse({ ...base, endsAt: "2024-12-01" }).success,
    ).toBe(false);
    expect(challengesSchema.safeParse([june, june]).success).toBe(false);
  });
});

describe("orderSpendMinor", () => {
  it("is the lines after every discount, gift cards left out", () => {
    expect(
      orderSpendMinor([
        {
          quantity: 2,
          unitPriceMinor: 1_000,
          discountMinor: 300,
          loyaltyDiscountMinor: 200,
          isGiftCard: false,
        },
        {
          quantity: 1,
          unitPriceMinor: 5_000,
          discountMinor: 0,
          loyaltyDiscountMinor: 0,
          isGiftCard: true,
        },
      ]),
    ).toBe(1_500);
  });
});
