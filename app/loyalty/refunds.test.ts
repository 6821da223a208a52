import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { refundedBase, type LineBase } from "./refunds";

const lines: LineBase[] = [
  { lineItemId: "a", quantity: 3, baseMinor: 1000 },
  { lineItemId: "b", quantity: 1, baseMinor: 2599 },
  { lineItemId: "gift", quantity: 1, baseMinor: 0 },
];

describe("refundedBase", () => {
  it.each([
    ["one unit of three", [{ lineItemId: "a", quantity: 1 }], 333],
    ["two units of three", [{ lineItemId: "a", quantity: 2 }], 666],
    ["all units", [{ lineItemId: "a", quantity: 3 }], 1000],
    ["more units than were bought", [{ lineItemId: "a", quantity: 9 }], 1000],
    ["a whole single line", [{ lineItemId: "b", quantity: 1 }], 2599],
    ["a gift card line", [{ lineItemId: "gift", quantity: 1 }], 0],
    ["a line the order never had", [{ lineItemId: "zzz", quantity: 1 }], 0],
    ["nothing (shipping or restock only)", [], 0],
  ])("%s", (_, refund, expected) => {
    expect(refundedBase(lines, [], refund)).toBe(expected);
  });

  it("counts what earlier refunds already took", () => {
    const first = [{ lineItemId: "a", quantity: 1 }];
    expect(
      refundedBase(lines, [first], [{ lineItemId: "a", quantity: 1 }]),
    ).toBe(333);
    expect(
      refundedBase(lines, [first, first], [{ lineItemId: "a", quantity: 1 }]),
    ).toBe(334);
    expect(
      refundedBase(
        lines,
        [first, first, first],
        [{ lineItemId: "a", quantity: 1 }],
      ),
    ).toBe(0);
  });

  it("sums to exactly the line bases however the units are split across refunds", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            quantity: fc.integer({ min: 1, max: 7 }),
            baseMinor: fc.integer({ min: 0, max: 100_000 }),
          }),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        fc.array(fc.nat(), { maxLength: 30 }),
        (shape, picks) => {
          const bases = shape.map((line, index) => ({
            lineItemId: `l${index}`,
            ...line,
          }));
          // Refund every unit, one unit per refund, in an order the picks decide.
          const units = bases.flatMap((line) =>
            Array.from({ length: line.quantity }, () => line.lineItemId),
          );
          const order = [...units];
          for (const [index, pick] of picks.entries()) {
            const a = index % order.length;
            const b = pick % order.length;
            [order[a], order[b]] = [order[b] ?? "", order[a] ?? ""];
          }
          const refunds = order.map((lineItemId) => [
            { lineItemId, quantity: 1 },
          ]);
          let total = 0;
          refunds.forEach((refund, index) => {
            const share = refundedBase(bases, refunds.slice(0, index), refund);
            expect(share).toBeGreaterThanOrEqual(0);
            total += share;
          });
          expect(total).toBe(
            bases.reduce((sum, line) => sum + line.baseMinor, 0),
          );
        },
      ),
    );
  });
});
