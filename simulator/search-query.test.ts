import { describe, expect, it } from "vitest";
import { matchesDate, parseSearchQuery } from "./search-query";

describe("search syntax", () => {
  it("reads fields, comparators, quotes and negation", () => {
    expect(
      parseSearchQuery(
        `created_at:>=2025-01-01 AND tag:'loyalty-tier:gold' -tag:vip NOT email:a@b.c ann`,
      ),
    ).toEqual({
      terms: [
        {
          field: "created_at",
          comparator: ">=",
          value: "2025-01-01",
          negated: false,
        },
        {
          field: "tag",
          comparator: "=",
          value: "loyalty-tier:gold",
          negated: false,
        },
        { field: "tag", comparator: "=", value: "vip", negated: true },
        { field: "email", comparator: "=", value: "a@b.c", negated: true },
        { field: null, comparator: "=", value: "ann", negated: false },
      ],
      unsupported: [],
    });
  });

  it("reports OR and parentheses instead of guessing", () => {
    expect(parseSearchQuery("tag:a OR tag:b").unsupported).toEqual(["OR"]);
  });

  it.each([
    ["2025-05-02T10:00:00Z", "created_at:>=2025-05-02", true],
    ["2025-05-01T23:59:59Z", "created_at:>=2025-05-02", false],
    ["2025-05-02T23:59:59Z", "created_at:<=2025-05-02", true],
    ["2025-05-03T00:00:00Z", "created_at:<=2025-05-02", false],
    ["2025-05-02T12:00:00Z", "created_at:2025-05-02", true],
    ["2025-05-02T12:00:00Z", "created_at:>'2025-05-02T12:00:00Z'", false],
    ["2025-05-02T12:00:01Z", "created_at:>'2025-05-02T12:00:00Z'", true],
    ["2025-05-02T12:00:00+02:00", "created_at:<2025-05-02T11:00:00Z", true],
  ])("%s matches %s: %s", (timestamp, query, expected) => {
    const [term] = parseSearchQuery(query).terms;
    if (!term) throw new Error("no term");
    expect(matchesDate(timestamp, term)).toBe(expected);
  });
});
