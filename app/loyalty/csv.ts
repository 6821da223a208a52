/**
 * CSV as spreadsheets read and write it (RFC 4180): comma separated, fields quoted with `"` when
 * they hold a comma, a quote or a line break, quotes doubled inside, CRLF or LF line ends.
 */

export type CsvParse =
  { ok: true; rows: string[][] } | { ok: false; line: number; message: string };

/**
 * The records of `text`, each with its fields as written. A leading byte order mark (Excel's
 * "CSV UTF-8") is dropped and blank lines are skipped. A quote left open fails with its line.
 */
export function parseCsv(text: string): CsvParse {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let quoteOpenedOn = 0;
  let line = 1;
  const input = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const endRow = () => {
    row.push(field);
    if (row.length > 1 || row[0] !== "") rows.push(row);
    row = [];
    field = "";
  };
  for (let index = 0; index < input.length; index += 1) {
    const char = input[index];
    if (quoted) {
      if (char === '"' && input[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        if (char === "\n") line += 1;
        field += char;
      }
      continue;
    }
    if (char === '"' && field === "") {
      quoted = true;
      quoteOpenedOn = line;
    } else if (char === ",") {
      row.push(field);
      field = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && input[index + 1] === "\n") index += 1;
      endRow();
      line += 1;
    } else {
      field += char;
    }
  }
  if (quoted) {
    return {
      ok: false,
      line: quoteOpenedOn,
      message: "a quoted field is never closed",
    };
  }
  if (field !== "" || row.length > 0) endRow();
  return { ok: true, rows };
}

// Spreadsheet apps run a cell starting with one of these as a formula (CSV injection, OWASP).
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One field for a CSV line. Numbers are written as they are, so a negative balance stays a
 * number. Text that a spreadsheet would run as a formula gets a leading apostrophe, which Excel,
 * Numbers and Sheets show as plain text; text with a separator, quote or line break is quoted.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A record with its line end (CRLF, as RFC 4180 and Excel expect). */
export function csvLine(values: readonly (string | number | null)[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}
