import type { Queryable, Tx } from "~/db/client.server";
import { jsonTimestamp } from "~/db/sql.server";
import { adjust, type Balances } from "~/loyalty/ledger";
import type { ProgramConfig } from "~/loyalty/program";
import type { LineBase, RefundedLine } from "~/loyalty/refunds";
import {
  evaluateTier,
  levelHandle,
  pointsActivity,
  spendActivity,
  qualifyingTotal,
  tierTag,
  type TierBasis,
  type TierChange,
  type TierCredit,
  type TierRulesInput,
} from "~/loyalty/tiers";
import { writeLedger, type MemberRef } from "./ledger.server";
import {
  memberMetafieldsJob,
  memberMetafieldsPayload,
} from "./member-metafields.server";
import { tierChanged, type FlowTrigger } from "~/loyalty/flow";
import { flowTriggerJobs, rewardTriggers } from "./flow-triggers.server";
import { enqueueAll, type NewOutboxJob } from "./outbox.server";
import { customerTagsJob } from "./customer-tags.server";

/** The member's tier credit columns, as a member read that decides on a tier review has them. */
export interface TierCreditColumns {
  tierCreditHandle: string | null;
  tierCreditUntil: Date | null;
}

export const tierCreditOf = (row: TierCreditColumns): TierCredit | null =>
  row.tierCreditHandle === null
    ? null
    : { handle: row.tierCreditHandle, until: row.tierCreditUntil };

interface MemberTierRow extends TierCreditColumns {
  customerId: string;
  timezone: string;
  tierHandle: string | null;
  tierSince: Date | null;
  available: number;
}

export const tierRewardKey = (memberId: string, handle: string) =>
  `tier:${handle}:reward:${memberId}`;

/**
 * Re-evaluates the member's tier after a change to what they earned (or at the scheduled check)
 * and applies a change: the member's tier, a history record with the reason, each passed tier's
 * entry reward once, and the customer's tier tag and loyalty metafields at Shopify through the
 * outbox, all in the caller's transaction. Returns the change, or null when the tier stays.
 *
 * `written`: the balances a ledger write the caller just made in this transaction left the
 * member with. The metafields then show them even when the tier stays, in the one job this
 * review enqueues (the caller enqueues none of its own).
 */
export async function reviewMemberTier(
  tx: Tx,
  member: MemberRef,
  config: ProgramConfig,
  now: Date,
  written?: Balances,
): Promise<TierChange | null> {
  const review = await planTierReview(tx, member, config, now, written);
  enqueueAll(tx, review.jobs, now);
  return review.change;
}

/**
 * `reviewMemberTier` with the outbox jobs it would enqueue handed back instead, for a caller on
 * the webhook path that records them in one statement with its own.
 */
export async function planTierReview(
  tx: Tx,
  member: MemberRef,
  config: ProgramConfig,
  now: Date,
  written?: Balances,
): Promise<{ change: TierChange | null; jobs: NewOutboxJob[] }> {
  // The member and their activity are read in one round trip: neither waits for the other.
  const [[row], activity] = await Promise.all([
    tx.query<MemberTierRow & { rewarded: string[] }>(
      `SELECT m."customerId", m."tierHandle", m."tierSince", m."tierCreditHandle",
       m."tierCreditUntil", m.available, s.timezone,
       (SELECT coalesce(jsonb_agg(handle), '[]'::jsonb)
        FROM "TierChange" t, jsonb_array_elements_text(t."rewardedHandles") AS handle
        WHERE t.shop = m.shop AND t."memberId" = m.id) AS rewarded
     FROM "Member" m JOIN "Shop" s ON s.shop = m.shop
     WHERE m.id = $1 AND m.shop = $2`,
      [member.memberId, member.shop],
    ),
    memberActivity(tx, member, config.tiers.basis),
  ]);
  if (!row)
    throw new Error(
      `member ${member.memberId} of ${member.shop} does not exist`,
    );
  const metafieldsJob = (
    tierHandle: string | null,
    available: number,
    qualifyingPoints: number | null,
  ) =>
    memberMetafieldsJob(
      member.shop,
      memberMetafieldsPayload(config.tiers, {
        customerId: row.customerId,
        tierHandle,
        available,
        qualifyingPoints,
      }),
    );
  const evaluation = evaluateTier({
    current:
      row.tierHandle && row.tierSince
        ? { handle: row.tierHandle, since: row.tierSince }
        : null,
    activity,
    config: config.tiers,
    now,
    graceDays: config.tiers.graceDays,
    alreadyRewarded: row.rewarded,
    timezone: row.timezone,
    credit: tierCreditOf(row),
  });
  const change = evaluation.change;
  // "Points to next tier" counts what counts for the tier: the window's total, not the lifetime.
  const qualifying = qualifyingTotal(
    activity,
    config.tiers.basis,
    config.tiers.window,
    now,
    row.timezone,
  );
  if (!change) {
    return {
      change: null,
      jobs: written
        ? [metafieldsJob(row.tierHandle, written.available, qualifying)]
        : [],
    };
  }

  tx.write(
    `WITH history AS (
       INSERT INTO "TierChange" (shop, "memberId", "fromHandle", "toHandle", direction, reason,
         "rewardedHandles", at)
       VALUES ($2, $1, $3, $4, $5, $6, $7, $8)
     )
     UPDATE "Member" SET "tierHandle" = $4, "tierSince" = $8, "updatedAt" = now()
     WHERE id = $1 AND shop = $2`,
    [
      member.memberId,
      member.shop,
      change.from,
      change.to,
      change.direction,
      change.reason,
      change.rewardsFor,
      now,
    ],
  );
  const nameOf = (handle: string | null) =>
    config.tiers.levels.find((level) => levelHandle(level) === handle)?.name ??
    handle;
  const triggers: FlowTrigger[] = [
    tierChanged({
      customerId: row.customerId,
      tier: nameOf(change.to) ?? change.to,
      previousTier: nameOf(change.from),
      direction: change.direction,
    }),
  ];
  let available = written?.available ?? row.available;
  for (const handle of change.rewardsFor) {
    const level = config.tiers.levels.find(
      (candidate) => levelHandle(candidate) === handle,
    );
    if (!level || level.entryRewardPoints <= 0) continue;
    const key = tierRewardKey(member.memberId, handle);
    // A reward is spendable at once, and is not an earning: it never counts toward a tier itself.
    const rewarded = await writeLedger(tx, member, {
      key,
      plan: (state) =>
        adjust(state, {
          key,
          points: level.entryRewardPoints,
          reason: `Welcome to ${level.name}`,
          policy: config.negativeBalancePolicy,
          occurredAt: now,
        }),
    });
    if (rewarded.status === "applied") {
      triggers.push(
        ...rewardTriggers(
          config,
          row.customerId,
          available,
          rewarded.state.balances.available,
        ),
      );
      available = rewarded.state.balances.available;
    }
  }
  const prefix = config.tiers.tagPrefix;
  const target = tierTag(prefix, change.to);
  return {
    change,
    jobs: [
      ...flowTriggerJobs(member.shop, triggers),
      customerTagsJob(member.shop, {
        customerId: row.customerId,
        add: [target],
        // Only the tags of this program's tiers: the app never touches tags it did not write.
        remove: config.tiers.levels
          .map((level) => tierTag(prefix, levelHandle(level)))
          .filter((tag) => tag !== target),
      }),
      metafieldsJob(change.to, available, qualifying),
    ],
  };
}

