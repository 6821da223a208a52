import type { LedgerEntry, Lot, Prisma } from "@prisma/client";
import type { Tx } from "~/db/client.server";
import { earnSnapshotSchema } from "~/loyalty/earn-rule";
import {
  applyWrite,
  rebuild,
  type Allocation,
  type Balances,
  type EntryDetail,
  type EntryKind,
  type LedgerWrite,
  type MemberLedgerState,
  type NewEntry,
} from "~/loyalty/ledger";
import type { LotSource, LotState } from "~/loyalty/lots";

export interface MemberRef {
  shop: string;
  memberId: string;
}

export type Refusal = { ok: false; reason: string; [detail: string]: unknown };

export interface LedgerOperation {
  /** The operation's own idempotency key: when it is already in the ledger the call is a no-op. */
  key?: string;
  /** Closed lots the operation needs besides the open ones (the lot a reversal names, a hold's lots). */
  lotKeys?: string[];
  webhookEventId?: string | null;
  plan(state: MemberLedgerState): LedgerWrite | Refusal;
}

export type LedgerResult =
  | { status: "applied"; write: LedgerWrite; state: MemberLedgerState }
  | { status: "duplicate" }
  | { status: "refused"; refusal: Refusal };

/**
 * The one way points move. Locks the member's row (so concurrent writes for one member run one
 * after another and a hold can never spend the same points twice), loads the cached state, lets
 * the pure domain plan the write, and appends entries and allocations while updating the cached
 * balances and lots in the same transaction. The caller owns the transaction.
 */
export async function writeLedger(
  tx: Tx,
  member: MemberRef,
  operation: LedgerOperation,
): Promise<LedgerResult> {
  const before = await lockMemberState(tx, member, operation.lotKeys ?? []);
  if (
    operation.key !== undefined &&
    (await entryExists(tx, member.shop, operation.key))
  ) {
    return { status: "duplicate" };
  }
  const planned = operation.plan(before);
  if ("ok" in planned) return { status: "refused", refusal: planned };
  if (planned.entries.length === 0)
    return { status: "applied", write: planned, state: before };
  const after = applyWrite(before, planned);
  await appendWrite(tx, member, planned, operation.webhookEventId ?? null);
  await saveDerivedState(tx, member, before, after);
  return { status: "applied", write: planned, state: after };
}

async function entryExists(
  tx: Tx,
  shop: string,
  key: string,
): Promise<boolean> {
  const found = await tx.ledgerEntry.findUnique({
    where: { shop_idempotencyKey: { shop, idempotencyKey: key } },
    select: { id: true },
  });
  return found !== null;
}

/** Takes the member's row lock (held to the end of the transaction) without loading anything. */
export async function lockMember(tx: Tx, member: MemberRef): Promise<void> {
  const rows = await tx.$queryRaw<unknown[]>`
    SELECT 1 FROM "Member" WHERE id = ${member.memberId} AND shop = ${member.shop} FOR UPDATE`;
  if (rows.length === 0)
    throw new Error(
      `member ${member.memberId} of ${member.shop} does not exist`,
    );
}

export async function lockMemberState(
  tx: Tx,
  member: MemberRef,
  lotKeys: string[] = [],
): Promise<MemberLedgerState> {
  const rows = await tx.$queryRaw<Balances[]>`
    SELECT available, pending, held, "lifetimeEarned"
    FROM "Member" WHERE id = ${member.memberId} AND shop = ${member.shop}
    FOR UPDATE`;
  const balances = rows[0];
  if (!balances)
    throw new Error(
      `member ${member.memberId} of ${member.shop} does not exist`,
    );
  const lots = await tx.lot.findMany({
    where: {
      shop: member.shop,
      memberId: member.memberId,
      OR: [
        { remaining: { gt: 0 } },
        { matured: false },
        { lotKey: { in: lotKeys } },
      ],
    },
  });
  return { balances: { ...balances }, lots: lots.map(toLotState) };
}

async function appendWrite(
  tx: Tx,
  member: MemberRef,
  write: LedgerWrite,
  webhookEventId: string | null,
) {
  await tx.ledgerEntry.createMany({
    data: write.entries.map((entry) =>
      toEntryRow(member, entry, webhookEventId),
    ),
  });
  if (write.allocations.length > 0) {
    await tx.lotAllocation.createMany({
      data: write.allocations.map((allocation) => ({
        ...allocation,
        shop: member.shop,
        memberId: member.memberId,
      })),
    });
  }
}

