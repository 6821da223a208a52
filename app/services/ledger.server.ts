import type { Tx } from "~/db/client.server";
import { jsonTimestamp, type SharedWrite } from "~/db/sql.server";
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
import {
  LEDGER_DAY_KINDS,
  LEDGER_DAY_MEASURES,
  dayBucket,
  ledgerDaySums,
} from "./ledger-days.server";

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
 * balances and lots in the same transaction: two statements in all. The caller owns the transaction.
 */
export async function writeLedger(
  tx: Tx,
  member: MemberRef,
  operation: LedgerOperation,
): Promise<LedgerResult> {
  const locked = await lockMemberState(
    tx,
    member,
    operation.lotKeys ?? [],
    operation.key,
  );
  return writeLockedLedger(tx, member, locked, operation);
}

/**
 * The member's state as read under its row lock (its lots as the operation's `LotSelection` chose
 * them), and whether the operation's key is used.
 */
export interface LockedState {
  state: MemberLedgerState;
  keyTaken: boolean;
}

/**
 * `writeLedger` for a caller that already holds the member's row lock and read its state in the
 * same statement (see `ensureMemberLocked`): one round trip fewer on the webhook path.
 */
export async function writeLockedLedger(
  tx: Tx,
  member: MemberRef,
  { state: before, keyTaken }: LockedState,
  operation: LedgerOperation,
): Promise<LedgerResult> {
  if (keyTaken) return { status: "duplicate" };
  const planned = operation.plan(before);
  if ("ok" in planned) return { status: "refused", refusal: planned };
  if (planned.entries.length === 0) {
    return { status: "applied", write: planned, state: before };
  }
  const after = applyWrite(before, planned);
  saveWrite(
    tx,
    member,
    planned,
    before,
    after,
    operation.webhookEventId ?? null,
  );
  return { status: "applied", write: planned, state: after };
}

/**
 * Which of the member's lots an operation reads under the lock. Taking points needs every open lot
 * (remaining, or not matured yet) plus the closed ones it names. An earn takes none: it needs only
 * what `settleDue` acts on at its time (pending lots due to mature, available ones due to expire),
 * so its cost stays the same however many lots a loyal member has gathered. The state it plans on
 * then holds those lots alone, which is all an earn's plan reads; the key check is done in SQL.
 */
export type LotSelection =
  { kind: "open"; lotKeys: readonly string[] } | { kind: "due"; at: Date };

const lotsJson = (member: string, condition: string) =>
  `(SELECT json_agg(l) FROM (
      SELECT "lotKey", source, points, remaining, reversed, "earnedAt", "availableAt",
             "expiresAt", matured, expired
      FROM "Lot"
      WHERE shop = ${member}.shop AND "memberId" = ${member}.id AND (${condition})
    ) l)`;

/**
 * SQL for the selected lots as one json array; `member` is an alias with `shop`, `id`, and `param`
 * the placeholder of `lotSelectionParameter(selection)`.
 */
export const selectedLotsJson = (
  member: string,
  kind: LotSelection["kind"],
  param: string,
) =>
  kind === "open"
    ? lotsJson(
        member,
        `remaining > 0 OR NOT matured
         OR "lotKey" IN (SELECT jsonb_array_elements_text(${param}::jsonb))`,
      )
    : lotsJson(
        member,
        `(NOT matured AND "availableAt" <= ${param}::timestamp(3))
         OR (matured AND NOT expired AND remaining > 0 AND "expiresAt" <= ${param}::timestamp(3))`,
      );

/** The value of the selection's placeholder: the named lot keys, or the time as UTC text. */
export const lotSelectionParameter = (selection: LotSelection) =>
  selection.kind === "open" ? selection.lotKeys : selection.at.toISOString();

type LockedRow = Balances & { lots: LotJson[] | null; keyTaken: boolean };

/** The state from a row read with `selectedLotsJson` and the key check. */
export function lockedStateFrom(row: LockedRow): LockedState {
  const { available, pending, held, lifetimeEarned } = row;
  return {
    state: {
      balances: { available, pending, held, lifetimeEarned },
      lots: (row.lots ?? []).map(lotFromJson),
    },
    keyTaken: row.keyTaken,
  };
}

