// "Invite a friend" (docs/decisions/013-referrals-challenges-cashback.md). A member's referral code
// is also the friend's discount code at Shopify, created through the outbox the first time the
// member's code is given out; the friend's paid order carrying it records the referral, the fraud
// checks decide whether the advocate may be rewarded, and the advocate's points are written once
// the friend's order is past the pending period.
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { Tx } from "~/db/client.server";
import { log } from "~/logger.server";
import { referralRewardKey } from "~/loyalty/keys";
import { adjust } from "~/loyalty/ledger";
import { toDecimalString } from "~/loyalty/money";
import { lotTimes, type ProgramConfig } from "~/loyalty/program";
import {
  addressIdentity,
  referralCode,
  referralVerdict,
  type PostalAddress,
} from "~/loyalty/referrals";
import { combinesWithSchema } from "~/loyalty/rewards";
import {
  AdminUserErrors,
  type AdminClient,
} from "~/shopify/admin-client.server";
import { REDEMPTION_CODE_BASIC_CREATE_MUTATION } from "~/shopify/admin-operations";
import type { PaidOrder } from "~/shopify/order-payload";
import { writeLedger, type MemberRef } from "./ledger.server";
import { enqueue, type NewOutboxJob } from "./outbox.server";
import { shopWithProgram } from "./program.server";
import { lookUpRedemptionCode } from "./redemption-codes.server";
import { reviewMemberTier } from "./tiers.server";
import { flowTriggerJob } from "./flow-triggers.server";
import { referralCompleted as referralCompletedTrigger } from "~/loyalty/flow";

const WEEK_MS = 7 * 86_400_000;

/**
 * A digest of the shipping address, salted with the shop: enough to see that two orders ship to
 * the same place without keeping where that is.
 */
export function shippingAddressHash(
  shop: string,
  address: PostalAddress | null,
): string | null {
  const identity = address ? addressIdentity(address) : null;
  if (identity === null) return null;
  return createHash("sha256")
    .update(`${shop}\n${identity}`)
    .digest("base64url");
}

/** `https://<shop>/discount/<code>` applies the code in the shopper's cart and opens the shop. */
export function referralUrl(shop: string, code: string): string {
  return `https://${shop}/discount/${encodeURIComponent(code)}`;
}

/**
 * The member's code, given on first request (one write, once per member). The friend's discount
 * is created at Shopify by the outbox in the same transaction, so a code is never handed out
 * without its discount on the way.
 */
export async function memberReferralCode(
  tx: Tx,
  member: MemberRef,
  config: ProgramConfig,
  now: Date,
): Promise<string> {
  const [given] = await tx.query<{ referralCode: string }>(
    `UPDATE "Member" SET "referralCode" = $3
     WHERE id = $1 AND shop = $2 AND "referralCode" IS NULL
     RETURNING "referralCode"`,
    [member.memberId, member.shop, referralCode(randomBytes(10))],
  );
  if (given) {
    await enqueue(
      tx,
      referralDiscountJob(member.shop, given.referralCode, config),
      now,
    );
    return given.referralCode;
  }
  const [existing] = await tx.query<{ referralCode: string }>(
    `SELECT "referralCode" FROM "Member" WHERE id = $1 AND shop = $2`,
    [member.memberId, member.shop],
  );
  if (!existing)
    throw new Error(`member ${member.memberId} has no referral code`);
  return existing.referralCode;
}

const referralDiscountPayload = z.object({
  code: z.string().min(1).max(255),
  currency: z.string().length(3),
  value: z.discriminatedUnion("kind", [
    z.object({
      kind: z.literal("PERCENTAGE"),
      percentage: z.int().min(1).max(100),
    }),
    z.object({ kind: z.literal("FIXED_AMOUNT"), amountMinor: z.int().min(1) }),
  ]),
  minimumSubtotalMinor: z.int().min(1).nullable(),
  combinesWith: combinesWithSchema,
});

