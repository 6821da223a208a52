import type { Tx } from "~/db/client.server";
import { redemptionKeys } from "~/loyalty/keys";
import {
  applyWrite,
  type Allocation,
  concatWrites,
  hold,
  post,
  release,
  settleDue,
  type Balances,
} from "~/loyalty/ledger";
import {
  transition,
  type RedemptionEvent,
  type RedemptionStatus,
} from "~/loyalty/redemption";
import {
  lockMember,
  writeLedger,
  type LedgerResult,
  type MemberRef,
} from "./ledger.server";
import { shopWithProgram } from "./program.server";
import { reviewMemberTier } from "./tiers.server";

export interface HoldRequest {
  /** The caller's idempotency key (e.g. from the checkout extension): a retry returns the same hold. */
  idempotencyKey: string;
  points: number;
  valueMinor: number;
  currency: string;
  expiresAt: Date;
  now: Date;
  /** The code to mint at Shopify, chosen before the hold so a crash after minting can find it. */
  code?: string;
  value?: object;
  rewardId?: string | null;
  surface?: "checkout" | "account";
  checkoutToken?: string | null;
  kind?: "DISCOUNT_CODE" | "STORE_CREDIT";
}

export type HoldOutcome =
  | { ok: true; redemptionId: string; replayed: boolean }
  | { ok: false; reason: "INSUFFICIENT_POINTS"; available: number };

/**
 * First phase: reserves the points under the member's row lock, so of many concurrent holds only
 * those the balance covers succeed. Due maturations and expiries are settled first, so a hold
 * never spends a lot that has just expired.
 */
export async function holdPoints(
  tx: Tx,
  member: MemberRef,
  request: HoldRequest,
): Promise<HoldOutcome> {
  // Locked before the replay check, so two requests with one key cannot both find nothing.
  await lockMember(tx, member);
  const [existing] = await tx.query<{ id: string }>(
    `SELECT id FROM "Redemption" WHERE shop = $1 AND "idempotencyKey" = $2`,
    [member.shop, request.idempotencyKey],
  );
  if (existing) return { ok: true, redemptionId: existing.id, replayed: true };
  const redemptionId = crypto.randomUUID();
  const keys = redemptionKeys(redemptionId);
  const result = await writeLedger(tx, member, {
    key: keys.hold,
    plan: (state) => {
      const settled = settleDue(state, request.now);
      const held = hold(applyWrite(state, settled), {
        key: keys.hold,
        redemptionId,
        points: request.points,
        occurredAt: request.now,
      });
      return held.ok ? concatWrites(settled, held.write) : held;
    },
  });
  if (result.status === "refused") {
    return {
      ok: false,
      reason: "INSUFFICIENT_POINTS",
      available: Number(result.refusal.available),
    };
  }
  await tx.query(
    `INSERT INTO "Redemption" (id, shop, "memberId", status, points, "valueMinor", currency,
       "idempotencyKey", "expiresAt", code, value, "rewardId", surface, "checkoutToken", kind)
     VALUES ($1, $2, $3, 'HELD', $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13, $14)`,
    [
      redemptionId,
      member.shop,
      member.memberId,
      request.points,
      request.valueMinor,
      request.currency,
      request.idempotencyKey,
      request.expiresAt,
      request.code ?? null,
      request.value ?? null,
      request.rewardId ?? null,
      request.surface ?? "checkout",
      request.checkoutToken ?? null,
      request.kind ?? "DISCOUNT_CODE",
    ],
  );
  return { ok: true, redemptionId, replayed: false };
}

export type ReleaseReason =
  "REMOVED" | "EXPIRED" | "REPLACED" | "SHOPIFY_REFUSED" | "ORDER_CANCELLED";

/** What the settlement records beside the status: why points came back, or the order that spent them. */
export type SettleDetails =
  | { releaseReason: ReleaseReason }
  | { orderId: string; orderLines: OrderLine[] };

export interface OrderLine {
  lineItemId: string;
  quantity: number;
  /** The line's price before any discount, in minor units. */
  amountMinor: number;
}

export type SettleOutcome =
  | {
      ok: true;
      status: RedemptionStatus;
      changed: boolean;
      balances?: Balances;
    }
  | { ok: false; reason: "NOT_FOUND" | "ALREADY_POSTED" | "ALREADY_RELEASED" };

/**
 * Second phase: POST when the paid order carrying the code arrives, RELEASE when the code expires,
 * is removed or could not be created. The redemption row is locked, so an expiry sweep racing a
 * paid order settles it exactly once, one way; the member is locked before it, as every writer
 * locks them (a paid order locks the member to earn, then settles its codes), or the two deadlock.
 */
