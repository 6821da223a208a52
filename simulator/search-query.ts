// A small reading of Shopify's search syntax (https://shopify.dev/docs/api/usage/search-syntax):
// space-separated terms joined by AND, `field:value`, comparators `:>`, `:>=`, `:<`, `:<=`, quoted
// values, and negation with `-` or NOT. OR and parentheses are not supported; an OR is reported so
// the caller can refuse the query instead of silently answering something else.

export type Comparator = "=" | ">" | ">=" | "<" | "<=";

export interface SearchTerm {
  /** null for a bare word (free text). */
  field: string | null;
  comparator: Comparator;
  value: string;
  negated: boolean;
}

export interface ParsedSearch {
  terms: SearchTerm[];
  unsupported: string[];
}

function tokenize(query: string): string[] {
  const tokens: string[] = [];
  let current = "";
  let quote: string | null = null;
  for (const char of query) {
    if (quote) {
      if (char === quote) quote = null;
      else current += char;
      continue;
    }
    if (char === "'" || char === '"') {
      quote = char;
      continue;
    }
    if (/\s/.test(char)) {
      if (current) tokens.push(current);
      current = "";
      continue;
    }
    current += char;
  }
  if (current) tokens.push(current);
  return tokens;
}

export function parseSearchQuery(
  query: string | null | undefined,
): ParsedSearch {
  const terms: SearchTerm[] = [];
  const unsupported: string[] = [];
  if (!query) return { terms, unsupported };
  let negateNext = false;
  for (const raw of tokenize(query)) {
    if (raw === "AND") continue;
    if (raw === "NOT") {
      negateNext = true;
      continue;
    }
    if (raw === "OR" || raw.startsWith("(") || raw.endsWith(")")) {
      unsupported.push(raw);
      continue;
    }
    let token = raw;
    let negated = negateNext;
    negateNext = false;
    if (token.startsWith("-") && token.length > 1) {
      negated = true;
      token = token.slice(1);
    }
    const colon = token.indexOf(":");
    if (colon <= 0) {
      terms.push({ field: null, comparator: "=", value: token, negated });
      continue;
    }
    const field = token.slice(0, colon).toLowerCase();
    let rest = token.slice(colon + 1);
    let comparator: Comparator = "=";
    for (const candidate of [">=", "<=", ">", "<"] as const) {
      if (rest.startsWith(candidate)) {
        comparator = candidate;
        rest = rest.slice(candidate.length);
        break;
      }
    }
    terms.push({ field, comparator, value: rest, negated });
  }
  return { terms, unsupported };
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/**
 * Compares an ISO timestamp with a search value. Date-only values are whole UTC days (Shopify reads
 * them in the shop's time zone; shops registered here default to UTC, so the two agree).
 */
export function matchesDate(
  timestamp: string | null,
  term: SearchTerm,
): boolean {
  if (timestamp === null) return false;
  const at = Date.parse(timestamp);
  const dateOnly = DATE_ONLY.test(term.value);
  const start = Date.parse(dateOnly ? `${term.value}T00:00:00Z` : term.value);
  if (Number.isNaN(at) || Number.isNaN(start)) return false;
  const end = dateOnly ? start + DAY_MS : start;
  switch (term.comparator) {
    case "=":
      return dateOnly ? at >= start && at < end : at === start;
    case ">":
      return at >= end && (dateOnly || at > start);
    case ">=":
      return at >= start;
    case "<":
      return at < start;
    case "<=":
      return dateOnly ? at < end : at <= start;
  }
}

export function matchesText(
  actual: string | null | undefined,
  term: SearchTerm,
): boolean {
  if (actual === null || actual === undefined) return false;
  const wanted = term.value.toLowerCase();
  // A trailing * is a prefix search, as Shopify allows.
  if (wanted.endsWith("*"))
    return actual.toLowerCase().startsWith(wanted.slice(0, -1));
  return actual.toLowerCase() === wanted;
}

/** Applies `negated` to a term's own match. */
export function applyNegation(term: SearchTerm, matched: boolean): boolean {
  return term.negated ? !matched : matched;
}
