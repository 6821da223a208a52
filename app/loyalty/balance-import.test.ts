import { describe, expect, it } from "vitest";
import { MAX_IMPORT_ROWS, readBalanceImport } from "./balance-import";

const levels = [
  { name: "Bronze", threshold: 0 },
  { name: "Silver", threshold: 500 },
  { name: "Gold VIP", threshold: 1500 },
];

describe("reading a balance import", () => {
  it("reads the rows, whatever the column order and case, ignoring other columns", () => {
    const file = [
      "Name,Points,EMAIL,Tier,Birthday",
      "Ana,120, Ana@Example.org ,gold vip,1990-02-28",
      "Bo,0,bo@example.org,,",
      '"Ng, Cy",75,cy@example.org,silver,',
    ].join("\n");
    expect(readBalanceImport(file, levels)).toEqual({
      ok: true,
      rows: [
        {
          row: 2,
          email: "ana@example.org",
          points: 120,
          tier: "gold-vip",
          birthday: "1990-02-28",
        },
        {
          row: 3,
          email: "bo@example.org",
          points: 0,
          tier: null,
          birthday: null,
        },
        {
          row: 4,
          email: "cy@example.org",
          points: 75,
          tier: "silver",
          birthday: null,
        },
      ],
      errors: [],
    });
  });

  it("lists every bad row with its number, column and reason, and keeps the good ones", () => {
    const file = [
      "email,points,tier,birthday",
      "ana@example.org,10,,",
      "not-an-email,10,,",
      "bo@example.org,-5,,",
      "cy@example.org,1.5,,",
      "dee@example.org,10,Platinum,",
      "eve@example.org,10,,1990-02-30",
      "fay@example.org,10,,02/03/1990",
      "ANA@example.org,20,,",
      ",,,",
    ].join("\n");
    const reading = readBalanceImport(file, levels);
    if (!reading.ok) throw new Error(reading.message);
    expect(reading.rows.map((row) => row.row)).toEqual([2]);
    expect(reading.errors).toEqual([
      { row: 3, field: "email", message: "not an e-mail address" },
      {
        row: 4,
        field: "points",
        message: "a whole number of points, 0 or more",
      },
      {
        row: 5,
        field: "points",
        message: "a whole number of points, 0 or more",
      },
      {
        row: 6,
        field: "tier",
        message: "not one of this program's tiers (Bronze, Silver, Gold VIP)",
      },
      { row: 7, field: "birthday", message: "not a calendar date" },
      { row: 8, field: "birthday", message: "use YYYY-MM-DD" },
      { row: 9, field: "email", message: "the same e-mail is on row 2" },
      { row: 10, field: "email", message: "required" },
      { row: 10, field: "points", message: "required" },
    ]);
  });

  it.each([
    ["", "The file is empty."],
    [
      "email,balance\nana@example.org,5",
      "The first row must name the columns; missing: points.",
    ],
    [
      'email,points\n"ana@example.org,5',
      "Line 2 is not valid CSV: a quoted field is never closed.",
    ],
    [
      `email,points\n${"a@b.co,1\n".repeat(MAX_IMPORT_ROWS + 1)}`,
      "The file has 100,001 rows; at most 100,000 can be imported at once. Split it into several files.",
    ],
  ])("refuses a file that cannot be imported: %j", (file, message) => {
    expect(readBalanceImport(file, levels)).toEqual({ ok: false, message });
  });
});
