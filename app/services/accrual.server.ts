import type { OrderRecord, RefundRecord } from "@prisma/client";
import type { Tx } from "~/db/client.server";
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
} from "~/loyalty/ledger";
import { lotTimes, type ProgramConfig } from "~/loyalty/program";
import {
  refundedBase,
  type LineBase,
  type RefundedLine,
} from "~/loyalty/refunds";
import type { PaidOrder } from "~/shopify/order-payload";
import { writeLedger, type MemberRef } from "./ledger.server";
import { ensureMember } from "./members.server";
import { ensureShop, programConfig } from "./program.server";
import type { WebhookOutcome } from "./webhook-runner.server";

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

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

/**
 * The shop's program, creating the shop's row with defaults (switched off) when an order arrives
 * before the app has seen the shop any other way.
 */
async function shopProgram(tx: Tx, shop: string, currency: string) {
  const row = await tx.shop.findUnique({ where: { shop } });
  const ensured = row ?? (await ensureShop(tx, { shop, currency }));
  const config = await programConfig(tx, shop);
  if (!config) throw new Error(`shop ${shop} has no program`);
  return { config, installedAt: ensured.installedAt };
}

/**
 * Locks the order's record (creating it when this is the first the app hears of the order), so
 * the paid, cancelled and refund deliveries of one order are applied one after another.
 */
async function lockOrder(
  tx: Tx,
  shop: string,
  orderId: string,
  seed: Partial<OrderRecord> = {},
) {
  await tx.orderRecord.createMany({
    data: [
      {
        shop,
        orderId,
        outcome: "WAITING",
        currency: seed.currency ?? null,
        customerId: seed.customerId ?? null,
      },
    ],
    skipDuplicates: true,
  });
  await tx.$queryRaw`SELECT 1 FROM "OrderRecord" WHERE shop = ${shop} AND "orderId" = ${orderId} FOR UPDATE`;
  return tx.orderRecord.findUniqueOrThrow({
    where: { shop_orderId: { shop, orderId } },
  });
}

/**
 * Multipliers and bonuses that apply to this member's order. Tiers (earn multiplier) and campaigns
 * add theirs here; everything else in accrual stays the same, and the result is snapshotted on the
 * entry so later refunds use exactly what was in force.
 */
export async function earnModifiers(
  _tx: Tx,
  _member: MemberRef,
  _config: ProgramConfig,
): Promise<EarnModifier[]> {
  return [];
}

