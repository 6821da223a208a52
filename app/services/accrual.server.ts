import type { Tx } from "~/db/client.server";
import type { SharedQuery } from "~/db/sql.server";
import { jsonTimestamp } from "~/db/sql.server";
import {
  earnSnapshotSchema,
  evaluateEarn,
  lineEarningBase,
  refundClawback,
  type EarnModifier,
  type EarnSnapshot,
} from "~/loyalty/earn-rule";
import { orderCancelKey, orderEarnKey, refundKey } from "~/loyalty/keys";
import {
  applyWrite,
  concatWrites,
  earn,
  reverseEarn,
  settleDue,
  type EntryRefs,
} from "~/loyalty/ledger";
import { orderValue, type OrderValue } from "~/loyalty/order-value";
import { lotTimes, type ProgramConfig } from "~/loyalty/program";
import {
  refundedBase,
  type LineBase,
  type RefundedLine,
} from "~/loyalty/refunds";
import { levelHandle, tierModifiers, tierReviewNeeded } from "~/loyalty/tiers";
import type { PaidOrder } from "~/shopify/order-payload";
import {
  writeLedger,
  writeLockedLedger,
  type LedgerOperation,
  type LockedState,
  type MemberRef,
} from "./ledger.server";
import { dayBucket } from "./ledger-days.server";
import { ensureMemberLocked } from "./members.server";
import {
  memberMetafieldsJob,
  memberMetafieldsPayload,
} from "./member-metafields.server";
import { earnTriggers, flowTriggerJobs } from "./flow-triggers.server";
import { enqueueAll } from "./outbox.server";
import { planTierReview, reviewMemberTier } from "./tiers.server";
import {
  ensureShop,
  readProgramConfig,
  shopWithProgram,
} from "./program.server";
import type { WebhookOutcome } from "./webhook-runner.server";
import { advanceChallenges } from "./challenges.server";
import { orderUpdate } from "./order-rollups.server";
import { shippingAddressHash } from "./referrals.server";

/** Why an order earned nothing; shown to the merchant beside the order. */
export type IgnoredReason =
  | "TEST_ORDER"
  | "PROGRAM_OFF"
  | "BEFORE_PROGRAM_START"
  | "GUEST"
  | "MEMBER_REDACTED"
  | "NO_POINTS";

export interface AccrualContext {
  /** The time the app acts at: decides whether points are still pending. */
  now: Date;
  webhookEventId?: string | null;
}

export interface Cancellation {
  orderId: string;
  currency: string;
  customerId: string | null;
  cancelledAt: Date;
}

export interface ReceivedRefund {
  refundId: string;
  orderId: string;
  lines: RefundedLine[];
  moneyRefunded: boolean;
  refundedAt: Date;
}

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

interface OrderRow {
  shop: string;
  orderId: string;
  customerId: string | null;
  memberId: string | null;
  guestEmail: string | null;
  currency: string | null;
  outcome: "WAITING" | "EARNED" | "IGNORED";
  reason: string | null;
  points: number | null;
  snapshot: unknown;
  lineBases: unknown;
  name: string | null;
  processedAt: Date | null;
  paidAt: Date | null;
  cancelledAt: Date | null;
  cancelApplied: boolean;
  /** A refund arrived before the order earned and waits to be applied. */
  refundsWaiting: boolean;
}

/** What the paid order tells the referral checks and the spend challenges. */
interface PaidFacts {
  shippingAddressHash: string | null;
  spentMinor: number;
}

interface ProgramJson {
  installedAt: string;
  /** The jsonb column as text, for readProgramConfig. */
  config: string;
}

interface RefundRow {
  refundId: string;
  orderId: string;
  lines: RefundedLine[];
  moneyRefunded: boolean;
  refundedAt: Date;
  clawedBack: number | null;
}

/**
 * The shop's program, creating the shop's row with defaults (switched off) when an order arrives
 * before the app has seen the shop any other way.
 */
