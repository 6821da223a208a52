import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  currencyExponent,
  formatMoney,
  parseMoney,
  toDecimalString,
  tryParseMoney,
  unitMinor,
} from "./money";

describe("currencyExponent / unitMinor", () => {
  it.each([
    ["USD", 2, 100],
    ["EUR", 2, 100],
    ["JPY", 0, 1],
    ["KRW", 0, 1],
    ["XPF", 0, 1],
    ["VUV", 0, 1],
    ["KWD", 3, 1000],
    ["BHD", 3, 1000],
    ["TND", 3, 1000],
  ])("%s has exponent %i (unit %i)", (currency, exponent, unit) => {
    expect(currencyExponent(currency)).toBe(exponent);
    expect(unitMinor(currency)).toBe(unit);
  });

  it.each(["usd", "EURO", "", "E1R"])(
    "rejects %j as a currency code",
    (currency) => {
      expect(() => currencyExponent(currency)).toThrow(RangeError);
    },
  );
});

describe("parseMoney", () => {
  it.each([
    ["12.34", "USD", 1234],
    ["1000", "USD", 100000],
    ["0.50", "USD", 50],
    ["0.5", "USD", 50],
    ["-3.00", "USD", -300],
    ["10.000", "USD", 1000],
    ["007.10", "EUR", 710],
    ["0.00", "EUR", 0],
    ["1000", "JPY", 1000],
    ["1000.0", "JPY", 1000],
    ["-15", "KRW", -15],
    ["1.234", "KWD", 1234],
    ["1.2", "BHD", 1200],
    ["5", "OMR", 5000],
    ["90071992547409.91", "USD", Number.MAX_SAFE_INTEGER],
  ])("%s %s = %i minor", (decimal, currency, minor) => {
    expect(parseMoney(decimal, currency)).toEqual({ minor, currency });
  });

  it("turns -0.00 into 0, not -0", () => {
    expect(Object.is(parseMoney("-0.00", "USD").minor, 0)).toBe(true);
  });

  it.each([
    ["10.005", "USD", "TOO_PRECISE"],
    ["1.5", "JPY", "TOO_PRECISE"],
    ["1.2345", "KWD", "TOO_PRECISE"],
    ["", "USD", "INVALID_AMOUNT"],
    ["abc", "USD", "INVALID_AMOUNT"],
    ["1.", "USD", "INVALID_AMOUNT"],
    [".5", "USD", "INVALID_AMOUNT"],
    ["+1.00", "USD", "INVALID_AMOUNT"],
    ["1,00", "USD", "INVALID_AMOUNT"],
    [" 1.00", "USD", "INVALID_AMOUNT"],
    ["1e3", "USD", "INVALID_AMOUNT"],
    ["NaN", "USD", "INVALID_AMOUNT"],
    ["--1", "USD", "INVALID_AMOUNT"],
    ["90071992547409.92", "USD", "OUT_OF_RANGE"],
    ["1.00", "usd", "INVALID_CURRENCY"],
  ])("rejects %j %s (%s)", (decimal, currency, reason) => {
    expect(tryParseMoney(decimal, currency)).toEqual({ ok: false, reason });
    expect(() => parseMoney(decimal, currency)).toThrow(RangeError);
  });

  it("round-trips through toDecimalString for every exponent", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.constantFrom("USD", "JPY", "KWD"),
        (minor, currency) => {
          expect(
            parseMoney(toDecimalString({ minor, currency }), currency),
          ).toEqual({
            minor,
            currency,
          });
        },
      ),
    );
  });
});

describe("formatMoney", () => {
  it.each([
    [1234, "EUR", "12.34 EUR"],
    [5, "USD", "0.05 USD"],
    [-300, "USD", "-3.00 USD"],
    [1000, "JPY", "1000 JPY"],
    [1500, "KWD", "1.500 KWD"],
    [-7, "BHD", "-0.007 BHD"],
  ])("%i %s → %s", (minor, currency, text) => {
    expect(formatMoney({ minor, currency })).toBe(text);
  });
});
