// Amounts cross the API as integers in minor units; Shopify's cost signals carry decimals.
// The exponent comes from the currency (JPY has none, KWD has three), never from a guess of 2.

export function currencyExponent(currency: string): number {
  return (
    new Intl.NumberFormat("en", {
      style: "currency",
      currency,
    }).resolvedOptions().maximumFractionDigits ?? 2
  );
}

/**
 * Shopify hands the subtotal over as a JavaScript number (29.99). Scaling and rounding to the
 * nearest integer recovers the exact minor amount for any price below 2^53 minor units, which
 * is what the backend needs for its earn estimate and slider cap.
 */
export function toMinor(amount: number, currency: string): number {
  return Math.round(amount * 10 ** currencyExponent(currency));
}

export function formatMinor(
  minor: number,
  currency: string,
  formatCurrency: (amount: number, options: { currency: string }) => string,
): string {
  return formatCurrency(minor / 10 ** currencyExponent(currency), { currency });
}