async function shopProgram(tx: Tx, shop: string, currency: string) {
  const found = await shopWithProgram(tx, shop);
  if (found)
    return { config: found.config, installedAt: found.shop.installedAt };
  await ensureShop(tx, { shop, currency });
  const created = await shopWithProgram(tx, shop);
  if (!created) throw new Error(`shop ${shop} has no program`);
  return { config: created.config, installedAt: created.shop.installedAt };
}

const orderColumns = `shop, "orderId", "customerId", "memberId", "guestEmail", currency, outcome,
  reason, points, snapshot, "lineBases", "processedAt", "paidAt", "cancelledAt", "cancelApplied",
  "refundsWaiting"`;

interface OrderLock {
  shop: string;
  orderId: string;
  currency: string | null;
  customerId: string | null;
}

/**
 * The records of the orders given, created when this is the first the app hears of them, and
 * locked in the order given. The no-op update is what takes the row lock when the row already
 * exists. A group's paid orders lock theirs in one statement.
 */
const orderLocks: SharedQuery<
  OrderLock,
  OrderRow & { program: ProgramJson | null }
> = {
  text: `INSERT INTO "OrderRecord" AS o (shop, "orderId", outcome, currency, "customerId", "updatedAt")
     SELECT shop, "orderId", 'WAITING', currency, "customerId", now()
     FROM jsonb_to_recordset($1::jsonb)
       AS r(shop text, "orderId" text, currency text, "customerId" text)
     ON CONFLICT (shop, "orderId") DO UPDATE SET shop = EXCLUDED.shop
     RETURNING o.shop || ' ' || o."orderId" AS key, ${orderColumns},
       (SELECT json_build_object('installedAt', s."installedAt", 'config', s.config::text)
        FROM "Shop" s WHERE s.shop = o.shop) AS program`,
  key: (lock) => `${lock.shop} ${lock.orderId}`,
};

/**
 * Locks the order's record (creating it when this is the first the app hears of the order), so
 * the paid, cancelled and refund deliveries of one order are applied one after another.
 */
function lockOrder(
  tx: Tx,
  shop: string,
  orderId: string,
  seed: { currency?: string | null; customerId?: string | null } = {},
): Promise<OrderRow & { program: ProgramJson | null }> {
  return tx.queryRow(orderLocks, {
    shop,
    orderId,
    currency: seed.currency ?? null,
    customerId: seed.customerId ?? null,
  });
}

/** Every change to an order row after lockOrder, so the dashboard's rollups follow each one. */
function updateOrder(
  tx: Tx,
  shop: string,
  orderId: string,
  fields: Partial<
    Omit<OrderRow, "shop" | "orderId" | "waitingRefunds"> &
      PaidFacts &
      OrderValue
  >,
) {
  const names = Object.keys(fields);
  if (names.length === 0) return;
  const assignments = names.map((name, index) => `"${name}" = $${index + 4}`);
  // The order's row and its rollups are no shared write's: the members' ledger rows and outbox
  // jobs given before it keep waiting for the other deliveries' of the group.
  tx.writeAhead(orderUpdate(assignments.join(", ")), [
    shop,
    orderId,
    dayBucket(orderId),
    ...Object.values(fields),
  ]);
}

/**
 * Multipliers and bonuses that apply to this member's order. Tiers (earn multiplier) and campaigns
 * add theirs here; everything else in accrual stays the same, and the result is snapshotted on the
 * entry so later refunds use exactly what was in force.
 */
export function earnModifiers(
  config: ProgramConfig,
  tierHandle: string | null,
): EarnModifier[] {
  const tier = config.tiers.levels.find(
    (level) => levelHandle(level) === tierHandle,
  );
  return tier ? tierModifiers(tier) : [];
}

