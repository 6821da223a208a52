// Plain-text tables for the bench output: readable in a terminal and in a CI log, and easy to
// paste into an issue.

export type Cell = string | number;

export interface Column {
  title: string;
  align?: "left" | "right";
}

export function formatNumber(value: number, digits = 0): string {
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function formatMs(value: number): string {
  return value >= 100 ? formatNumber(value, 0) : formatNumber(value, 1);
}

export function formatTable(columns: Column[], rows: Cell[][]): string {
  const text = rows.map((row) =>
    columns.map((_, index) => String(row[index] ?? "")),
  );
  const widths = columns.map((column, index) =>
    Math.max(
      column.title.length,
      ...text.map((row) => (row[index] ?? "").length),
    ),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, index) => {
        const width = widths[index] ?? 0;
        return columns[index]?.align === "right"
          ? cell.padStart(width)
          : cell.padEnd(width);
      })
      .join("  ")
      .trimEnd();
  return [
    line(columns.map((column) => column.title)),
    line(widths.map((width) => "-".repeat(width))),
    ...text.map(line),
  ].join("\n");
}
