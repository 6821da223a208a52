// Money arithmetic for the simulator, in integer minor units so that totals built from parts add up
// exactly (a webhook whose total_price is not the sum of its parts would test nothing).

// ISO 4217 exponents that differ from 2, as Shopify formats them.
const ZERO_DECIMAL = new Set([
  "BIF",
  "CLP",
  "DJF",
  "GNF",
  "ISK",
  "JPY",
  "KMF",
  "KRW",
  "PYG",
  "RWF",
  "UGX",
  "VND",
  "VUV",
  "XAF",
  "XOF",
  "XPF",
]);
const THREE_DECIMAL = new Set([
  "BHD",
  "IQD",
  "JOD",
  "KWD",
  "LYD",
  "OMR",
  "TND",
]);

export function currencyExponent(currency: string): number {
  if (ZERO_DECIMAL.has(currency)) return 0;
  if (THREE_DECIMAL.has(currency)) return 3;
  return 2;
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** "12.30" in USD → 1230. Refuses precision the currency cannot hold rather than rounding it away. */
export function toMinor(amount: string, currency: string): number {
  const match = DECIMAL.exec(amount.trim());
  if (!match)
    throw new Error(`Not a decimal amount: ${JSON.stringify(amount)}`);
  const [, sign, whole = "0", fraction = ""] = match;
  const exponent = currencyExponent(currency);
  const extra = fraction.slice(exponent);
  if (/[1-9]/.test(extra)) {
    throw new Error(
      `${amount} has more decimals than ${currency} allows (${exponent})`,
    );
  }
  const digits = whole + fraction.slice(0, exponent).padEnd(exponent, "0");
  const minor = Number(digits);
  if (!Number.isSafeInteger(minor))
    throw new Error(`Amount out of range: ${amount}`);
  return sign ? -minor : minor;
}

/** Fixed decimals, the way Shopify's REST payloads print money: 1230 USD → "12.30". */
export function formatFixed(minor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const negative = minor < 0;
  const digits = String(Math.abs(minor)).padStart(exponent + 1, "0");
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? "-" : ""}${whole}${exponent > 0 ? `.${fraction}` : ""}`;
}

/**
 * The GraphQL Admin API's `Decimal` prints without trailing zeros but keeps one decimal place:
 * 1000 USD minor → "10.0", 1230 → "12.3", 1234 → "12.34". Apps that expect two decimals break on it,
 * so the simulator answers the same way.
 */
export function formatDecimal(minor: number, currency: string): string {
  const fixed = formatFixed(minor, currency);
  if (!fixed.includes(".")) return `${fixed}.0`;
  const trimmed = fixed.replace(/0+$/, "");
  return trimmed.endsWith(".") ? `${trimmed}0` : trimmed;
}

/**
 * Converts a shop-currency amount into the presentment currency with `rate` presentment units per
 * shop unit, rounding half away from zero once per converted amount.
 */
export function convertMinor(
  minor: number,
  from: string,
  to: string,
  rate: number,
): number {
  const scale = 10 ** (currencyExponent(to) - currencyExponent(from));
  const value = minor * rate * scale;
  return Math.sign(value) * Math.round(Math.abs(value));
}

/**
 * Splits `total` across `weights` in proportion, largest remainder first, so the parts always sum
 * to the total (how a code discount is spread over line items).
 */
export function allocate(total: number, weights: readonly number[]): number[] {
  const weightSum = weights.reduce((sum, weight) => sum + weight, 0);
  if (weights.length === 0) return [];
  if (weightSum <= 0) {
    const parts = weights.map(() => 0);
    parts[0] = total;
    return parts;
  }
  const exact = weights.map((weight) => (total * weight) / weightSum);
  const parts = exact.map((value) => Math.floor(value));
  let remainder = total - parts.reduce((sum, part) => sum + part, 0);
  const order = exact
    .map((value, index) => ({ index, fraction: value - Math.floor(value) }))
    .sort((a, b) => b.fraction - a.fraction || a.index - b.index);
  for (const { index } of order) {
    if (remainder <= 0) break;
    parts[index] = (parts[index] ?? 0) + 1;
    remainder -= 1;
  }
  return parts;
}