/** orders/paid: earn by the shop's rule, or record why not. Converges whatever arrived before. */
export async function recordPaidOrder(
  tx: Tx,
  shop: string,
  order: PaidOrder,
  context: AccrualContext,
): Promise<WebhookOutcome> {
  // The member's lock and state are asked for with the order's, in the same round trip, before
  // the order says whether they are needed: a member is who a customer of the shop is anyway
  // (customers/create records one whatever the program says), and a test order never earns.
  const { customer } = order;
  const [record, memberState] = await Promise.all([
    lockOrder(tx, shop, order.orderId, {
      currency: order.currency,
      customerId: customer?.id,
    }),
    customer && !order.test
      ? // A microtask later, so that the other paid orders of the group give their orders' locks
        // first and they all leave in one statement, ahead of every member's lock.
        Promise.resolve().then(() =>
          ensureMemberLocked(
            tx,
            shop,
            customer.id,
            {
              email: customer.email,
              firstName: customer.firstName,
              lastName: customer.lastName,
            },
            orderEarnKey(order.orderId),
            context.now,
          ),
        )
      : null,
  ]);
  const { config, installedAt } = record.program
    ? {
        config: readProgramConfig(record.program.config),
        installedAt: jsonTimestamp(record.program.installedAt),
      }
    : await shopProgram(tx, shop, order.currency);
  if (record.paidAt) return { status: "ignored", reason: "ALREADY_RECORDED" };

  const paid = {
    name: order.name,
    currency: order.currency,
    customerId: order.customer?.id ?? null,
    processedAt: order.occurredAt,
    paidAt: context.now,
    cancelledAt: record.cancelledAt ?? order.cancelledAt,
    shippingAddressHash: shippingAddressHash(shop, order.shippingAddress),
    spentMinor: order.spentMinor,
    ...orderValue(order.forEarning),
  };
  const ignore = (
    reason: IgnoredReason,
    extra: Partial<OrderRow> = {},
  ): WebhookOutcome => {
    updateOrder(tx, shop, order.orderId, {
      ...paid,
      outcome: "IGNORED",
      reason,
      ...extra,
    });
    return { status: "ignored", reason };
  };

  if (order.test) return ignore("TEST_ORDER");
  if (!config.enabled) return ignore("PROGRAM_OFF");
  const programStart = config.programStartAt ?? installedAt;
  if (order.occurredAt < programStart) return ignore("BEFORE_PROGRAM_START");

  const rule = config.earn;
  const lineBases: LineBase[] = order.forEarning.lines.map((line, index) => ({
    lineItemId: order.lineItemIds[index] ?? String(index),
    quantity: line.quantity,
    baseMinor: lineEarningBase(line, rule),
  }));

  if (!order.customer) {
    // Kept (with the rule in force now) so the points can be granted if the buyer later opens an
    // account with this e-mail.
    const evaluation = evaluateEarn(order.forEarning, rule);
    const keep =
      config.guestOrderMatching && order.email && evaluation.points > 0;
    return ignore(
      "GUEST",
      keep
        ? {
            guestEmail: normaliseEmail(order.email ?? ""),
            points: evaluation.points,
            snapshot: evaluation.snapshot,
            lineBases,
          }
        : {},
    );
  }

  if (!memberState) throw new Error(`order ${order.orderId} has no member`);
  const { member, locked } = memberState;
  if (member.redacted) return ignore("MEMBER_REDACTED");

  const evaluation = evaluateEarn(
    order.forEarning,
    rule,
    earnModifiers(config, member.tierHandle),
  );
  if (evaluation.points === 0) {
    return ignore("NO_POINTS", { memberId: member.memberId });
  }

  const granted = await grantOrderEarn(
    tx,
    member,
    order.orderId,
    evaluation.snapshot,
    order.occurredAt,
    config,
    context,
    locked,
  );
  // Recorded before the tier review: a spend tier reads the order's base from this record.
  updateOrder(tx, shop, order.orderId, {
    ...paid,
    outcome: "EARNED",
    reason: null,
    memberId: member.memberId,
    points: evaluation.points,
    snapshot: evaluation.snapshot,
    lineBases,
  });
  if (granted.status === "applied") {
    const { balances } = granted.state;
    // Flow's "points earned" and any "reward available", the tier's tag and the metafields: one
    // INSERT on the webhook path for everything the earn announces.
    const announced = flowTriggerJobs(
      shop,
      earnTriggers(
        config,
        order.customer.id,
        granted.write,
        balances.available,
        {
          points: evaluation.points,
          reason: order.name ? `order ${order.name}` : "order",
        },
      ),
    );
    const { jobs } = tierReviewNeeded(
      config.tiers,
      member.tierHandle,
      balances.lifetimeEarned,
      member.tierCredit,
      context.now,
    )
      ? await planTierReview(tx, member, config, context.now, balances)
      : // The tier stays, which tierReviewNeeded only says for POINTS_EARNED over a LIFETIME
        // window, where the qualifying points are lifetimeEarned: the earn's own balances say
        // it all.
        {
          jobs: [
            memberMetafieldsJob(
              shop,
              memberMetafieldsPayload(config.tiers, {
                customerId: order.customer.id,
                tierHandle: member.tierHandle,
                available: balances.available,
                qualifyingPoints: balances.lifetimeEarned,
              }),
            ),
          ],
        };
    enqueueAll(tx, [...announced, ...jobs], context.now);
  }
  // After the earn's metafields: a bonus paid here enqueues newer ones, which supersede them.
  if (config.growth.challenges.length > 0)
    await advanceChallenges(tx, member, config, order.occurredAt, context.now);
  if (record.refundsWaiting || paid.cancelledAt) {
    await applyWaitingReversals(tx, shop, order.orderId, config, context);
  }
  return { status: "applied" };
}