/** The friend's discount with the program's terms of the day it is created. */
export function referralDiscountJob(
  shop: string,
  code: string,
  config: ProgramConfig,
): NewOutboxJob {
  const { referrals } = config.growth;
  return {
    shop,
    kind: "REFERRAL_DISCOUNT_CREATE",
    coalesceKey: `code:${code}`,
    payload: referralDiscountPayload.parse({
      code,
      currency: config.currency,
      value: referrals.friendDiscount,
      minimumSubtotalMinor: referrals.friendMinimumSubtotalMinor,
      combinesWith: config.redemption.combinesWith,
    }),
  };
}

/**
 * discountCodeBasicCreate for every customer, once each: Shopify cannot tell a first order from
 * another at checkout, so the app decides whether the advocate is rewarded when the order arrives.
 * A code already there (the job ran before and its answer was lost) is done.
 */
export async function sendReferralDiscount(
  admin: AdminClient,
  payload: unknown,
  now: Date = new Date(),
): Promise<void> {
  const job = referralDiscountPayload.parse(payload);
  const money = (minor: number) =>
    toDecimalString({ minor, currency: job.currency });
  try {
    await admin.mutate(
      REDEMPTION_CODE_BASIC_CREATE_MUTATION,
      {
        basicCodeDiscount: {
          title: `Invite a friend (${job.code})`,
          code: job.code,
          startsAt: now.toISOString(),
          customerSelection: { all: true },
          appliesOncePerCustomer: true,
          combinesWith: job.combinesWith,
          ...(job.minimumSubtotalMinor === null
            ? {}
            : {
                minimumRequirement: {
                  subtotal: {
                    greaterThanOrEqualToSubtotal: money(
                      job.minimumSubtotalMinor,
                    ),
                  },
                },
              }),
          customerGets: {
            items: { all: true },
            value:
              job.value.kind === "PERCENTAGE"
                ? { percentage: job.value.percentage / 100 }
                : {
                    discountAmount: {
                      amount: money(job.value.amountMinor),
                      appliesOnEachItem: false,
                    },
                  },
          },
        },
      },
      "discountCodeBasicCreate",
    );
  } catch (error) {
    const taken =
      error instanceof AdminUserErrors &&
      error.userErrors.some((userError) => userError.code === "TAKEN");
    if (taken && (await lookUpRedemptionCode(admin, job.code))) return;
    throw error;
  }
}

interface AdvocateRow {
  id: string;
  customerId: string;
  email: string | null;
  referralCode: string;
  redactedAt: Date | null;
}

/**
 * orders/paid with discount codes: when one is a member's referral code, the referral is recorded
 * (once per order) as PENDING or BLOCKED with its reason, and completed at once when the order is
 * already past the pending period. An order without a referral code costs one indexed query.
 */