/** Lot rows as json_agg gives them: timestamps as zone-less text, which the schema keeps in UTC. */
export type LotJson = Omit<
  LotState,
  "earnedAt" | "availableAt" | "expiresAt"
> & {
  earnedAt: string;
  availableAt: string;
  expiresAt: string | null;
};

export const lotFromJson = (lot: LotJson): LotState => ({
  ...lot,
  earnedAt: jsonTimestamp(lot.earnedAt),
  availableAt: jsonTimestamp(lot.availableAt),
  expiresAt: lot.expiresAt === null ? null : jsonTimestamp(lot.expiresAt),
});

/**
 * Takes the member's row lock (held to the end of the transaction) and reads, in the same
 * statement, the balances, every open lot plus the named ones, and whether `key` is already used.
 */
export async function lockMemberState(
  tx: Tx,
  member: MemberRef,
  lotKeys: string[] = [],
  key?: string,
): Promise<LockedState> {
  const rows = await tx.query<LockedRow & { fresh: boolean }>(
    `WITH locked AS (
       SELECT shop, id, available, pending, held, "lifetimeEarned", "ledgerVersion" FROM "Member"
       WHERE id = $1 AND shop = $2 FOR UPDATE
     )
     SELECT locked.available, locked.pending, locked.held, locked."lifetimeEarned",
       ${selectedLotsJson("locked", "open", "$3")} AS lots,
       EXISTS (SELECT 1 FROM "LedgerEntry" WHERE shop = $2 AND "idempotencyKey" = $4) AS "keyTaken",
       ${freshness("locked", "id = $1")} AS fresh
     FROM locked`,
    [member.memberId, member.shop, lotKeys, key ?? null],
  );
  const row = rows[0];
  if (!row) {
    throw new Error(
      `member ${member.memberId} of ${member.shop} does not exist`,
    );
  }
  return row.fresh
    ? lockedStateFrom(row)
    : rereadLockedState(tx, member, { kind: "open", lotKeys }, key);
}

/**
 * SQL telling whether what one statement read besides the locked member row is current. In READ
 * COMMITTED a statement reads as of its start, but a row lock it waited for returns the row's
 * latest version: if a ledger write for this member committed in between, the versions differ
 * and the lots (and the key check) must be read again, now that the lock is held.
 */
export const freshness = (locked: string, where: string) =>
  `coalesce((SELECT "ledgerVersion" FROM "Member" WHERE ${where}) = ${locked}."ledgerVersion", true)`;

/** The read part of `lockMemberState`, in a new statement, for a caller already holding the lock. */
export async function rereadLockedState(
  tx: Tx,
  member: MemberRef,
  lots: LotSelection,
  key?: string | null,
): Promise<LockedState> {
  const [row] = await tx.query<LockedRow>(
    `SELECT m.available, m.pending, m.held, m."lifetimeEarned",
       ${selectedLotsJson("m", lots.kind, "$3")} AS lots,
       EXISTS (SELECT 1 FROM "LedgerEntry" WHERE shop = $2 AND "idempotencyKey" = $4) AS "keyTaken"
     FROM "Member" m WHERE m.id = $1 AND m.shop = $2`,
    [member.memberId, member.shop, lotSelectionParameter(lots), key ?? null],
  );
  if (!row) {
    throw new Error(
      `member ${member.memberId} of ${member.shop} does not exist`,
    );
  }
  return lockedStateFrom(row);
}

/** Takes the member's row lock without loading anything. */
export async function lockMember(tx: Tx, member: MemberRef): Promise<void> {
  const rows = await tx.query(
    `SELECT 1 FROM "Member" WHERE id = $1 AND shop = $2 FOR UPDATE`,
    [member.memberId, member.shop],
  );
  if (rows.length === 0) {
    throw new Error(
      `member ${member.memberId} of ${member.shop} does not exist`,
    );
  }
}

const sameLot = (a: LotState, b: LotState) =>
  a.remaining === b.remaining &&
  a.reversed === b.reversed &&
  a.matured === b.matured &&
  a.expired === b.expired;

/** One member's write as `memberWrites` takes it. */
interface MemberWrite {
  shop: string;
  memberId: string;
  webhookEventId: string | null;
  entries: ReturnType<typeof toEntryRecord>[];
  allocations: Allocation[];
  lots: LotState[];
  available: number;
  pending: number;
  held: number;
  lifetimeEarned: number;
  /** The member's LedgerDay bucket. */
  bucket: number;
}