/** orders/paid: earn by the shop's rule, or record why not. Converges whatever arrived before. */
export async function recordPaidOrder(
  tx: Tx,
  shop: string,
  order: PaidOrder,
  context: AccrualContext,
): Promise<WebhookOutcome> {
  const { config, installedAt } = await shopProgram(tx, shop, order.currency);
  const record = await lockOrder(tx, shop, order.orderId, {
    currency: order.currency,
    customerId: order.customer?.id,
  });
  if (record.paidAt) return { status: "ignored", reason: "ALREADY_RECORDED" };

  const paid = {
    currency: order.currency,
    customerId: order.customer?.id ?? null,
    processedAt: order.occurredAt,
    paidAt: context.now,
    cancelledAt: record.cancelledAt ?? order.cancelledAt,
  };
  const ignore = async (
    reason: IgnoredReason,
    extra: Partial<OrderRecord> = {},
  ): Promise<WebhookOutcome> => {
    await tx.orderRecord.update({
      where: { shop_orderId: { shop, orderId: order.orderId } },
      data: {
        ...paid,
        outcome: "IGNORED",
        reason,
        ...extra,
        snapshot: extra.snapshot ?? undefined,
        lineBases: extra.lineBases ?? undefined,
      },
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

  const existing = await tx.member.findUnique({
    where: { shop_customerId: { shop, customerId: order.customer.id } },
    select: { redactedAt: true },
  });
  if (existing?.redactedAt) return ignore("MEMBER_REDACTED");
  const member = await ensureMember(tx, shop, order.customer.id, {
    email: order.customer.email,
    firstName: order.customer.firstName,
    lastName: order.customer.lastName,
  });

  const evaluation = evaluateEarn(
    order.forEarning,
    rule,
    await earnModifiers(tx, member, config),
  );
  if (evaluation.points === 0)
    return ignore("NO_POINTS", { memberId: member.memberId });

  await grantOrderEarn(
    tx,
    member,
    order.orderId,
    evaluation.snapshot,
    order.occurredAt,
    config,
    context,
  );
  await tx.orderRecord.update({
    where: { shop_orderId: { shop, orderId: order.orderId } },
    data: {
      ...paid,
      outcome: "EARNED",
      reason: null,
      memberId: member.memberId,
      points: evaluation.points,
      snapshot: evaluation.snapshot,
      lineBases,
    },
  });
  await applyWaitingReversals(tx, shop, order.orderId, config, context);
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
) {
  const key = orderEarnKey(orderId);
  const { availableAt, expiresAt } = lotTimes(config, occurredAt);
  await writeLedger(tx, member, {
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
  });
}

/** Refunds and a cancellation that arrived before the order earned: applied now, in Shopify's order. */
async function applyWaitingReversals(
  tx: Tx,
  shop: string,
  orderId: string,
  config: ProgramConfig,
  context: AccrualContext,
) {
  const waiting = await tx.refundRecord.findMany({
    where: { shop, orderId, appliedAt: null },
    orderBy: [{ refundedAt: "asc" }, { refundId: "asc" }],
  });
  for (const refund of waiting)
    await applyRefund(tx, shop, refund, config, context);
  const record = await tx.orderRecord.findUniqueOrThrow({
    where: { shop_orderId: { shop, orderId } },
  });
  if (record.cancelledAt && !record.cancelApplied)
    await applyCancel(tx, record, config, context);
}

/** What of the order's earn has not been taken back yet. */
async function earnLeftToReverse(tx: Tx, shop: string, orderId: string) {
  const lot = await tx.lot.findUnique({
    where: { shop_lotKey: { shop, lotKey: orderEarnKey(orderId) } },
  });
  return lot ? lot.points - lot.reversed : 0;
}

/**
 * Not earned yet but may still earn: its payment has not arrived, or it is a guest order kept for
 * the buyer's future account. Reversals of such an order wait for it to earn.
 */
const mayStillEarn = (record: OrderRecord) =>
  record.outcome === "WAITING" ||
  (record.outcome === "IGNORED" && record.guestEmail !== null);

function earnedOrder(record: OrderRecord) {
  if (record.outcome !== "EARNED" || !record.memberId || !record.snapshot)
    return null;
  return {
    member: { shop: record.shop, memberId: record.memberId },
    snapshot: earnSnapshotSchema.parse(record.snapshot),
    lineBases: (record.lineBases ?? []) as LineBase[],
  };
}

async function applyRefund(
  tx: Tx,
  shop: string,
  refund: RefundRecord,
  config: ProgramConfig,
  context: AccrualContext,
) {
  const record = await tx.orderRecord.findUniqueOrThrow({
    where: { shop_orderId: { shop, orderId: refund.orderId } },
  });
  const earned = earnedOrder(record);
  let clawedBack = 0;
  if (earned && refund.moneyRefunded) {
    const before = await tx.refundRecord.findMany({
      where: { shop, orderId: refund.orderId, appliedAt: { not: null } },
      select: { lines: true, clawedBack: true },
    });
    const earlierLines = before.map(
      (applied) => applied.lines as RefundedLine[],
    );
    const cumulativeBase = refundedBase(
      earned.lineBases,
      [],
      [...earlierLines.flat(), ...(refund.lines as RefundedLine[])],
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
      const key = refundKey(refund.refundId);
      const lotKey = orderEarnKey(refund.orderId);
      await writeLedger(tx, earned.member, {
        key,
        lotKeys: [lotKey],
        webhookEventId: context.webhookEventId,
        plan: (state) =>
          reverseEarn(state, {
            key,
            lotKey,
            points: clawedBack,
            policy: config.negativeBalancePolicy,
            occurredAt: refund.refundedAt,
            refs: { orderId: refund.orderId, refundId: refund.refundId },
            reason: "Refund",
          }),
      });
    }
  }
  if (!mayStillEarn(record)) {
    await tx.refundRecord.update({
      where: { shop_refundId: { shop, refundId: refund.refundId } },
      data: { appliedAt: context.now, clawedBack },
    });
  }
}

async function applyCancel(
  tx: Tx,
  record: OrderRecord,
  config: ProgramConfig,
  context: AccrualContext,
) {
  const earned = earnedOrder(record);
  const points = earned
    ? await earnLeftToReverse(tx, record.shop, record.orderId)
    : 0;
  if (earned && points > 0) {
    const key = orderCancelKey(record.orderId);
    const lotKey = orderEarnKey(record.orderId);
    await writeLedger(tx, earned.member, {
      key,
      lotKeys: [lotKey],
      webhookEventId: context.webhookEventId,
      plan: (state) =>
        reverseEarn(state, {
          key,
          lotKey,
          points,
          policy: config.negativeBalancePolicy,
          occurredAt: record.cancelledAt ?? context.now,
          refs: { orderId: record.orderId },
          reason: "Order cancelled",
        }),
    });
  }
  await tx.orderRecord.update({
    where: { shop_orderId: { shop: record.shop, orderId: record.orderId } },
    data: { cancelApplied: true },
  });
}

/** orders/cancelled: takes back what the order still holds, now or when its payment arrives. */
export async function recordCancelledOrder(
  tx: Tx,
  shop: string,
  cancel: {
    orderId: string;
    currency: string;
    customerId: string | null;
    cancelledAt: Date;
  },
  context: AccrualContext,
): Promise<WebhookOutcome> {
  const record = await lockOrder(tx, shop, cancel.orderId, {
    currency: cancel.currency,
    customerId: cancel.customerId,
  });
  if (record.cancelledAt)
    return { status: "ignored", reason: "ALREADY_RECORDED" };
  const updated = await tx.orderRecord.update({
    where: { shop_orderId: { shop, orderId: cancel.orderId } },
    data: { cancelledAt: cancel.cancelledAt },
  });
  if (mayStillEarn(updated)) return { status: "applied" };
  const { config } = await shopProgram(tx, shop, cancel.currency);
  await applyCancel(tx, updated, config, context);
  return { status: "applied" };
}

/** refunds/create: claws back the refunded share by the rule the points were earned under. */
export async function recordRefund(
  tx: Tx,
  shop: string,
  refund: {
    refundId: string;
    orderId: string;
    lines: RefundedLine[];
    moneyRefunded: boolean;
    refundedAt: Date;
  },
  context: AccrualContext,
): Promise<WebhookOutcome> {
  const record = await lockOrder(tx, shop, refund.orderId);
  const created = await tx.refundRecord.createMany({
    data: [{ shop, ...refund }],
    skipDuplicates: true,
  });
  if (created.count === 0)
    return { status: "ignored", reason: "ALREADY_RECORDED" };
  if (mayStillEarn(record)) return { status: "applied" };
  const stored = await tx.refundRecord.findUniqueOrThrow({
    where: { shop_refundId: { shop, refundId: refund.refundId } },
  });
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
  const config = await programConfig(tx, shop);
  if (!config?.guestOrderMatching) return 0;
  const candidates = await tx.orderRecord.findMany({
    where: {
      shop,
      guestEmail: normaliseEmail(email),
      outcome: "IGNORED",
      reason: "GUEST",
    },
    select: { orderId: true },
    orderBy: { orderId: "asc" },
  });
  let granted = 0;
  for (const { orderId } of candidates) {
    const record = await lockOrder(tx, shop, orderId);
    if (record.guestEmail === null || !record.snapshot || !record.processedAt)
      continue;
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
    await tx.orderRecord.update({
      where: { shop_orderId: { shop, orderId } },
      data: {
        outcome: "EARNED",
        reason: null,
        memberId: member.memberId,
        customerId,
        guestEmail: null,
      },
    });
    await applyWaitingReversals(tx, shop, orderId, config, context);
    granted += 1;
  }
  return granted;
}