async function grantOrderEarn(
  tx: Tx,
  member: MemberRef,
  orderId: string,
  snapshot: EarnSnapshot,
  occurredAt: Date,
  config: ProgramConfig,
  context: AccrualContext,
  locked?: LockedState,
) {
  const key = orderEarnKey(orderId);
  const { availableAt, expiresAt } = lotTimes(config, occurredAt);
  const operation: LedgerOperation = {
    key,
    webhookEventId: context.webhookEventId,
    plan: (state) => {
      const settled = settleDue(state, context.now);
      const earned = earn(applyWrite(state, settled), {
        key,
        points: snapshot.points,
        occurredAt,
        availableAt,
        expiresAt,
        now: context.now,
        snapshot,
        refs: { orderId },
      });
      return concatWrites(settled, earned);
    },
  };
  return locked
    ? writeLockedLedger(tx, member, locked, operation)
    : writeLedger(tx, member, operation);
}

const refundColumns = `"refundId", "orderId", lines, "moneyRefunded", "refundedAt", "clawedBack"`;

/** Refunds and a cancellation that arrived before the order earned: applied now, in Shopify's order. */
async function applyWaitingReversals(
  tx: Tx,
  shop: string,
  orderId: string,
  config: ProgramConfig,
  context: AccrualContext,
) {
  const waiting = await tx.query<RefundRow>(
    `SELECT ${refundColumns} FROM "RefundRecord"
     WHERE shop = $1 AND "orderId" = $2 AND "appliedAt" IS NULL
     ORDER BY "refundedAt", "refundId"`,
    [shop, orderId],
  );
  for (const refund of waiting) {
    await applyRefund(tx, shop, refund, config, context);
  }
  if (waiting.length > 0)
    updateOrder(tx, shop, orderId, { refundsWaiting: false });
  const record = await lockOrder(tx, shop, orderId);
  if (record.cancelledAt && !record.cancelApplied) {
    await applyCancel(tx, record, config, context);
  }
}

/** What of the order's earn has not been taken back yet. */
async function earnLeftToReverse(tx: Tx, shop: string, orderId: string) {
  const [lot] = await tx.query<{ left: number }>(
    `SELECT points - reversed AS left FROM "Lot" WHERE shop = $1 AND "lotKey" = $2`,
    [shop, orderEarnKey(orderId)],
  );
  return lot?.left ?? 0;
}

/**
 * Not earned yet but may still earn: its payment has not arrived, or it is a guest order kept for
 * the buyer's future account. Reversals of such an order wait for it to earn.
 */
const mayStillEarn = (record: OrderRow) =>
  record.outcome === "WAITING" ||
  (record.outcome === "IGNORED" && record.guestEmail !== null);

