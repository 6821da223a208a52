// Loose checks of metafield types and values, after
// https://shopify.dev/docs/apps/build/custom-data/metafields/list-of-data-types. Loose on purpose:
// they catch the mistakes an app makes (a float where an integer goes, a legacy type name, JSON that
// does not parse), not every rule Shopify enforces.

const SCALAR_TYPES = new Set([
  "single_line_text_field",
  "multi_line_text_field",
  "rich_text_field",
  "number_integer",
  "number_decimal",
  "boolean",
  "json",
  "date",
  "date_time",
  "url",
  "color",
  "money",
  "rating",
  "weight",
  "volume",
  "dimension",
  "link",
  "id",
  "language",
]);

const REFERENCE_TYPES = new Set([
  "product_reference",
  "variant_reference",
  "collection_reference",
  "page_reference",
  "file_reference",
  "customer_reference",
  "company_reference",
  "metaobject_reference",
  "mixed_reference",
  "product_taxonomy_value_reference",
  "order_reference",
]);

// Types that have no list.* form.
const NOT_LISTABLE = new Set([
  "boolean",
  "json",
  "money",
  "rich_text_field",
  "multi_line_text_field",
]);

// Pre-2022 names Shopify no longer accepts; an app still sending them fails in production.
const LEGACY_TYPES: Record<string, string> = {
  integer: "number_integer",
  string: "single_line_text_field",
  json_string: "json",
};

const MAX_INTEGER = 9_007_199_254_740_991;

export function checkMetafieldType(type: string): string | null {
  const legacy = LEGACY_TYPES[type];
  if (legacy)
    return `Type '${type}' is a legacy type that is no longer supported; use '${legacy}'.`;
  const base = type.startsWith("list.") ? type.slice("list.".length) : type;
  const known = SCALAR_TYPES.has(base) || REFERENCE_TYPES.has(base);
  if (!known) return `Type '${type}' is not a valid metafield type.`;
  if (type.startsWith("list.") && NOT_LISTABLE.has(base))
    return `Type '${type}' is not a valid metafield type.`;
  return null;
}

function parseJson(
  value: string,
): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(value) };
  } catch {
    return { ok: false };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkScalar(type: string, value: string): string | null {
  if (REFERENCE_TYPES.has(type)) {
    return /^gid:\/\/shopify\/[A-Za-z]+\/\d+$/.test(value)
      ? null
      : "Value must be a global ID.";
  }
  switch (type) {
    case "single_line_text_field":
      return value.includes("\n")
        ? "Value must be a single line of text."
        : null;
    case "multi_line_text_field":
    case "id":
    case "language":
      return null;
    case "number_integer": {
      if (!/^[-+]?\d+$/.test(value)) return "Value must be an integer.";
      return Math.abs(Number(value)) > MAX_INTEGER
        ? "Value is out of range for an integer."
        : null;
    }
    case "number_decimal":
      return /^[-+]?\d+(\.\d+)?$/.test(value)
        ? null
        : "Value must be a decimal number.";
    case "boolean":
      return value === "true" || value === "false"
        ? null
        : "Value must be true or false.";
    case "date":
      return /^\d{4}-\d{2}-\d{2}$/.test(value) &&
        !Number.isNaN(Date.parse(`${value}T00:00:00Z`))
        ? null
        : "Value must be a date (YYYY-MM-DD).";
    case "date_time":
      return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(
        value,
      ) && !Number.isNaN(Date.parse(value))
        ? null
        : "Value must be a date and time (ISO 8601).";
    case "url": {
      try {
        const url = new URL(value);
        return ["http:", "https:", "mailto:", "sms:", "tel:"].includes(
          url.protocol,
        )
          ? null
          : "Value must be an http, https, mailto, sms or tel URL.";
      } catch {
        return "Value must be a URL.";
      }
    }
    case "color":
      return /^#[0-9a-fA-F]{6}$/.test(value)
        ? null
        : "Value must be a hex color (#RRGGBB).";
    case "money": {
      const parsed = parseJson(value);
      if (!parsed.ok || !isRecord(parsed.value))
        return "Value must be JSON with amount and currency_code.";
      const { amount, currency_code: currency } = parsed.value;
      return typeof amount === "string" &&
        /^-?\d+(\.\d+)?$/.test(amount) &&
        typeof currency === "string"
        ? null
        : "Value must be JSON with amount and currency_code.";
    }
    case "json":
    case "rich_text_field":
    case "rating":
    case "weight":
    case "volume":
    case "dimension":
    case "link":
      return parseJson(value).ok ? null : "Value is invalid JSON.";
    default:
      return null;
  }
}

/** null when `value` fits `type`, else the reason it does not. */
export function checkMetafieldValue(
  type: string,
  value: string,
): string | null {
  if (!type.startsWith("list.")) return checkScalar(type, value);
  const base = type.slice("list.".length);
  const parsed = parseJson(value);
  if (!parsed.ok || !Array.isArray(parsed.value))
    return "Value must be a JSON array.";
  for (const item of parsed.value) {
    const text =
      typeof item === "string"
        ? item
        : isRecord(item)
          ? JSON.stringify(item)
          : String(item);
    const problem = checkScalar(base, text);
    if (problem) return `List item ${JSON.stringify(item)}: ${problem}`;
  }
  return null;
}

/** `Metafield.jsonValue`: the value as JSON, typed by its metafield type. */
export function metafieldJsonValue(type: string, value: string): unknown {
  if (type === "number_integer" || type === "number_decimal")
    return Number(value);
  if (type === "boolean") return value === "true";
  const jsonTypes = [
    "json",
    "money",
    "rating",
    "weight",
    "volume",
    "dimension",
    "link",
    "rich_text_field",
  ];
  if (type.startsWith("list.") || jsonTypes.includes(type)) {
    const parsed = parseJson(value);
    return parsed.ok ? parsed.value : value;
  }
  return value;
}