/**
 * Entries, allocations, changed lots and balances of members written in one transaction: one
 * statement for all the members whose writes were given before the transaction's next statement
 * (the webhook path's group), instead of one each. Entries of one day and bucket are summed
 * before they meet LedgerDay, which one statement can change only once a row.
 */
const memberWrites: SharedWrite<MemberWrite> = {
  text: `WITH w AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS w(shop text, "memberId" text,
         "webhookEventId" text, entries jsonb, allocations jsonb, lots jsonb, available int,
         pending int, held int, "lifetimeEarned" int, bucket int)
     ), entries AS (
       INSERT INTO "LedgerEntry" (shop, "memberId", kind, "idempotencyKey", points, "deltaAvailable",
         "deltaPending", "deltaHeld", "deltaLifetimeEarned", "availableAt", "expiresAt", "orderId",
         "refundId", "redemptionId", "lotKey", "holdKey", "webhookEventId", reason, snapshot, detail,
         "occurredAt")
       SELECT w.shop, w."memberId", e.kind, e.key, e.points, e."deltaAvailable", e."deltaPending",
         e."deltaHeld", e."deltaLifetimeEarned", e."availableAt", e."expiresAt", e."orderId",
         e."refundId", e."redemptionId", e."lotKey", e."holdKey", w."webhookEventId", e.reason,
         e.snapshot, e.detail, e."occurredAt"
       FROM w, jsonb_to_recordset(w.entries) AS e(kind text, key text, points int,
         "deltaAvailable" int, "deltaPending" int, "deltaHeld" int, "deltaLifetimeEarned" int,
         "availableAt" timestamp(3), "expiresAt" timestamp(3), "orderId" text, "refundId" text,
         "redemptionId" text, "lotKey" text, "holdKey" text, reason text, snapshot jsonb,
         detail jsonb, "occurredAt" timestamp(3))
       RETURNING 1
     ), allocations AS (
       INSERT INTO "LotAllocation" (shop, "memberId", "entryKey", "lotKey", points)
       SELECT w.shop, w."memberId", a."entryKey", a."lotKey", a.points
       FROM w, jsonb_to_recordset(w.allocations) AS a("entryKey" text, "lotKey" text, points int)
       RETURNING 1
     ), lots AS (
       INSERT INTO "Lot" (shop, "memberId", "lotKey", source, points, remaining, reversed,
         "earnedAt", "availableAt", "expiresAt", matured, expired)
       SELECT w.shop, w."memberId", l."lotKey", l.source, l.points, l.remaining, l.reversed,
         l."earnedAt", l."availableAt", l."expiresAt", l.matured, l.expired
       FROM w, jsonb_to_recordset(w.lots) AS l("lotKey" text, source text, points int,
         remaining int, reversed int, "earnedAt" timestamp(3), "availableAt" timestamp(3),
         "expiresAt" timestamp(3), matured boolean, expired boolean)
       ON CONFLICT (shop, "lotKey") DO UPDATE SET remaining = EXCLUDED.remaining,
         reversed = EXCLUDED.reversed, matured = EXCLUDED.matured, expired = EXCLUDED.expired
       RETURNING 1
     ), days AS (
       INSERT INTO "LedgerDay" AS d (shop, day, bucket, ${LEDGER_DAY_MEASURES})
       SELECT w.shop, e."occurredAt"::date, w.bucket, ${ledgerDaySums}
       FROM w, jsonb_to_recordset(w.entries) AS e(kind text, points int, "occurredAt" timestamp(3))
       WHERE e.kind IN ${LEDGER_DAY_KINDS}
       GROUP BY w.shop, 2, w.bucket
       ON CONFLICT (shop, day, bucket) DO UPDATE SET earned = d.earned + EXCLUDED.earned,
         "adjustedIn" = d."adjustedIn" + EXCLUDED."adjustedIn",
         "adjustedOut" = d."adjustedOut" + EXCLUDED."adjustedOut",
         reversed = d.reversed + EXCLUDED.reversed, redeemed = d.redeemed + EXCLUDED.redeemed,
         expired = d.expired + EXCLUDED.expired
       RETURNING 1
     )
     UPDATE "Member" m SET available = w.available, pending = w.pending, held = w.held,
       "lifetimeEarned" = w."lifetimeEarned", "ledgerVersion" = m."ledgerVersion" + 1,
       "updatedAt" = now()
     FROM w CROSS JOIN LATERAL (
       SELECT ctid AS tid FROM "Member" WHERE id = w."memberId" AND shop = w.shop OFFSET 0
     ) found
     WHERE m.ctid = found.tid
     RETURNING m.shop || ' ' || m.id AS key`,
  key: (write) => `${write.shop} ${write.memberId}`,
};

