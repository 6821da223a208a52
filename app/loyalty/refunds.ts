import { mulDivRounded } from "./rounding";

/** What a line of an earning order contributed to its base (see `lineEarningBase`). */
export type LineBase = {
  lineItemId: string;
  quantity: number;
  baseMinor: number;
};

export type RefundedLine = { lineItemId: string; quantity: number };

/**
 * The earning base a refund takes back: for each refunded line, its share of the line's base by
 * quantity. Shares are cumulative per line (what the first n refunded units are worth, less what
 * the units refunded before were worth), so refunding every unit over any number of refunds
 * returns exactly the line's base, never a unit more. Lines the order never earned on (gift
 * cards, unknown ids) take back nothing.
 */
export function refundedBase(
  lineBases: readonly LineBase[],
  earlierRefunds: readonly (readonly RefundedLine[])[],
  refund: readonly RefundedLine[],
): number {
  const before = refundedUnits(earlierRefunds.flat());
  const now = refundedUnits(refund);
  let total = 0;
  for (const line of lineBases) {
    const unitsNow = now.get(line.lineItemId) ?? 0;
    if (unitsNow === 0 || line.quantity === 0) continue;
    const unitsBefore = Math.min(
      line.quantity,
      before.get(line.lineItemId) ?? 0,
    );
    const unitsAfter = Math.min(line.quantity, unitsBefore + unitsNow);
    total +=
      mulDivRounded(line.baseMinor, unitsAfter, line.quantity, "DOWN") -
      mulDivRounded(line.baseMinor, unitsBefore, line.quantity, "DOWN");
  }
  return total;
}

function refundedUnits(lines: readonly RefundedLine[]): Map<string, number> {
  const units = new Map<string, number>();
  for (const line of lines) {
    if (!Number.isSafeInteger(line.quantity) || line.quantity < 0) {
      throw new RangeError(
        `refunded quantity must be a non-negative integer: ${line.quantity}`,
      );
    }
    units.set(
      line.lineItemId,
      (units.get(line.lineItemId) ?? 0) + line.quantity,
    );
  }
  return units;
}
