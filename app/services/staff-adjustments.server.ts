import type { SqlDatabase } from "~/db/sql.server";
import { adjustmentKey } from "~/loyalty/keys";
import { applyWrite, concatWrites, settleDue } from "~/loyalty/ledger";
import { staffAdjust } from "~/loyalty/staff-adjustment";
import { writeLedger } from "./ledger.server";
import { programConfig } from "./program.server";
import { reviewMemberTier } from "./tiers.server";

export interface StaffAdjustmentRequest {
  shop: string;
  memberId: string;
  points: number;
  reason: string;
  /** The form's nonce, so a double submit is one adjustment. */
  requestId: string;
  /** Who asked, e.g. `staff:<Shopify user id>`. */
  actor: string;
  now: Date;
}

export type StaffAdjustmentOutcome =
  | { ok: true; replayed: boolean; available: number }
  | { ok: false; reason: "NOT_FOUND" }
  | { ok: false; reason: "BELOW_ZERO_NOT_ALLOWED"; available: number };

/**
 * A staff member adds or removes points with a reason. One transaction: the entry (with who and
 * why), then the tier review, which also refreshes the customer's loyalty metafields at Shopify
 * through the outbox (when the program is on). Lots due to mature or expire are settled first, so the policy check sees
 * what the member can spend now.
 */
export async function adjustMemberPoints(
  sql: SqlDatabase,
  request: StaffAdjustmentRequest,
): Promise<StaffAdjustmentOutcome> {
  return sql.transaction(async (tx) => {
    const [found] = await tx.query<{ available: number }>(
      `SELECT available FROM "Member" WHERE shop = $1 AND id = $2`,
      [request.shop, request.memberId],
    );
    const config = await programConfig(tx, request.shop);
    if (!found || !config) return { ok: false, reason: "NOT_FOUND" };
    const member = { shop: request.shop, memberId: request.memberId };
    const key = adjustmentKey(request.requestId);
    const result = await writeLedger(tx, member, {
      key,
      plan: (state) => {
        const settled = settleDue(state, request.now);
        const adjusted = staffAdjust(applyWrite(state, settled), {
          key,
          points: request.points,
          reason: request.reason,
          actor: request.actor,
          policy: config.negativeBalancePolicy,
          occurredAt: request.now,
        });
        return adjusted.ok ? concatWrites(settled, adjusted.write) : adjusted;
      },
    });
    if (result.status === "duplicate")
      return { ok: true, replayed: true, available: found.available };
    if (result.status === "refused")
      return {
        ok: false,
        reason: "BELOW_ZERO_NOT_ALLOWED",
        available: Number(result.refusal.available),
      };
    // A program that is off places nobody in tiers and shows shoppers nothing to refresh.
    if (config.enabled)
      await reviewMemberTier(
        tx,
        member,
        config,
        request.now,
        result.state.balances,
      );
    return {
      ok: true,
      replayed: false,
      available: result.state.balances.available,
    };
  });
}
