import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { divideRounded, mulDivRounded, type RoundingMode } from "./rounding";

describe("divideRounded", () => {
  it.each<[number, number, RoundingMode, number]>([
    [10, 5, "DOWN", 2],
    [10, 5, "NEAREST", 2],
    [10, 5, "UP", 2],
    [11, 5, "DOWN", 2],
    [11, 5, "NEAREST", 2],
    [11, 5, "UP", 3],
    [12, 5, "NEAREST", 2],
    [13, 5, "NEAREST", 3],
    [5, 2, "NEAREST", 3], // half up
    [7, 2, "NEAREST", 4],
    [1, 3, "DOWN", 0],
    [1, 3, "NEAREST", 0],
    [1, 3, "UP", 1],
    [0, 7, "UP", 0],
    [0, 7, "NEAREST", 0],
    [Number.MAX_SAFE_INTEGER, 1, "UP", Number.MAX_SAFE_INTEGER],
  ])("%i / %i %s = %i", (numerator, denominator, mode, expected) => {
    expect(divideRounded(numerator, denominator, mode)).toBe(expected);
  });

  it.each<[number, number]>([
    [-1, 2],
    [1, 0],
    [1, -2],
    [1.5, 2],
    [1, 2.5],
    [Number.MAX_SAFE_INTEGER + 1, 1],
  ])("rejects %d / %d", (numerator, denominator) => {
    expect(() => divideRounded(numerator, denominator, "DOWN")).toThrow(
      RangeError,
    );
  });

  it("brackets the exact quotient: DOWN ≤ NEAREST ≤ UP ≤ DOWN + 1", () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.integer({ min: 1, max: 1_000_000 }),
        (numerator, denominator) => {
          const down = divideRounded(numerator, denominator, "DOWN");
          const nearest = divideRounded(numerator, denominator, "NEAREST");
          const up = divideRounded(numerator, denominator, "UP");
          expect(down * denominator).toBeLessThanOrEqual(numerator);
          expect(up * denominator).toBeGreaterThanOrEqual(numerator);
          expect(down <= nearest && nearest <= up && up <= down + 1).toBe(true);
          // NEAREST picks the closer of the two, UP on a tie.
          const belowGap = numerator - down * denominator;
          const aboveGap = up * denominator - numerator;
          expect(nearest).toBe(
            belowGap < aboveGap || belowGap === 0 ? down : up,
          );
        },
      ),
    );
  });
});

describe("mulDivRounded", () => {
  it("keeps products beyond 2^53 exact", () => {
    // 9_007_199_254_740_991 × 3 / 3 loses its last digit in float arithmetic.
    expect(mulDivRounded(Number.MAX_SAFE_INTEGER, 3, 3, "DOWN")).toBe(
      Number.MAX_SAFE_INTEGER,
    );
    expect(mulDivRounded(4_000_000_000_000_001, 10_000, 10_000, "DOWN")).toBe(
      4_000_000_000_000_001,
    );
  });

  it("refuses a quotient that no longer fits", () => {
    expect(() => mulDivRounded(Number.MAX_SAFE_INTEGER, 2, 1, "DOWN")).toThrow(
      RangeError,
    );
  });
});
