import type { I18nLike } from "../locale";

type Messages = { [key: string]: string | Messages };

/**
 * Shopify's `i18n` as the buyer would see it, driven by an extension's real locale file, so
 * tests read the sentences a shopper reads. Pluralises on `count` like Shopify does.
 */
export function fakeI18n(messages: Messages, locale = "en-US"): I18nLike {
  const plural = new Intl.PluralRules(locale);
  return {
    translate(key, params = {}) {
      let entry: string | Messages | undefined = lookup(messages, key);
      if (typeof entry === "object" && typeof params.count === "number") {
        entry = entry[plural.select(params.count)] ?? entry.other;
      }
      if (typeof entry !== "string")
        throw new Error(`Missing translation: ${key}`);
      return entry.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
        if (!(name in params))
          throw new Error(`Missing value for {{${name}}} in ${key}`);
        return String(params[name]);
      });
    },
    formatNumber: (value, options) =>
      new Intl.NumberFormat(locale, options).format(value),
    formatCurrency: (value, options) =>
      new Intl.NumberFormat(locale, { style: "currency", ...options }).format(
        value,
      ),
    formatDate: (date, options) =>
      new Intl.DateTimeFormat(locale, { timeZone: "UTC", ...options }).format(
        date,
      ),
  };
}

export function lookup(
  messages: Messages,
  key: string,
): string | Messages | undefined {
  let entry: string | Messages | undefined = messages;
  for (const part of key.split(".")) {
    entry = typeof entry === "object" ? entry[part] : undefined;
  }
  return entry;
}

export type { Messages };