function earnedOrder(record: OrderRow) {
  if (record.outcome !== "EARNED" || !record.memberId || !record.snapshot) {
    return null;
  }
  return {
    member: { shop: record.shop, memberId: record.memberId },
    snapshot: earnSnapshotSchema.parse(record.snapshot),
    lineBases: (record.lineBases ?? []) as LineBase[],
  };
}

/**
 * Takes points of an order's earn back (refund, cancellation) under the shop's negative-balance
 * policy, then reviews the member's tier: a windowed tier is never overstated, and evaluateTier
 * demotes only after the period end and grace.
 */
async function takeBackEarn(
  tx: Tx,
  member: MemberRef,
  config: ProgramConfig,
  context: AccrualContext,
  reversal: {
    key: string;
    orderId: string;
    points: number;
    occurredAt: Date;
    refs: EntryRefs;
    reason: string;
  },
) {
  const lotKey = orderEarnKey(reversal.orderId);
  const reversed = await writeLedger(tx, member, {
    key: reversal.key,
    lotKeys: [lotKey],
    webhookEventId: context.webhookEventId,
    plan: (state) =>
      reverseEarn(state, {
        key: reversal.key,
        lotKey,
        points: reversal.points,
        policy: config.negativeBalancePolicy,
        occurredAt: reversal.occurredAt,
        refs: reversal.refs,
        reason: reversal.reason,
      }),
  });
  // Given the reversal's balances, the review also refreshes the member's metafields.
  await reviewMemberTier(
    tx,
    member,
    config,
    context.now,
    reversed.status === "applied" ? reversed.state.balances : undefined,
  );
}

async function applyRefund(
  tx: Tx,
  shop: string,
  refund: RefundRow,
  config: ProgramConfig,
  context: AccrualContext,
) {
  const record = await lockOrder(tx, shop, refund.orderId);
  const earned = earnedOrder(record);
  let clawedBack = 0;
  if (earned && refund.moneyRefunded) {
    const before = await tx.query<{
      lines: RefundedLine[];
      clawedBack: number | null;
    }>(
      `SELECT lines, "clawedBack" FROM "RefundRecord"
       WHERE shop = $1 AND "orderId" = $2 AND "appliedAt" IS NOT NULL`,
      [shop, refund.orderId],
    );
    const cumulativeBase = refundedBase(
      earned.lineBases,
      [],
      [...before.flatMap((applied) => applied.lines), ...refund.lines],
    );
    const alreadyClawedBack = before.reduce(
      (sum, applied) => sum + (applied.clawedBack ?? 0),
      0,
    );
    const owed = refundClawback(
      earned.snapshot,
      cumulativeBase,
      alreadyClawedBack,
    );
    clawedBack = Math.min(
      owed,
      await earnLeftToReverse(tx, shop, refund.orderId),
    );
    if (clawedBack > 0) {
      await takeBackEarn(tx, earned.member, config, context, {
        key: refundKey(refund.refundId),
        orderId: refund.orderId,
        points: clawedBack,
        occurredAt: refund.refundedAt,
        refs: { orderId: refund.orderId, refundId: refund.refundId },
        reason: "Refund",
      });
    }
  }
  if (!mayStillEarn(record)) {
    await tx.query(
      `UPDATE "RefundRecord" SET "appliedAt" = $3, "clawedBack" = $4 WHERE shop = $1 AND "refundId" = $2`,
      [shop, refund.refundId, context.now, clawedBack],
    );
  }
}

async function applyCancel(
  tx: Tx,
  record: OrderRow,
  config: ProgramConfig,
  context: AccrualContext,
) {
  const earned = earnedOrder(record);
  const points = earned
    ? await earnLeftToReverse(tx, record.shop, record.orderId)
    : 0;
  if (earned && points > 0) {
    await takeBackEarn(tx, earned.member, config, context, {
      key: orderCancelKey(record.orderId),
      orderId: record.orderId,
      points,
      occurredAt: record.cancelledAt ?? context.now,
      refs: { orderId: record.orderId },
      reason: "Order cancelled",
    });
  }
  updateOrder(tx, record.shop, record.orderId, {
    cancelledAt: record.cancelledAt,
    cancelApplied: true,
  });
}

