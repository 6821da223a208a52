import { formatMinor } from "./money";

export type Translate = (
  key: string,
  params?: Record<string, string | number>,
) => string;

/** The part of Shopify's `i18n` object the extensions use; the same on every surface. */
export interface I18nLike {
  translate: Translate;
  formatNumber(value: number, options?: Intl.NumberFormatOptions): string;
  formatCurrency(value: number, options: { currency: string }): string;
  formatDate(date: Date, options: Intl.DateTimeFormatOptions): string;
}

export interface Locale {
  t: Translate;
  number(value: number): string;
  points(value: number): string;
  /** A ledger movement, "+42" or "-500". */
  signed(value: number): string;
  money(minor: number, currency: string): string;
  date(iso: string): string;
}

export function createLocale(i18n: I18nLike): Locale {
  const number = (value: number) => i18n.formatNumber(value);
  return {
    // Bound, so that components can be handed `t` alone.
    t: i18n.translate.bind(i18n),
    number,
    signed: (value) => i18n.formatNumber(value, { signDisplay: "exceptZero" }),
    // `count` picks the plural form; `points` is the number written the buyer's way (1,240).
    points: (value) =>
      i18n.translate("points", { count: value, points: number(value) }),
    money: (minor, currency) =>
      formatMinor(minor, currency, (amount, options) =>
        i18n.formatCurrency(amount, options),
      ),
    date: (iso) => i18n.formatDate(new Date(iso), { dateStyle: "medium" }),
  };
}
