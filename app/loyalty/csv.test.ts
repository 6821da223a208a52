import { describe, expect, it } from "vitest";
import { csvField, csvLine, parseCsv } from "./csv";

describe("reading CSV", () => {
  it.each([
    [
      "plain",
      "a,b\r\n1,2\r\n",
      [
        ["a", "b"],
        ["1", "2"],
      ],
    ],
    [
      "LF line ends and no final newline",
      "a,b\n1,2",
      [
        ["a", "b"],
        ["1", "2"],
      ],
    ],
    ["a byte order mark", "\uFEFFemail\nx@y.z\n", [["email"], ["x@y.z"]]],
    ["blank lines", "a\n\n1\n\n", [["a"], ["1"]]],
    [
      "empty fields",
      "a,,c\n,,\n",
      [
        ["a", "", "c"],
        ["", "", ""],
      ],
    ],
    [
      "quotes, commas and line breaks inside quotes",
      'name,note\n"Ng, Ana","said ""hi""\nthen left"\n',
      [
        ["name", "note"],
        ["Ng, Ana", 'said "hi"\nthen left'],
      ],
    ],
  ])("%s", (_label, text, rows) => {
    expect(parseCsv(text)).toEqual({ ok: true, rows });
  });

  it("reports a quote that is never closed, with the line it opened on", () => {
    expect(parseCsv('a\n1\n"open\nstill open')).toEqual({
      ok: false,
      line: 3,
      message: "a quoted field is never closed",
    });
  });
});

describe("writing CSV", () => {
  it.each([
    ["plain", "ana@example.org", "ana@example.org"],
    ["a comma", "Ng, Ana", '"Ng, Ana"'],
    ["quotes", 'the "best"', '"the ""best"""'],
    ["a line break", "two\nlines", '"two\nlines"'],
    ["a formula", '=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"'],
    ["a plus sign", "+31 6 1234", "'+31 6 1234"],
    ["a minus sign in text", "-Ana", "'-Ana"],
    ["an at sign", "@SUM(A1)", "'@SUM(A1)"],
    ["a tab", "\tx", "'\tx"],
  ])("text with %s", (_label, value, written) => {
    expect(csvField(value)).toBe(written);
  });

  it("writes numbers as numbers, negative ones included, and null as empty", () => {
    expect(csvLine([-40, 0, 12, null, "x"])).toBe("-40,0,12,,x\r\n");
  });

  it("reads back what it writes, except the formula guard", () => {
    const values = ["Ng, Ana", 'say "hi"', "line\nbreak", "plain"];
    expect(parseCsv(csvLine(values) + csvLine(values))).toEqual({
      ok: true,
      rows: [values, values],
    });
  });
});
