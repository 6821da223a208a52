// What orders do to redemptions: the paid order carrying a code spends its held points, an order
// cancelled before payment gives them back, and refunds of an order paid with points return the
// refunded share of them (by the shop's policy).
import type { Tx } from "~/db/client.server";
import { log } from "~/logger.server";
import { redemptionReturnKey } from "~/loyalty/keys";
import { adjust } from "~/loyalty/ledger";
import { lotTimes } from "~/loyalty/program";
import { redeemedPointsToReturn } from "~/loyalty/rewards";
import type { RefundedLine } from "~/loyalty/refunds";
import { writeLedger } from "./ledger.server";
import { enqueue } from "./outbox.server";
import { shopWithProgram } from "./program.server";
import { redemptionCodeDeleteJob } from "./redemption-codes.server";
import {
  releaseHeld,
  settleRedemption,
  type OrderLine,
} from "./redemptions.server";
import { reviewMemberTier } from "./tiers.server";

async function redemptionsWithCodes(tx: Tx, shop: string, codes: string[]) {
  if (codes.length === 0) return [];
  return tx.query<{ id: string; code: string; status: string }>(
    // Minted upper-case; a buyer may type a code in any case.
    `SELECT id, code, status FROM "Redemption"
     WHERE shop = $1 AND code IN (SELECT upper(jsonb_array_elements_text($2::jsonb)))
     ORDER BY id`,
    [shop, codes],
  );
}

/**
 * orders/paid with codes: each redemption whose code the order used is POSTED once. A code whose
 * hold was already released (it is only released once Shopify counts no use of it) is logged and
 * left: points are never both given back and spent.
 */
export async function postRedemptionsOfPaidOrder(
  tx: Tx,
  shop: string,
  order: { orderId: string; codes: string[]; lines: OrderLine[] },
  now: Date,
): Promise<void> {
  for (const redemption of await redemptionsWithCodes(tx, shop, order.codes)) {
    const settled = await settleRedemption(
      tx,
      shop,
      redemption.id,
      "POST",
      now,
      {
        orderId: order.orderId,
        orderLines: order.lines,
      },
    );
    if (!settled.ok)
      log("warn", "paid order used a redemption code that is not held", {
        shop,
        orderId: order.orderId,
        redemptionId: redemption.id,
        reason: settled.reason,
      });
  }
  await returnRedeemedPoints(tx, shop, order.orderId, now);
}

/** orders/cancelled: a code still held for an unpaid order gives its points back. */
export async function releaseRedemptionsOfCancelledOrder(
  tx: Tx,
  shop: string,
  codes: string[],
  now: Date,
): Promise<void> {
  for (const redemption of await redemptionsWithCodes(tx, shop, codes)) {
    if (redemption.status !== "HELD") continue;
    if (await releaseHeld(tx, shop, redemption.id, "ORDER_CANCELLED", now))
      await enqueue(tx, redemptionCodeDeleteJob(shop, redemption.code), now);
  }
}

/**
 * Refunds of an order paid with points return the refunded share of the points, one entry per
 * refund, computed over the refunds in the order they were made: the same entries whichever
 * arrives first, the refund or the paid order. Restock-only refunds return nothing.
 */
export async function returnRedeemedPoints(
  tx: Tx,
  shop: string,
  orderId: string,
  now: Date,
): Promise<void> {
  const redemptions = await tx.query<{
    id: string;
    memberId: string;
    points: number;
    orderLines: OrderLine[] | null;
  }>(
    `SELECT id, "memberId", points, "orderLines" FROM "Redemption"
     WHERE shop = $1 AND "orderId" = $2 AND status = 'POSTED' ORDER BY id`,
    [shop, orderId],
  );
  if (redemptions.length === 0) return;
  const config = (await shopWithProgram(tx, shop))?.config;
  if (!config || config.redemption.refundPolicy === "KEEP") return;
  const refunds = await tx.query<{ refundId: string; lines: RefundedLine[] }>(
    `SELECT "refundId", lines FROM "RefundRecord"
     WHERE shop = $1 AND "orderId" = $2 AND "moneyRefunded"
     ORDER BY "refundedAt", "refundId"`,
    [shop, orderId],
  );
  for (const redemption of redemptions) {
    const member = { shop, memberId: redemption.memberId };
    let returned = false;
    const shares = redeemedPointsToReturn(
      redemption.points,
      redemption.orderLines ?? [],
      refunds,
    );
    for (const share of shares) {
      if (share.points === 0) continue;
      const key = redemptionReturnKey(redemption.id, share.refundId);
      const written = await writeLedger(tx, member, {
        key,
        plan: (state) =>
          adjust(state, {
            key,
            points: share.points,
            reason: "Points used on a refunded order",
            policy: config.negativeBalancePolicy,
            occurredAt: now,
            expiresAt: lotTimes(config, now).expiresAt,
            refs: {
              orderId,
              refundId: share.refundId,
              redemptionId: redemption.id,
            },
          }),
      });
      returned ||= written.status === "applied";
    }
    if (returned) await reviewMemberTier(tx, member, config, now);
  }
}