export async function settleRedemption(
  tx: Tx,
  shop: string,
  redemptionId: string,
  event: RedemptionEvent,
  now: Date,
  details?: SettleDetails,
): Promise<SettleOutcome> {
  // A redemption never changes member: reading it unlocked is safe.
  const [owner] = await tx.query<{ memberId: string }>(
    `SELECT "memberId" FROM "Redemption" WHERE id = $1 AND shop = $2`,
    [redemptionId, shop],
  );
  if (!owner) return { ok: false, reason: "NOT_FOUND" };
  await lockMember(tx, { shop, memberId: owner.memberId });
  const rows = await tx.query<{
    status: RedemptionStatus;
    memberId: string;
    points: number;
  }>(
    `SELECT status, "memberId", points FROM "Redemption" WHERE id = $1 AND shop = $2 FOR UPDATE`,
    [redemptionId, shop],
  );
  const redemption = rows[0];
  if (!redemption) return { ok: false, reason: "NOT_FOUND" };
  const step = transition(redemption.status, event);
  if (!step.ok) return step;
  if (!step.changed) return { ok: true, status: step.next, changed: false };

  const member = { shop, memberId: redemption.memberId };
  const keys = redemptionKeys(redemptionId);
  const common = {
    redemptionId,
    holdKey: keys.hold,
    points: redemption.points,
    occurredAt: now,
  };
  let written: LedgerResult;
  if (event === "POST") {
    written = await writeLedger(tx, member, {
      key: keys.post,
      plan: (state) => post(state, { key: keys.post, ...common }),
    });
  } else {
    const allocationsOfHold = await tx.query<Allocation>(
      `SELECT "entryKey", "lotKey", points FROM "LotAllocation" WHERE shop = $1 AND "entryKey" = $2`,
      [shop, keys.hold],
    );
    written = await writeLedger(tx, member, {
      key: keys.release,
      lotKeys: allocationsOfHold.map((allocation) => allocation.lotKey),
      plan: (state) =>
        release(state, { key: keys.release, ...common, allocationsOfHold }),
    });
  }
  await tx.query(
    `UPDATE "Redemption" SET status = $2, "settledAt" = $3, "releaseReason" = $4,
       "orderId" = coalesce($5, "orderId"), "orderLines" = coalesce($6::jsonb, "orderLines")
     WHERE id = $1`,
    [
      redemptionId,
      step.next,
      now,
      details && "releaseReason" in details ? details.releaseReason : null,
      details && "orderId" in details ? details.orderId : null,
      details && "orderId" in details ? details.orderLines : null,
    ],
  );
  return {
    ok: true,
    status: step.next,
    changed: true,
    balances: written.status === "applied" ? written.state.balances : undefined,
  };
}

/**
 * Which of an order's discount codes this app minted for redemptions (upper-cased): their
 * allocations are the points discount, never earned on. Works in or out of a transaction.
 */
export async function appDiscountCodes(
  db: Pick<Tx, "query">,
  shop: string,
  codes: string[],
): Promise<Set<string>> {
  if (codes.length === 0) return new Set();
  const rows = await db.query<{ code: string }>(
    // Minted upper-case; a shopper may type a code in any case.
    `SELECT code FROM "Redemption"
     WHERE shop = $1 AND code IN (SELECT upper(jsonb_array_elements_text($2::jsonb)))`,
    [shop, codes],
  );
  return new Set(rows.map((row) => row.code));
}

/** Releases a HELD redemption and refreshes the member's tier metafields; a no-op otherwise. */
export async function releaseHeld(
  tx: Tx,
  shop: string,
  redemptionId: string,
  reason: ReleaseReason,
  now: Date,
): Promise<boolean> {
  const settled = await settleRedemption(
    tx,
    shop,
    redemptionId,
    "RELEASE",
    now,
    {
      releaseReason: reason,
    },
  );
  if (!settled.ok || !settled.changed) return false;
  await refreshMember(tx, shop, redemptionId, now);
  return true;
}

/** The member's metafields show what they can spend; the tier review enqueues them. */
export async function refreshMember(
  tx: Tx,
  shop: string,
  redemptionId: string,
  now: Date,
): Promise<void> {
  const found = await shopWithProgram(tx, shop);
  const [owner] = await tx.query<{ memberId: string }>(
    `SELECT "memberId" FROM "Redemption" WHERE shop = $1 AND id = $2`,
    [shop, redemptionId],
  );
  if (found && owner)
    await reviewMemberTier(
      tx,
      { shop, memberId: owner.memberId },
      found.config,
      now,
    );
}
