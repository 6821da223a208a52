export { redemptionKeys, type RedemptionKeys } from "./keys";

/**
 * Two-phase redemption: points are HELD when the discount code is minted, POSTED when the paid
 * order carrying the code arrives, RELEASED when the code expires, is removed, or could not be
 * created. Never burnt without a discount.
 */
export type RedemptionStatus = "HELD" | "POSTED" | "RELEASED";
export type RedemptionEvent = "POST" | "RELEASE";

export type RedemptionTransition =
  | { ok: true; next: RedemptionStatus; changed: boolean }
  | { ok: false; reason: "ALREADY_POSTED" | "ALREADY_RELEASED" };

/**
 * Repeating the event that reached the current state is a harmless no-op (webhooks and expiry
 * jobs can both fire twice); the opposite event after a final state is refused.
 */
export function transition(
  status: RedemptionStatus,
  event: RedemptionEvent,
): RedemptionTransition {
  switch (status) {
    case "HELD":
      return {
        ok: true,
        next: event === "POST" ? "POSTED" : "RELEASED",
        changed: true,
      };
    case "POSTED":
      return event === "POST"
        ? { ok: true, next: "POSTED", changed: false }
        : { ok: false, reason: "ALREADY_POSTED" };
    case "RELEASED":
      return event === "RELEASE"
        ? { ok: true, next: "RELEASED", changed: false }
        : { ok: false, reason: "ALREADY_RELEASED" };
  }
}
