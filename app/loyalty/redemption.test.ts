import { describe, expect, it } from "vitest";
import {
  redemptionKeys,
  transition,
  type RedemptionEvent,
  type RedemptionStatus,
  type RedemptionTransition,
} from "./redemption";

describe("transition", () => {
  it.each<[RedemptionStatus, RedemptionEvent, RedemptionTransition]>([
    ["HELD", "POST", { ok: true, next: "POSTED", changed: true }],
    ["HELD", "RELEASE", { ok: true, next: "RELEASED", changed: true }],
    ["POSTED", "POST", { ok: true, next: "POSTED", changed: false }],
    ["RELEASED", "RELEASE", { ok: true, next: "RELEASED", changed: false }],
    ["POSTED", "RELEASE", { ok: false, reason: "ALREADY_POSTED" }],
    ["RELEASED", "POST", { ok: false, reason: "ALREADY_RELEASED" }],
  ])("%s + %s", (status, event, expected) => {
    expect(transition(status, event)).toEqual(expected);
  });
});

describe("redemptionKeys", () => {
  it("derives the three keys from the redemption id", () => {
    expect(redemptionKeys("42")).toEqual({
      hold: "redemption:42:hold",
      post: "redemption:42:post",
      release: "redemption:42:release",
    });
  });
});