export async function recordReferralOrder(
  tx: Tx,
  shop: string,
  order: PaidOrder,
  codes: string[],
  now: Date,
): Promise<void> {
  if (order.test || codes.length === 0) return;
  const [advocate] = await tx.query<AdvocateRow>(
    `SELECT id, "customerId", email, "referralCode", "redactedAt" FROM "Member"
     WHERE shop = $1 AND "referralCode" IN (SELECT upper(jsonb_array_elements_text($2::jsonb)))
     ORDER BY "referralCode" LIMIT 1`,
    [shop, codes],
  );
  if (!advocate || advocate.redactedAt !== null) return;
  const config = (await shopWithProgram(tx, shop))?.config;
  if (!config?.enabled || !config.growth.referrals.enabled) return;
  const { referrals } = config.growth;

  const friendEmail = order.email ?? order.customer?.email ?? null;
  const addressHash = shippingAddressHash(shop, order.shippingAddress);
  const [facts] = await tx.query<{
    sameAddress: boolean;
    earlierOrders: number;
    thisWeek: number;
  }>(
    `SELECT
       ($4::text IS NOT NULL AND EXISTS (
         SELECT 1 FROM "OrderRecord" WHERE shop = $1 AND "memberId" = $2
           AND "orderId" <> $3 AND "shippingAddressHash" = $4)) AS "sameAddress",
       (SELECT count(*)::int FROM "OrderRecord" WHERE shop = $1 AND "orderId" <> $3
          AND "paidAt" IS NOT NULL AND ("customerId" = $5 OR "guestEmail" = $6)) AS "earlierOrders",
       (SELECT count(*)::int FROM "Referral" WHERE shop = $1 AND "advocateId" = $2
          AND status IN ('PENDING', 'COMPLETED') AND "orderId" <> $3
          AND "orderedAt" > $7 AND "orderedAt" <= $8) AS "thisWeek"`,
    [
      shop,
      advocate.id,
      order.orderId,
      addressHash,
      order.customer?.id ?? null,
      friendEmail === null ? null : friendEmail.trim().toLowerCase(),
      new Date(order.occurredAt.getTime() - WEEK_MS),
      order.occurredAt,
    ],
  );
  const verdict = referralVerdict({
    advocate: { customerId: advocate.customerId, email: advocate.email },
    friend: { customerId: order.customer?.id ?? null, email: friendEmail },
    sameAddressAsAdvocate: facts?.sameAddress ?? false,
    friendEarlierOrders: facts?.earlierOrders ?? 0,
    advocateReferralsThisWeek: facts?.thisWeek ?? 0,
    weeklyLimit: referrals.weeklyLimit,
  });
  const dueAt = lotTimes(config, order.occurredAt).availableAt;
  const [recorded] = await tx.query<{ id: string }>(
    `INSERT INTO "Referral" (id, shop, "advocateId", code, "orderId", "orderName",
       "friendCustomerId", status, reason, points, "orderedAt", "dueAt", "settledAt")
     VALUES (gen_random_uuid()::text, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (shop, "orderId") DO NOTHING
     RETURNING id`,
    [
      shop,
      advocate.id,
      advocate.referralCode,
      order.orderId,
      order.name,
      order.customer?.id ?? null,
      verdict.ok ? "PENDING" : "BLOCKED",
      verdict.ok ? null : verdict.reason,
      referrals.advocatePoints,
      order.occurredAt,
      dueAt,
      verdict.ok ? null : now,
    ],
  );
  if (!recorded) return;
  if (!verdict.ok) {
    log("info", "referral blocked", {
      shop,
      orderId: order.orderId,
      reason: verdict.reason,
    });
    return;
  }
  if (dueAt <= now) await completeReferral(tx, shop, recorded.id, config, now);
}

export interface CompletedReferral {
  shop: string;
  referralId: string;
  advocate: MemberRef;
  advocateCustomerId: string;
  friendOrderId: string;
  code: string;
  points: number;
  at: Date;
}

/**
 * The one place a referral becomes complete, after the advocate's points are written: what else
 * should happen then (a Shopify Flow trigger) starts here, in the same transaction.
 */
export async function referralCompleted(
  tx: Tx,
  referral: CompletedReferral,
): Promise<void> {
  const trigger = referralCompletedTrigger({
    customerId: referral.advocateCustomerId,
    points: referral.points,
    referralCode: referral.code,
  });
  await enqueue(
    tx,
    flowTriggerJob(referral.shop, trigger.handle, trigger.payload),
    referral.at,
  );
}

/**
 * A PENDING referral whose friend's order is past the pending period: the advocate's points are
 * written under the order's reward key, unless the order was cancelled or refunded meanwhile.
 * Settles at most once: the row is locked and only PENDING moves.
 */