function memberActivity(tx: Queryable, member: MemberRef, basis: TierBasis) {
  return basis === "POINTS_EARNED"
    ? pointsActivityOf(tx, member)
    : spendActivityOf(tx, member);
}

/**
 * What counts toward the member's tier at `now`. For points earned over a lifetime that is the
 * cached lifetime total, read without touching the entries.
 */
export async function qualifyingTotalOf(
  tx: Queryable,
  member: MemberRef & { lifetimeEarned: number },
  tiers: TierRulesInput,
  now: Date,
  timezone: string,
): Promise<number> {
  if (tiers.basis === "POINTS_EARNED" && tiers.window === "LIFETIME")
    return member.lifetimeEarned;
  const activity = await memberActivity(tx, member, tiers.basis);
  return qualifyingTotal(activity, tiers.basis, tiers.window, now, timezone);
}

/** POINTS_EARNED: every change to the member's lifetime earnings, dated by its entry. */
async function pointsActivityOf(tx: Queryable, member: MemberRef) {
  const entries = await tx.query<{ occurredAt: Date; lifetime: number }>(
    `SELECT "occurredAt", "deltaLifetimeEarned" AS lifetime FROM "LedgerEntry"
     WHERE shop = $1 AND "memberId" = $2 AND "deltaLifetimeEarned" <> 0`,
    [member.shop, member.memberId],
  );
  return pointsActivity(
    entries.map((entry) => ({
      occurredAt: entry.occurredAt,
      delta: {
        available: 0,
        pending: 0,
        held: 0,
        lifetimeEarned: entry.lifetime,
      },
    })),
  );
}

/** AMOUNT_SPENT: the earning base of the member's orders, less refunds and cancellations. */
async function spendActivityOf(tx: Queryable, member: MemberRef) {
  const orders = await tx.query<{
    at: Date;
    baseMinor: number;
    lineBases: LineBase[] | null;
    cancelledAt: Date | null;
    refunds: { at: string; lines: RefundedLine[]; moneyRefunded: boolean }[];
  }>(
    `SELECT o."processedAt" AS at, (o.snapshot->>'baseMinor')::bigint AS "baseMinor",
       o."lineBases", o."cancelledAt",
       coalesce((SELECT json_agg(json_build_object('at', r."refundedAt", 'lines', r.lines,
                   'moneyRefunded', r."moneyRefunded"))
                 FROM "RefundRecord" r WHERE r.shop = o.shop AND r."orderId" = o."orderId"), '[]') AS refunds
     FROM "OrderRecord" o
     WHERE o.shop = $1 AND o."memberId" = $2 AND o.outcome = 'EARNED' AND o."processedAt" IS NOT NULL`,
    [member.shop, member.memberId],
  );
  return spendActivity(
    orders.map((order) => ({
      at: order.at,
      baseMinor: order.baseMinor,
      lineBases: order.lineBases ?? [],
      cancelledAt: order.cancelledAt,
      refunds: order.refunds.map((refund) => ({
        ...refund,
        at: jsonTimestamp(refund.at),
      })),
    })),
  );
}