async function saveDerivedState(
  tx: Tx,
  member: MemberRef,
  before: MemberLedgerState,
  after: MemberLedgerState,
) {
  await tx.member.update({
    where: { id: member.memberId },
    data: { ...after.balances },
  });
  const previous = new Map(before.lots.map((lot) => [lot.lotKey, lot]));
  for (const lot of after.lots) {
    const earlier = previous.get(lot.lotKey);
    if (earlier && sameLot(earlier, lot)) continue;
    const row = toLotRow(member, lot);
    if (earlier) {
      await tx.lot.update({
        where: { shop_lotKey: { shop: member.shop, lotKey: lot.lotKey } },
        data: row,
      });
    } else {
      await tx.lot.create({ data: row });
    }
  }
}

const sameLot = (a: LotState, b: LotState) =>
  a.remaining === b.remaining &&
  a.reversed === b.reversed &&
  a.matured === b.matured &&
  a.expired === b.expired;

/** What the ledger itself says the member has, recomputed from every entry and allocation. */
export async function rebuildMemberState(
  tx: Tx,
  member: MemberRef,
): Promise<MemberLedgerState> {
  const [entries, allocations] = await Promise.all([
    tx.ledgerEntry.findMany({
      where: { shop: member.shop, memberId: member.memberId },
      orderBy: { id: "asc" },
    }),
    tx.lotAllocation.findMany({
      where: { shop: member.shop, memberId: member.memberId },
      orderBy: { id: "asc" },
    }),
  ]);
  return rebuild(
    entries.map(toNewEntry),
    allocations.map(({ entryKey, lotKey, points }): Allocation => ({
      entryKey,
      lotKey,
      points,
    })),
  );
}

/** The cached balances and every lot, as stored. */
export async function cachedMemberState(
  tx: Tx,
  member: MemberRef,
): Promise<MemberLedgerState> {
  const row = await tx.member.findFirstOrThrow({
    where: { id: member.memberId, shop: member.shop },
  });
  const lots = await tx.lot.findMany({
    where: { shop: member.shop, memberId: member.memberId },
  });
  return {
    balances: {
      available: row.available,
      pending: row.pending,
      held: row.held,
      lifetimeEarned: row.lifetimeEarned,
    },
    lots: lots.map(toLotState).sort((a, b) => (a.lotKey < b.lotKey ? -1 : 1)),
  };
}

function toEntryRow(
  member: MemberRef,
  entry: NewEntry,
  webhookEventId: string | null,
): Prisma.LedgerEntryCreateManyInput {
  return {
    shop: member.shop,
    memberId: member.memberId,
    kind: entry.kind,
    idempotencyKey: entry.key,
    points: entry.points,
    deltaAvailable: entry.delta.available,
    deltaPending: entry.delta.pending,
    deltaHeld: entry.delta.held,
    deltaLifetimeEarned: entry.delta.lifetimeEarned,
    availableAt: entry.lot?.availableAt ?? null,
    expiresAt: entry.lot?.expiresAt ?? null,
    orderId: entry.refs.orderId ?? null,
    refundId: entry.refs.refundId ?? null,
    redemptionId: entry.refs.redemptionId ?? null,
    lotKey: entry.refs.lotKey ?? null,
    holdKey: entry.refs.holdKey ?? null,
    webhookEventId,
    reason: entry.detail.reason ?? null,
    snapshot: entry.snapshot ?? undefined,
    detail: entry.detail,
    occurredAt: entry.occurredAt,
  };
}

export function toNewEntry(row: LedgerEntry): NewEntry {
  const refs = {
    orderId: row.orderId,
    refundId: row.refundId,
    redemptionId: row.redemptionId,
    lotKey: row.lotKey,
    holdKey: row.holdKey,
  };
  return {
    key: row.idempotencyKey,
    kind: row.kind as EntryKind,
    points: row.points,
    delta: {
      available: row.deltaAvailable,
      pending: row.deltaPending,
      held: row.deltaHeld,
      lifetimeEarned: row.deltaLifetimeEarned,
    },
    occurredAt: row.occurredAt,
    refs: Object.fromEntries(
      Object.entries(refs).filter(([, value]) => value !== null),
    ),
    lot: row.availableAt
      ? { availableAt: row.availableAt, expiresAt: row.expiresAt }
      : null,
    snapshot:
      row.snapshot === null ? null : earnSnapshotSchema.parse(row.snapshot),
    detail: (row.detail ?? {}) as EntryDetail,
  };
}

function toLotState(row: Lot): LotState {
  return {
    lotKey: row.lotKey,
    source: row.source as LotSource,
    points: row.points,
    remaining: row.remaining,
    reversed: row.reversed,
    earnedAt: row.earnedAt,
    availableAt: row.availableAt,
    expiresAt: row.expiresAt,
    matured: row.matured,
    expired: row.expired,
  };
}

function toLotRow(
  member: MemberRef,
  lot: LotState,
): Prisma.LotUncheckedCreateInput {
  return { shop: member.shop, memberId: member.memberId, ...lot };
}