/** orders/cancelled: takes back what the order still holds, now or when its payment arrives. */
export async function recordCancelledOrder(
  tx: Tx,
  shop: string,
  cancel: Cancellation,
  context: AccrualContext,
): Promise<WebhookOutcome> {
  const record = await lockOrder(tx, shop, cancel.orderId, {
    currency: cancel.currency,
    customerId: cancel.customerId,
  });
  if (record.cancelledAt)
    return { status: "ignored", reason: "ALREADY_RECORDED" };
  const updated = { ...record, cancelledAt: cancel.cancelledAt };
  if (mayStillEarn(updated)) {
    updateOrder(tx, shop, cancel.orderId, {
      cancelledAt: cancel.cancelledAt,
    });
    return { status: "applied" };
  }
  // The cancellation is written with the reversal, after the member's lock: writing it first
  // would take the buyer's rollup row before the member, the other way round from an earn.
  const { config } = await shopProgram(tx, shop, cancel.currency);
  await applyCancel(tx, updated, config, context);
  return { status: "applied" };
}

/** refunds/create: claws back the refunded share by the rule the points were earned under. */
export async function recordRefund(
  tx: Tx,
  shop: string,
  refund: ReceivedRefund,
  context: AccrualContext,
): Promise<WebhookOutcome> {
  const record = await lockOrder(tx, shop, refund.orderId);
  const [stored] = await tx.query<RefundRow>(
    `INSERT INTO "RefundRecord" (shop, "refundId", "orderId", lines, "moneyRefunded", "refundedAt")
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT DO NOTHING
     RETURNING ${refundColumns}`,
    [
      shop,
      refund.refundId,
      refund.orderId,
      refund.lines,
      refund.moneyRefunded,
      refund.refundedAt,
    ],
  );
  if (!stored) return { status: "ignored", reason: "ALREADY_RECORDED" };
  if (mayStillEarn(record)) {
    updateOrder(tx, shop, refund.orderId, { refundsWaiting: true });
    return { status: "applied" };
  }
  const { config } = await shopProgram(tx, shop, record.currency ?? "USD");
  await applyRefund(tx, shop, stored, config, context);
  return stored.moneyRefunded
    ? { status: "applied" }
    : { status: "ignored", reason: "NO_MONEY_REFUNDED" };
}

/**
 * A new account whose e-mail placed guest orders: those orders earn now, by the rule that was in
 * force when they were paid, with whatever was refunded or cancelled meanwhile taken back.
 */
export async function grantGuestOrders(
  tx: Tx,
  member: MemberRef,
  customerId: string,
  email: string,
  context: AccrualContext,
): Promise<number> {
  const { shop } = member;
  const found = await shopWithProgram(tx, shop);
  if (!found?.config.guestOrderMatching) return 0;
  const { config } = found;
  const candidates = await tx.query<{ orderId: string }>(
    `SELECT "orderId" FROM "OrderRecord"
     WHERE shop = $1 AND "guestEmail" = $2 AND outcome = 'IGNORED' AND reason = 'GUEST'
     ORDER BY "orderId"`,
    [shop, normaliseEmail(email)],
  );
  let granted = 0;
  for (const { orderId } of candidates) {
    const record = await lockOrder(tx, shop, orderId);
    if (record.guestEmail === null || !record.snapshot || !record.processedAt) {
      continue;
    }
    const snapshot = earnSnapshotSchema.parse(record.snapshot);
    await grantOrderEarn(
      tx,
      member,
      orderId,
      snapshot,
      record.processedAt,
      config,
      context,
    );
    updateOrder(tx, shop, orderId, {
      outcome: "EARNED",
      reason: null,
      memberId: member.memberId,
      customerId,
      guestEmail: null,
    });
    await applyWaitingReversals(tx, shop, orderId, config, context);
    granted += 1;
  }
  return granted;
}
