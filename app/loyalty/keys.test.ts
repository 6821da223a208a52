import { describe, expect, it } from "vitest";
import {
  adjustmentKey,
  balanceImportKey,
  challengeBonusKey,
  birthdayKey,
  expiryWarningKey,
  flowAwardKey,
  lotExpireKey,
  lotMatureKey,
  orderCancelKey,
  orderEarnKey,
  redemptionKeys,
  referralRewardKey,
  refundKey,
  releaseExpiryKey,
} from "./keys";

describe("idempotency keys", () => {
  it.each([
    [orderEarnKey("5001"), "order:5001:earn"],
    [orderCancelKey("5001"), "order:5001:cancel"],
    [refundKey("77"), "refund:77"],
    [adjustmentKey("req-1"), "adjustment:req-1"],
    [balanceImportKey("m-1", 1), "balance-import:m-1:1"],
    [redemptionKeys("r9").hold, "redemption:r9:hold"],
    [referralRewardKey("5001"), "referral:5001:reward"],
    [
      challengeBonusKey("three-in-june", "m-1", "2025-06-01"),
      "challenge:three-in-june:m-1:2025-06-01",
    ],
    [lotMatureKey("order:5001:earn"), "lot:order:5001:earn:mature"],
    [lotExpireKey("order:5001:earn"), "lot:order:5001:earn:expire"],
    [releaseExpiryKey("redemption:r9:release"), "redemption:r9:release:expire"],
    [birthdayKey("m-1", 2026), "birthday:m-1:2026"],
    [flowAwardKey("run-7"), "flow:run-7:award"],
    [expiryWarningKey("order:5001:earn"), "lot:order:5001:earn:expiry-warning"],
    [
      orderEarnKey("gid://shopify/Order/5001"),
      "order:gid://shopify/Order/5001:earn",
    ],
  ])("%s", (key, expected) => {
    expect(key).toBe(expected);
  });

  it.each(["", " ", "12 34", "a\n"])("refuses the id %j", (id) => {
    expect(() => orderEarnKey(id)).toThrow(RangeError);
  });

  it.each([0, -1, 1.5])("refuses the import sequence %d", (sequence) => {
    expect(() => balanceImportKey("m-1", sequence)).toThrow(RangeError);
  });

  it.each([1899, 2026.5])("refuses the birthday year %d", (year) => {
    expect(() => birthdayKey("m-1", year)).toThrow(RangeError);
  });

  it("keeps the families apart for the same id", () => {
    const id = "1";
    const keys = [
      orderEarnKey(id),
      orderCancelKey(id),
      refundKey(id),
      adjustmentKey(id),
      balanceImportKey(id, 1),
      ...Object.values(redemptionKeys(id)),
      lotMatureKey(orderEarnKey(id)),
      lotExpireKey(orderEarnKey(id)),
      releaseExpiryKey(redemptionKeys(id).release),
      birthdayKey(id, 2026),
      flowAwardKey(id),
      expiryWarningKey(orderEarnKey(id)),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });
});
