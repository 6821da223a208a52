import { describe, expect, it } from "vitest";
import {
  allocate,
  convertMinor,
  formatDecimal,
  formatFixed,
  toMinor,
} from "./money";

describe("money", () => {
  it.each([
    ["19.99", "USD", 1999],
    ["19.9", "USD", 1990],
    ["20", "USD", 2000],
    ["-4.99", "USD", -499],
    ["1000", "JPY", 1000],
    ["1.250", "KWD", 1250],
    ["0.10", "JPY", Number.NaN],
  ])("reads %s %s as %d minor units", (amount, currency, minor) => {
    if (Number.isNaN(minor))
      expect(() => toMinor(amount, currency)).toThrow(/more decimals/);
    else expect(toMinor(amount, currency)).toBe(minor);
  });

  it.each([
    [1999, "USD", "19.99", "19.99"],
    [1000, "USD", "10.00", "10.0"],
    [0, "USD", "0.00", "0.0"],
    [-5, "USD", "-0.05", "-0.05"],
    [1000, "JPY", "1000", "1000.0"],
  ])(
    "prints %d %s as %s (REST) and %s (GraphQL)",
    (minor, currency, fixed, decimal) => {
      expect(formatFixed(minor, currency)).toBe(fixed);
      expect(formatDecimal(minor, currency)).toBe(decimal);
    },
  );

  it("converts between currencies of different exponents", () => {
    expect(convertMinor(1999, "USD", "EUR", 0.92)).toBe(1839);
    expect(convertMinor(1999, "USD", "JPY", 150)).toBe(2999);
  });

  it("allocates exactly, largest remainder first", () => {
    expect(allocate(500, [3998, 1250])).toEqual([381, 119]);
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(7, [0, 0])).toEqual([7, 0]);
    for (const total of [1, 99, 1234]) {
      expect(
        allocate(total, [7, 13, 29]).reduce((sum, part) => sum + part, 0),
      ).toBe(total);
    }
  });
});