/** Entries, allocations, changed lots and the member's balances, in one shared statement. */
function saveWrite(
  tx: Tx,
  member: MemberRef,
  write: LedgerWrite,
  before: MemberLedgerState,
  after: MemberLedgerState,
  webhookEventId: string | null,
) {
  const previous = new Map(before.lots.map((lot) => [lot.lotKey, lot]));
  tx.writeRow(memberWrites, {
    shop: member.shop,
    memberId: member.memberId,
    webhookEventId,
    entries: write.entries.map(toEntryRecord),
    allocations: write.allocations,
    lots: after.lots.filter((lot) => {
      const earlier = previous.get(lot.lotKey);
      return !earlier || !sameLot(earlier, lot);
    }),
    ...after.balances,
    bucket: dayBucket(member.memberId),
  });
}

function toEntryRecord(entry: NewEntry) {
  return {
    kind: entry.kind,
    key: entry.key,
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
    reason: entry.detail.reason ?? null,
    snapshot: entry.snapshot,
    detail: entry.detail,
    occurredAt: entry.occurredAt,
  };
}

interface EntryRow {
  kind: string;
  idempotencyKey: string;
  points: number;
  deltaAvailable: number;
  deltaPending: number;
  deltaHeld: number;
  deltaLifetimeEarned: number;
  availableAt: Date | null;
  expiresAt: Date | null;
  orderId: string | null;
  refundId: string | null;
  redemptionId: string | null;
  lotKey: string | null;
  holdKey: string | null;
  snapshot: unknown;
  detail: unknown;
  occurredAt: Date;
}

export function toNewEntry(row: EntryRow): NewEntry {
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

/** What the ledger itself says the member has, recomputed from every entry and allocation. */
export async function rebuildMemberState(
  tx: Tx,
  member: MemberRef,
): Promise<MemberLedgerState> {
  const entries = await tx.query<EntryRow>(
    `SELECT kind, "idempotencyKey", points, "deltaAvailable", "deltaPending", "deltaHeld",
       "deltaLifetimeEarned", "availableAt", "expiresAt", "orderId", "refundId", "redemptionId",
       "lotKey", "holdKey", snapshot, detail, "occurredAt"
     FROM "LedgerEntry" WHERE shop = $1 AND "memberId" = $2 ORDER BY id`,
    [member.shop, member.memberId],
  );
  const allocations = await tx.query<Allocation>(
    `SELECT "entryKey", "lotKey", points FROM "LotAllocation"
     WHERE shop = $1 AND "memberId" = $2 ORDER BY id`,
    [member.shop, member.memberId],
  );
  return rebuild(entries.map(toNewEntry), allocations);
}

type LotRow = LotState;

/** The cached balances and every lot, as stored. */
export async function cachedMemberState(
  tx: Tx,
  member: MemberRef,
): Promise<MemberLedgerState> {
  const [row] = await tx.query<Balances>(
    `SELECT available, pending, held, "lifetimeEarned" FROM "Member" WHERE id = $1 AND shop = $2`,
    [member.memberId, member.shop],
  );
  if (!row)
    throw new Error(
      `member ${member.memberId} of ${member.shop} does not exist`,
    );
  const lots = await tx.query<LotRow>(
    `SELECT "lotKey", source, points, remaining, reversed, "earnedAt", "availableAt", "expiresAt",
       matured, expired
     FROM "Lot" WHERE shop = $1 AND "memberId" = $2 ORDER BY "lotKey"`,
    [member.shop, member.memberId],
  );
  return {
    balances: { ...row },
    lots: lots.map((lot) => ({ ...lot, source: lot.source as LotSource })),
  };
}