export async function completeReferral(
  tx: Tx,
  shop: string,
  referralId: string,
  config: ProgramConfig,
  now: Date,
): Promise<"COMPLETED" | "CANCELLED" | null> {
  const [referral] = await tx.query<{
    advocateId: string;
    orderId: string;
    points: number;
    status: string;
    code: string;
    customerId: string;
    cancelled: boolean;
    refunded: boolean;
  }>(
    `SELECT r."advocateId", r."orderId", r.points, r.status, r.code, m."customerId",
       coalesce(o."cancelledAt" IS NOT NULL, false) AS cancelled,
       EXISTS (SELECT 1 FROM "RefundRecord" f
               WHERE f.shop = r.shop AND f."orderId" = r."orderId" AND f."moneyRefunded") AS refunded
     FROM "Referral" r
     JOIN "Member" m ON m.id = r."advocateId" AND m.shop = r.shop
     LEFT JOIN "OrderRecord" o ON o.shop = r.shop AND o."orderId" = r."orderId"
     WHERE r.shop = $1 AND r.id = $2
     FOR UPDATE OF r`,
    [shop, referralId],
  );
  if (!referral || referral.status !== "PENDING") return null;
  if (referral.cancelled || referral.refunded) {
    await settle(
      tx,
      shop,
      referralId,
      "CANCELLED",
      referral.cancelled ? "ORDER_CANCELLED" : "ORDER_REFUNDED",
      now,
    );
    return "CANCELLED";
  }
  const advocate = { shop, memberId: referral.advocateId };
  const key = referralRewardKey(referral.orderId);
  await writeLedger(tx, advocate, {
    key,
    plan: (state) =>
      adjust(state, {
        key,
        points: referral.points,
        reason: "Referral reward",
        policy: config.negativeBalancePolicy,
        occurredAt: now,
        expiresAt: lotTimes(config, now).expiresAt,
      }),
  });
  await settle(tx, shop, referralId, "COMPLETED", null, now);
  await reviewMemberTier(tx, advocate, config, now);
  await referralCompleted(tx, {
    shop,
    referralId,
    advocate,
    advocateCustomerId: referral.customerId,
    friendOrderId: referral.orderId,
    code: referral.code,
    points: referral.points,
    at: now,
  });
  return "COMPLETED";
}

async function settle(
  tx: Tx,
  shop: string,
  referralId: string,
  status: "COMPLETED" | "CANCELLED",
  reason: string | null,
  now: Date,
) {
  await tx.query(
    `UPDATE "Referral" SET status = $3, reason = $4, "settledAt" = $5 WHERE shop = $1 AND id = $2`,
    [shop, referralId, status, reason, now],
  );
}

export interface ReferralListing {
  id: string;
  status: string;
  reason: string | null;
  points: number;
  orderId: string;
  orderName: string | null;
  orderedAt: Date;
  dueAt: Date;
  advocate: { id: string; name: string; email: string | null };
}

/** The shop's latest referrals for the merchant, blocked ones with their reason. */
export async function listReferrals(
  tx: Tx,
  shop: string,
  limit = 100,
): Promise<ReferralListing[]> {
  const rows = await tx.query<
    Omit<ReferralListing, "advocate"> & {
      advocateId: string;
      firstName: string | null;
      lastName: string | null;
      email: string | null;
      redactedAt: Date | null;
    }
  >(
    `SELECT r.id, r.status, r.reason, r.points, r."orderId", r."orderName", r."orderedAt",
       r."dueAt", r."advocateId", m."firstName", m."lastName", m.email, m."redactedAt"
     FROM "Referral" r JOIN "Member" m ON m.id = r."advocateId" AND m.shop = r.shop
     WHERE r.shop = $1
     ORDER BY r."createdAt" DESC, r.id LIMIT $2`,
    [shop, limit],
  );
  return rows.map(
    ({ advocateId, firstName, lastName, email, redactedAt, ...referral }) => ({
      ...referral,
      advocate: {
        id: advocateId,
        name:
          redactedAt !== null
            ? "Redacted member"
            : [firstName, lastName].filter(Boolean).join(" ") || "Member",
        email: redactedAt !== null ? null : email,
      },
    }),
  );
}
