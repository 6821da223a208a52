import { describe, expect, it } from "vitest";
import { chooseStoreCredit, storeCreditSettingsSchema } from "./store-credit";

const settings = storeCreditSettingsSchema.parse({
  enabled: true,
  stepPoints: 100,
  minPoints: 200,
  maxPoints: 1_000,
});
const rate = { pointsPerUnit: 100 };

describe("chooseStoreCredit", () => {
  it("prices whole steps at the redemption rate", () => {
    expect(chooseStoreCredit(settings, 300, rate, "USD")).toEqual({
      ok: true,
      points: 300,
      amountMinor: 300,
    });
    expect(chooseStoreCredit(settings, 300, rate, "JPY")).toEqual({
      ok: true,
      points: 300,
      amountMinor: 3,
    });
  });

  it.each([
    [100, "OUT_OF_RANGE"],
    [1_100, "OUT_OF_RANGE"],
    [250, "NOT_A_STEP"],
  ])("refuses %d points: %s", (points, reason) => {
    expect(chooseStoreCredit(settings, points, rate, "USD")).toEqual({
      ok: false,
      reason,
    });
  });

  it("refuses points worth nothing at the rate", () => {
    expect(
      chooseStoreCredit(settings, 200, { pointsPerUnit: 100_000 }, "USD"),
    ).toEqual({
      ok: false,
      reason: "WORTH_NOTHING",
    });
  });

  it("refuses settings whose minimum is not whole steps", () => {
    expect(
      storeCreditSettingsSchema.safeParse({ stepPoints: 150, minPoints: 200 })
        .success,
    ).toBe(false);
  });
});
