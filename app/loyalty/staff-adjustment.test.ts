import { describe, expect, it } from "vitest";
import { applyWrite, earn, emptyMemberState } from "./ledger";
import { staffAdjust, staffAdjustmentSchema } from "./staff-adjustment";

const at = new Date("2025-03-01T00:00:00Z");
const withPoints = (points: number) => {
  const empty = emptyMemberState();
  return applyWrite(
    empty,
    earn(empty, {
      key: "order:1:earn",
      points,
      occurredAt: at,
      availableAt: at,
      expiresAt: null,
      now: at,
    }),
  );
};
const input = {
  key: "adjustment:req-1",
  reason: "Goodwill after a late parcel",
  actor: "staff:42",
  occurredAt: at,
};

describe("a staff adjustment", () => {
  it("records who made it and why on the entry", () => {
    const result = staffAdjust(withPoints(100), {
      ...input,
      points: 25,
      policy: "STOP_AT_ZERO",
    });
    expect(result.ok && result.write.entries[0]).toMatchObject({
      kind: "ADJUSTMENT",
      points: 25,
      detail: { reason: input.reason, actor: "staff:42" },
    });
  });

  it.each([
    ["STOP_AT_ZERO", -100, true],
    ["STOP_AT_ZERO", -101, false],
    ["ALLOW_NEGATIVE", -101, true],
    ["ALLOW_NEGATIVE", -5000, true],
  ] as const)(
    "under %s removing %i of 100 points is allowed: %s",
    (policy, points, allowed) => {
      const state = withPoints(100);
      const result = staffAdjust(state, { ...input, points, policy });
      if (!allowed) {
        expect(result).toEqual({
          ok: false,
          reason: "BELOW_ZERO_NOT_ALLOWED",
          available: 100,
        });
        return;
      }
      if (!result.ok) throw new Error("refused");
      expect(applyWrite(state, result.write).balances.available).toBe(
        100 + points,
      );
      // All or nothing: never partly collected.
      expect(result.write.entries[0]?.detail.uncollected).toBeUndefined();
    },
  );
});

describe("the adjustment form", () => {
  const form = { points: "50", reason: "Goodwill", requestId: "a1b2c3d4-e5" };

  it("takes signed whole numbers", () => {
    expect(staffAdjustmentSchema.parse({ ...form, points: " -20 " })).toEqual({
      ...form,
      points: -20,
    });
    expect(staffAdjustmentSchema.parse({ ...form, points: "+7" }).points).toBe(
      7,
    );
  });

  it.each([
    ["points", { points: "0" }, "must add or remove points"],
    ["points", { points: "1.5" }, "a whole number of points, e.g. 50 or -20"],
    ["points", { points: "" }, "a whole number of points, e.g. 50 or -20"],
    ["points", { points: "20000000" }, "at most 10,000,000 at once"],
    [
      "reason",
      { reason: "  " },
      "say why, so the shopper's history explains it",
    ],
    ["requestId", { requestId: "x y" }, "the form expired; reload the page"],
  ])("refuses a bad %s", (field, change, message) => {
    const result = staffAdjustmentSchema.safeParse({ ...form, ...change });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ path: [field], message }),
    ]);
  });
});
