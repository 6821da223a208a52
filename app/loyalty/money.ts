import { z } from "zod";
import { assertSafeInteger, toSafeNumber } from "./rounding";

/** An amount in the currency's minor unit (cents, yen, fils): always an integer. */
export type Money = { readonly minor: number; readonly currency: string };

export const currencyCodeSchema = z
  .string()
  .regex(/^[A-Z]{3}$/, "ISO 4217 code, e.g. EUR");

export const moneySchema = z.object({
  minor: z.int(),
  currency: currencyCodeSchema,
});

// ISO 4217 minor-unit exponents that differ from 2. Shopify sends amounts as decimal strings in
// the shop or presentment currency; the exponent tells how many of those digits are real.
const EXPONENT_OVERRIDES: Readonly<Record<string, 0 | 3>> = {
  JPY: 0,
  KRW: 0,
  VND: 0,
  CLP: 0,
  ISK: 0,
  UGX: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  PYG: 0,
  RWF: 0,
  KMF: 0,
  GNF: 0,
  DJF: 0,
  BIF: 0,
  VUV: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

export function currencyExponent(currency: string): 0 | 2 | 3 {
  assertCurrency(currency);
  return EXPONENT_OVERRIDES[currency] ?? 2;
}

/** Minor units in one major unit: 100 for EUR, 1 for JPY, 1000 for KWD. */
export function unitMinor(currency: string): number {
  return 10 ** currencyExponent(currency);
}

export function money(minor: number, currency: string): Money {
  assertSafeInteger(minor, "minor");
  assertCurrency(currency);
  return { minor, currency };
}

export type MoneyParseResult =
  | { ok: true; money: Money }
  | {
      ok: false;
      reason:
        "INVALID_CURRENCY" | "INVALID_AMOUNT" | "TOO_PRECISE" | "OUT_OF_RANGE";
    };

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * Parses Shopify's decimal strings ("12.34", "1000", "-3.00") with string and integer arithmetic
 * only. Extra fraction digits are accepted when they are zeros ("10.000" USD) because Shopify pads
 * some fields; a non-zero digit beyond the exponent would silently lose money, so it is refused.
 */
export function tryParseMoney(
  decimal: string,
  currency: string,
): MoneyParseResult {
  if (!currencyCodeSchema.safeParse(currency).success) {
    return { ok: false, reason: "INVALID_CURRENCY" };
  }
  const match = DECIMAL.exec(decimal);
  if (match === null) return { ok: false, reason: "INVALID_AMOUNT" };
  const [, sign = "", whole = "", fraction = ""] = match;
  const exponent = currencyExponent(currency);
  const kept = fraction.slice(0, exponent);
  const dropped = fraction.slice(exponent);
  if (/[^0]/.test(dropped)) return { ok: false, reason: "TOO_PRECISE" };
  const magnitude = BigInt(whole + kept.padEnd(exponent, "0"));
  if (magnitude > BigInt(Number.MAX_SAFE_INTEGER))
    return { ok: false, reason: "OUT_OF_RANGE" };
  // "-0.00" must become 0, not -0, or equality checks on minor amounts start lying.
  const minor =
    magnitude === 0n ? 0 : toSafeNumber(sign === "-" ? -magnitude : magnitude);
  return { ok: true, money: { minor, currency } };
}

/** Throwing variant for adapters that already validated the payload shape. */
export function parseMoney(decimal: string, currency: string): Money {
  const result = tryParseMoney(decimal, currency);
  if (!result.ok) {
    throw new RangeError(
      `cannot parse ${JSON.stringify(decimal)} ${currency}: ${result.reason}`,
    );
  }
  return result.money;
}

/** The decimal string Shopify expects back ("12.34", "1000", "1.500"). */
export function toDecimalString(value: Money): string {
  assertSafeInteger(value.minor, "minor");
  const exponent = currencyExponent(value.currency);
  const digits = String(Math.abs(value.minor)).padStart(exponent + 1, "0");
  const sign = value.minor < 0 ? "-" : "";
  if (exponent === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** Plain, locale-free display ("12.34 EUR"); the UI layer may localise it further. */
export function formatMoney(value: Money): string {
  return `${toDecimalString(value)} ${value.currency}`;
}

function assertCurrency(currency: string): void {
  if (!currencyCodeSchema.safeParse(currency).success) {
    throw new RangeError(
      `not an ISO 4217 currency code: ${JSON.stringify(currency)}`,
    );
  }
}
