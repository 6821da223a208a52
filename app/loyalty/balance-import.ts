import { z } from "zod";
import { parseCsv } from "./csv";
import { calendarDateSchema } from "./engagement";
import { levelHandle, type TierLevelInput } from "./tiers";

/*
 * Balances brought over from another loyalty app as CSV: `email`, `points`, and optionally `tier`
 * and `birthday` (YYYY-MM-DD). Other columns (names, ids the old app used) are ignored. Row
 * numbers are the ones a spreadsheet shows: the header is row 1.
 */

/**
 * Larger files are refused before they are read (about 80,000 rows of e-mail, points, tier and
 * birthday); under the app server's 5 MB cap on any request, so the merchant gets this message.
 */
export const MAX_IMPORT_BYTES = 4 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 100_000;
/** A sanity bound: no program hands out anywhere near this to one shopper. */
export const MAX_IMPORTED_POINTS = 100_000_000;

export type ImportRow = {
  row: number;
  /** Lowercased: Shopify treats customer e-mails case-insensitively. */
  email: string;
  points: number;
  /** The handle of one of the shop's tiers, or null when the row names none. */
  tier: string | null;
  birthday: string | null;
};

export type ImportRowError = { row: number; field: string; message: string };

export type ImportReading =
  | { ok: true; rows: ImportRow[]; errors: ImportRowError[] }
  | { ok: false; message: string };

const COLUMNS = ["email", "points", "tier", "birthday"] as const;
type Column = (typeof COLUMNS)[number];

function rowSchema(levels: readonly TierLevelInput[]) {
  const handles = new Map<string, string>();
  for (const level of levels) {
    handles.set(level.name.trim().toLowerCase(), levelHandle(level));
    handles.set(levelHandle(level), levelHandle(level));
  }
  const blankToNull = (value: string | undefined) =>
    value === undefined || value.trim() === "" ? null : value.trim();
  return z.object({
    email: z
      .string()
      .trim()
      .min(1, { error: "required", abort: true })
      .pipe(z.email("not an e-mail address"))
      .transform((email) => email.toLowerCase()),
    points: z
      .string()
      .trim()
      .min(1, { error: "required", abort: true })
      .regex(/^\d+$/, "a whole number of points, 0 or more")
      .transform(Number)
      .pipe(
        z
          .number()
          .max(
            MAX_IMPORTED_POINTS,
            `at most ${MAX_IMPORTED_POINTS.toLocaleString("en")}`,
          ),
      ),
    tier: z
      .string()
      .optional()
      .transform(blankToNull)
      .transform((name, context) => {
        if (name === null) return null;
        const handle = handles.get(name.toLowerCase());
        if (handle === undefined) {
          context.addIssue({
            code: "custom",
            message: `not one of this program's tiers (${levels.map((level) => level.name).join(", ")})`,
          });
          return z.NEVER;
        }
        return handle;
      }),
    birthday: z
      .string()
      .optional()
      .transform(blankToNull)
      .pipe(calendarDateSchema.nullable()),
  });
}

/**
 * Reads an import file: the rows fit to import, and every other row with its number, the
 * column at fault and why. A problem with the file as a whole (not CSV, no `email` or `points`
 * column, too many rows) is one message instead.
 */
export function readBalanceImport(
  text: string,
  levels: readonly TierLevelInput[],
): ImportReading {
  const parsed = parseCsv(text);
  if (!parsed.ok)
    return {
      ok: false,
      message: `Line ${parsed.line} is not valid CSV: ${parsed.message}.`,
    };
  const [header, ...records] = parsed.rows;
  if (!header) return { ok: false, message: "The file is empty." };
  const positions = new Map<Column, number>();
  header.forEach((name, index) => {
    const column = COLUMNS.find(
      (candidate) => candidate === name.trim().toLowerCase(),
    );
    if (column && !positions.has(column)) positions.set(column, index);
  });
  const missing = (["email", "points"] as const).filter(
    (column) => !positions.has(column),
  );
  if (missing.length > 0)
    return {
      ok: false,
      message: `The first row must name the columns; missing: ${missing.join(", ")}.`,
    };
  if (records.length > MAX_IMPORT_ROWS)
    return {
      ok: false,
      message: `The file has ${records.length.toLocaleString("en")} rows; at most ${MAX_IMPORT_ROWS.toLocaleString("en")} can be imported at once. Split it into several files.`,
    };

  const schema = rowSchema(levels);
  const rows: ImportRow[] = [];
  const errors: ImportRowError[] = [];
  const firstRowOf = new Map<string, number>();
  records.forEach((record, index) => {
    const row = index + 2;
    const cell = (column: Column) => {
      const position = positions.get(column);
      return position === undefined ? undefined : (record[position] ?? "");
    };
    const result = schema.safeParse({
      email: cell("email"),
      points: cell("points"),
      tier: cell("tier"),
      birthday: cell("birthday"),
    });
    if (!result.success) {
      for (const issue of result.error.issues)
        errors.push({
          row,
          field: String(issue.path[0] ?? "row"),
          message: issue.message,
        });
      return;
    }
    const earlier = firstRowOf.get(result.data.email);
    if (earlier !== undefined) {
      errors.push({
        row,
        field: "email",
        message: `the same e-mail is on row ${earlier}`,
      });
      return;
    }
    firstRowOf.set(result.data.email, row);
    rows.push({ row, ...result.data });
  });
  return { ok: true, rows, errors };
}
