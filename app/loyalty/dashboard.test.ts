import { describe, expect, it } from "vitest";
import { basisPoints, pointsSeries } from "./dashboard";

describe("basis points", () => {
  it.each([
    [1, 3, 3_333],
    [2, 2, 10_000],
    [0, 5, 0],
    [5, 0, null],
  ])("%i of %i is %s", (part, whole, expected) => {
    expect(basisPoints(part, whole)).toBe(expected);
  });
});

describe("the points series", () => {
  const at = (day: string) => new Date(`${day}T00:00:00Z`);

  it("has one point per day over a month, zero where nothing happened", () => {
    const series = pointsSeries(
      [{ day: "2026-03-02", issued: 50, redeemed: 10 }],
      at("2026-03-01"),
      at("2026-03-03"),
    );
    expect(series).toEqual([
      { day: "2026-03-01", issued: 0, redeemed: 0 },
      { day: "2026-03-02", issued: 50, redeemed: 10 },
      { day: "2026-03-03", issued: 0, redeemed: 0 },
    ]);
  });

  it("sums weeks over longer periods without losing a point", () => {
    const days = Array.from({ length: 90 }, (_, index) => ({
      day: new Date(at("2026-01-01").getTime() + index * 86_400_000)
        .toISOString()
        .slice(0, 10),
      issued: index + 1,
      redeemed: 1,
    }));
    const series = pointsSeries(days, at("2026-01-01"), at("2026-03-31"));
    expect(series).toHaveLength(13);
    expect(series[1]?.day).toBe("2026-01-08");
    expect(series.reduce((sum, point) => sum + point.issued, 0)).toBe(
      (90 * 91) / 2,
    );
    expect(series.reduce((sum, point) => sum + point.redeemed, 0)).toBe(90);
  });
});
