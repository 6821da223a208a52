import { z } from "zod";
import type { EarnSnapshot } from "./earn-rule";
import { lotExpireKey, lotMatureKey, releaseExpiryKey } from "./keys";
import {
  compareLots,
  sortLots,
  takeOldest,
  type LotSource,
  type LotState,
  type LotTake,
} from "./lots";
import { assertPositiveInteger, assertSafeInteger } from "./rounding";

export type EntryKind =
  | "EARN"
  | "EARN_REVERSAL"
  | "ADJUSTMENT"
  | "MATURATION"
  | "REDEMPTION_HOLD"
  | "REDEMPTION_POST"
  | "REDEMPTION_RELEASE"
  | "EXPIRY";

export const negativeBalancePolicySchema = z.enum([
  "ALLOW_NEGATIVE",
  "STOP_AT_ZERO",
]);

/**
 * What happens when a reversal or a negative adjustment takes more than the member has:
 * ALLOW_NEGATIVE records a debt (available < 0) that the next points pay off first;
 * STOP_AT_ZERO takes what is there and records the rest as `detail.uncollected`.
 */
export type NegativeBalancePolicy = z.infer<typeof negativeBalancePolicySchema>;

/**
 * available: spendable now (negative = debt). pending: earned, not yet matured. held: reserved by
 * open redemptions. lifetimeEarned: matured earnings net of their reversals (tiers read this).
 */
export type Balances = {
  available: number;
  pending: number;
  held: number;
  lifetimeEarned: number;
};

export const ZERO_BALANCES: Readonly<Balances> = Object.freeze({
  available: 0,
  pending: 0,
  held: 0,
  lifetimeEarned: 0,
});

export type EntryRefs = {
  orderId?: string;
  refundId?: string;
  redemptionId?: string;
  /** The lot a MATURATION, EXPIRY (sweep) or EARN_REVERSAL entry is about. */
  lotKey?: string;
  holdKey?: string;
};

export type EntryDetail = {
  reason?: string;
  /** Points a reversal or negative adjustment asked for. */
  requested?: number;
  /** Under STOP_AT_ZERO: the part of `requested` the member did not have. */
  uncollected?: number;
  /** Who made a staff adjustment, e.g. `staff:<Shopify user id>`. */
  actor?: string;
};

/** Present on the entries that create a lot (EARN, positive ADJUSTMENT). */
export type LotTerms = { availableAt: Date; expiresAt: Date | null };

export type NewEntry = {
  /** The idempotency key, unique per shop; also the lot key when the entry creates a lot. */
  key: string;
  kind: EntryKind;
  /** delta.available + delta.pending + delta.held: the net change to what the member owns. */
  points: number;
  /** Balances are the plain sum of these over all entries. */
  delta: Balances;
  occurredAt: Date;
  refs: EntryRefs;
  lot: LotTerms | null;
  snapshot: EarnSnapshot | null;
  detail: EntryDetail;
};

/**
 * Points of a lot taken (positive) or given back (negative) by an entry. Append-only; at most one
 * per (entryKey, lotKey).
 */
export type Allocation = { entryKey: string; lotKey: string; points: number };

export type LedgerWrite = { entries: NewEntry[]; allocations: Allocation[] };

/**
 * What an operation needs about one member: the balances and the lots it may touch. The service
 * loads every open lot (remaining > 0 or not matured) plus any lot named by the operation (the lot
 * of a reversal, the lots of the hold being released).
 */
export type MemberLedgerState = { balances: Balances; lots: LotState[] };

export function emptyMemberState(): MemberLedgerState {
  return { balances: { ...ZERO_BALANCES }, lots: [] };
}

/** The keys a write would record; the service checks them before writing to detect a replay. */
export function entryKeys(write: LedgerWrite): string[] {
  return write.entries.map((entry) => entry.key);
}

// ---------------------------------------------------------------------------------------------
// Operations. Each reads the state, never mutates it, and returns the write to persist.

export type EarnInput = {
  key: string;
  points: number;
  occurredAt: Date;
  availableAt: Date;
  expiresAt: Date | null;
  now: Date;
  snapshot?: EarnSnapshot | null;
  refs?: EntryRefs;
};

/** Creates a lot. Pending until availableAt; counts toward lifetimeEarned only once available. */
export function earn(state: MemberLedgerState, input: EarnInput): LedgerWrite {
  assertKey(input.key);
  assertPositiveInteger(input.points, "points");
  assertDates(input.occurredAt, input.availableAt, input.now, input.expiresAt);
  assertNewLot(state, input.key);
  const pending = input.availableAt.getTime() > input.now.getTime();
  const entry = makeEntry({
    key: input.key,
    kind: "EARN",
    occurredAt: input.occurredAt,
    delta: pending
      ? { ...ZERO_BALANCES, pending: input.points }
      : {
          ...ZERO_BALANCES,
          available: input.points,
          lifetimeEarned: input.points,
        },
    refs: input.refs ?? {},
    lot: { availableAt: input.availableAt, expiresAt: input.expiresAt },
    snapshot: input.snapshot ?? null,
  });
  const allocations = pending
    ? []
    : payDebt(input.key, debtOf(state.balances.available), [
        { lotKey: input.key, points: input.points },
      ]);
  return { entries: [entry], allocations };
}

/** One MATURATION per pending lot due at `now`; the freshly available points pay any debt first. */
export function matureDue(state: MemberLedgerState, now: Date): LedgerWrite {
  assertDates(now);
  const write: LedgerWrite = { entries: [], allocations: [] };
  let available = state.balances.available;
  for (const lot of sortLots(state.lots)) {
    if (lot.matured || lot.availableAt.getTime() > now.getTime()) continue;
    const key = lotMatureKey(lot.lotKey);
    // Emitted even when a reversal already emptied the lot: the entry is what marks it matured.
    write.entries.push(
      makeEntry({
        key,
        kind: "MATURATION",
        occurredAt: lot.availableAt,
        delta: {
          ...ZERO_BALANCES,
          available: lot.remaining,
          pending: -lot.remaining,
          lifetimeEarned: lot.remaining,
        },
        refs: { lotKey: lot.lotKey },
      }),
    );
    write.allocations.push(
      ...payDebt(key, debtOf(available), [
        { lotKey: lot.lotKey, points: lot.remaining },
      ]),
    );
    available += lot.remaining;
  }
  return write;
}

/**
 * One EXPIRY per matured lot past its expiresAt, taking only that lot's remainder. Held points are
 * allocated away from their lots, so they can never expire while a redemption holds them.
 */
export function expireDue(state: MemberLedgerState, now: Date): LedgerWrite {
  assertDates(now);
  const write: LedgerWrite = { entries: [], allocations: [] };
  for (const lot of sortLots(state.lots)) {
    if (!lot.matured || lot.expired || lot.remaining <= 0) continue;
    if (lot.expiresAt === null || lot.expiresAt.getTime() > now.getTime())
      continue;
    const key = lotExpireKey(lot.lotKey);
    write.entries.push(
      makeEntry({
        key,
        kind: "EXPIRY",
        occurredAt: lot.expiresAt,
        delta: { ...ZERO_BALANCES, available: -lot.remaining },
        refs: { lotKey: lot.lotKey },
      }),
    );
    write.allocations.push({
      entryKey: key,
      lotKey: lot.lotKey,
      points: lot.remaining,
    });
  }
  return write;
}

/**
 * Matures then expires what is due. Call it in the same transaction before spending, so a hold
 * never takes points whose lot is already past its expiry.
 */
export function settleDue(state: MemberLedgerState, now: Date): LedgerWrite {
  const matured = matureDue(state, now);
  const expired = expireDue(applyWrite(state, matured), now);
  return concatWrites(matured, expired);
}

export type ReverseEarnInput = {
  key: string;
  lotKey: string;
  points: number;
  policy: NegativeBalancePolicy;
  occurredAt: Date;
  refs?: EntryRefs;
  reason?: string;
};

/**
 * Takes back points of one earn (cancel, refund): first from that lot (pending or available), then
 * from other available lots oldest first, then as debt or uncollected per policy.
 */
export function reverseEarn(
  state: MemberLedgerState,
  input: ReverseEarnInput,
): LedgerWrite {
  assertKey(input.key);
  assertPositiveInteger(input.points, "points");
  assertDates(input.occurredAt);
  const lot = findLot(state, input.lotKey);
  if (lot.source !== "EARN") {
    throw new Error(`lot ${lot.lotKey} was not created by an EARN entry`);
  }
  if (input.points > lot.points - lot.reversed) {
    throw new RangeError(
      `reversal of ${input.points} exceeds what is left to reverse of lot ${lot.lotKey} (${lot.points - lot.reversed})`,
    );
  }
  const own = Math.min(input.points, lot.remaining);
  const fromOwnPending = lot.matured ? 0 : own;
  const others = takeOldest(state.lots, input.points - own, lot.lotKey);
  const takes: LotTake[] = [
    { lotKey: lot.lotKey, points: own },
    ...others.takes,
  ];
  const unpaid = others.shortfall;
  const debt = input.policy === "ALLOW_NEGATIVE" ? unpaid : 0;
  const uncollected = unpaid - debt;
  const fromAvailable = input.points - fromOwnPending - uncollected;
  const entry = makeEntry({
    key: input.key,
    kind: "EARN_REVERSAL",
    occurredAt: input.occurredAt,
    delta: {
      ...ZERO_BALANCES,
      available: -fromAvailable,
      pending: -fromOwnPending,
      // Tiers follow earned points, so a clawback lowers them even when it could not be collected.
      lifetimeEarned: -(input.points - fromOwnPending),
    },
    refs: { ...input.refs, lotKey: lot.lotKey },
    detail: withUncollected(
      { reason: input.reason, requested: input.points },
      uncollected,
    ),
  });
  return { entries: [entry], allocations: toAllocations(input.key, takes) };
}

export type AdjustInput = {
  key: string;
  points: number;
  reason: string;
  policy: NegativeBalancePolicy;
  occurredAt: Date;
  /** Only for positive adjustments; no expiry unless given. */
  expiresAt?: Date | null;
  refs?: EntryRefs;
  actor?: string;
};

/**
 * A staff correction of the spendable balance. It never changes lifetimeEarned: tiers follow
 * earnings, and a goodwill credit is not an earning.
 */
export function adjust(
  state: MemberLedgerState,
  input: AdjustInput,
): LedgerWrite {
  assertKey(input.key);
  assertSafeInteger(input.points, "points");
  if (input.points === 0)
    throw new RangeError("an adjustment must change the balance");
  assertDates(input.occurredAt, input.expiresAt ?? null);
  if (input.points > 0) {
    assertNewLot(state, input.key);
    const entry = makeEntry({
      key: input.key,
      kind: "ADJUSTMENT",
      occurredAt: input.occurredAt,
      delta: { ...ZERO_BALANCES, available: input.points },
      refs: input.refs ?? {},
      lot: {
        availableAt: input.occurredAt,
        expiresAt: input.expiresAt ?? null,
      },
      detail: withActor({ reason: input.reason }, input.actor),
    });
    const allocations = payDebt(input.key, debtOf(state.balances.available), [
      { lotKey: input.key, points: input.points },
    ]);
    return { entries: [entry], allocations };
  }
  if (input.expiresAt !== undefined && input.expiresAt !== null) {
    throw new RangeError("expiresAt only applies to positive adjustments");
  }
  const requested = -input.points;
  const { takes, shortfall } = takeOldest(state.lots, requested);
  const uncollected = input.policy === "STOP_AT_ZERO" ? shortfall : 0;
  const entry = makeEntry({
    key: input.key,
    kind: "ADJUSTMENT",
    occurredAt: input.occurredAt,
    delta: { ...ZERO_BALANCES, available: -(requested - uncollected) },
    refs: input.refs ?? {},
    detail: withActor(
      withUncollected({ reason: input.reason, requested }, uncollected),
      input.actor,
    ),
  });
  return { entries: [entry], allocations: toAllocations(input.key, takes) };
}

function withActor(detail: EntryDetail, actor: string | undefined) {
  return actor === undefined ? detail : { ...detail, actor };
}

export type HoldInput = {
  key: string;
  redemptionId: string;
  points: number;
  occurredAt: Date;
};

export type HoldResult =
  | { ok: true; write: LedgerWrite }
  | { ok: false; reason: "INSUFFICIENT_POINTS"; available: number };

/** Reserves points for a discount code, taking them from the oldest lots now. */
export function hold(state: MemberLedgerState, input: HoldInput): HoldResult {
  assertKey(input.key);
  assertPositiveInteger(input.points, "points");
  assertDates(input.occurredAt);
  const available = state.balances.available;
  if (available < input.points)
    return { ok: false, reason: "INSUFFICIENT_POINTS", available };
  const { takes, shortfall } = takeOldest(state.lots, input.points);
  if (shortfall > 0) {
    throw new Error(
      `available is ${available} but the loaded lots cover only ${input.points - shortfall}`,
    );
  }
  const entry = makeEntry({
    key: input.key,
    kind: "REDEMPTION_HOLD",
    occurredAt: input.occurredAt,
    delta: { ...ZERO_BALANCES, available: -input.points, held: input.points },
    refs: { redemptionId: input.redemptionId },
  });
  return {
    ok: true,
    write: { entries: [entry], allocations: toAllocations(input.key, takes) },
  };
}

export type PostInput = {
  key: string;
  redemptionId: string;
  holdKey: string;
  points: number;
  occurredAt: Date;
};

/** The paid order used the code: held points leave the member. Lots already gave them at hold. */
export function post(state: MemberLedgerState, input: PostInput): LedgerWrite {
  assertKey(input.key);
  assertPositiveInteger(input.points, "points");
  assertDates(input.occurredAt);
  assertHeld(state, input.points);
  const entry = makeEntry({
    key: input.key,
    kind: "REDEMPTION_POST",
    occurredAt: input.occurredAt,
    delta: { ...ZERO_BALANCES, held: -input.points },
    refs: { redemptionId: input.redemptionId, holdKey: input.holdKey },
  });
  return { entries: [entry], allocations: [] };
}

export type ReleaseInput = PostInput & {
  allocationsOfHold: readonly Allocation[];
};

/**
 * The code was not used: held points go back to the lots they came from and pay any debt first.
 * Points returning to a lot that was already swept by its expiry expire at once, in a second entry,
 * because that lot's expiry key is spent and they would otherwise stay forever.
 */
export function release(
  state: MemberLedgerState,
  input: ReleaseInput,
): LedgerWrite {
  assertKey(input.key);
  assertPositiveInteger(input.points, "points");
  assertDates(input.occurredAt);
  assertHeld(state, input.points);
  let total = 0;
  for (const allocation of input.allocationsOfHold) {
    if (allocation.entryKey !== input.holdKey) {
      throw new Error(
        `allocation of ${allocation.entryKey} is not one of hold ${input.holdKey}`,
      );
    }
    assertPositiveInteger(allocation.points, "hold allocation points");
    total += allocation.points;
  }
  if (total !== input.points) {
    throw new Error(
      `hold ${input.holdKey} allocated ${total} points, release says ${input.points}`,
    );
  }
  const returned = input.allocationsOfHold
    .map((allocation) => ({
      lot: findLot(state, allocation.lotKey),
      points: allocation.points,
    }))
    .sort((a, b) => compareLots(a.lot, b.lot));
  const live = returned.filter((item) => !item.lot.expired);
  const lapsed = returned.filter((item) => item.lot.expired);

  const releaseEntry = makeEntry({
    key: input.key,
    kind: "REDEMPTION_RELEASE",
    occurredAt: input.occurredAt,
    delta: { ...ZERO_BALANCES, available: input.points, held: -input.points },
    refs: { redemptionId: input.redemptionId, holdKey: input.holdKey },
  });
  const allocations: Allocation[] = [
    ...returned.map((item) => ({
      entryKey: input.key,
      lotKey: item.lot.lotKey,
      points: -item.points,
    })),
    ...payDebt(
      input.key,
      debtOf(state.balances.available),
      live.map((item) => ({ lotKey: item.lot.lotKey, points: item.points })),
    ),
  ];
  const write: LedgerWrite = { entries: [releaseEntry], allocations };
  const lapsedPoints = lapsed.reduce((sum, item) => sum + item.points, 0);
  if (lapsedPoints > 0) {
    const key = releaseExpiryKey(input.key);
    write.entries.push(
      makeEntry({
        key,
        kind: "EXPIRY",
        occurredAt: input.occurredAt,
        delta: { ...ZERO_BALANCES, available: -lapsedPoints },
        refs: { redemptionId: input.redemptionId, holdKey: input.holdKey },
      }),
    );
    write.allocations.push(
      ...lapsed.map((item) => ({
        entryKey: key,
        lotKey: item.lot.lotKey,
        points: item.points,
      })),
    );
  }
  return {
    entries: write.entries,
    allocations: mergeAllocations(write.allocations),
  };
}

// ---------------------------------------------------------------------------------------------
// Applying and rebuilding.

/**
 * The state after a write. Used for the cached state after each operation and, from an empty
 * state, by `rebuild`; the order of entries inside a write does not matter.
 */
export function applyWrite(
  state: MemberLedgerState,
  write: LedgerWrite,
): MemberLedgerState {
  const lots = new Map(state.lots.map((lot) => [lot.lotKey, { ...lot }]));
  const balances = { ...state.balances };
  for (const entry of write.entries) {
    assertEntryShape(entry);
    if (entry.lot !== null) {
      if (lots.has(entry.key))
        throw new Error(`lot ${entry.key} already exists`);
      lots.set(entry.key, {
        lotKey: entry.key,
        source: lotSource(entry),
        points: entry.points,
        remaining: entry.points,
        reversed: 0,
        earnedAt: entry.occurredAt,
        availableAt: entry.lot.availableAt,
        expiresAt: entry.lot.expiresAt,
        matured: entry.delta.pending === 0,
        expired: false,
      });
    }
    balances.available += entry.delta.available;
    balances.pending += entry.delta.pending;
    balances.held += entry.delta.held;
    balances.lifetimeEarned += entry.delta.lifetimeEarned;
  }
  for (const entry of write.entries) {
    const lotKey = entry.refs.lotKey;
    if (lotKey === undefined) continue;
    const lot = lots.get(lotKey);
    if (entry.kind === "MATURATION") {
      if (lot === undefined || lot.matured)
        throw new Error(`cannot mature lot ${lotKey}`);
      lot.matured = true;
    } else if (entry.kind === "EXPIRY") {
      if (lot === undefined || lot.expired)
        throw new Error(`cannot expire lot ${lotKey}`);
      lot.expired = true;
    } else if (entry.kind === "EARN_REVERSAL") {
      if (lot === undefined)
        throw new Error(`reversal of unknown lot ${lotKey}`);
      lot.reversed += entry.detail.requested ?? 0;
    }
  }
  for (const allocation of write.allocations) {
    assertSafeInteger(allocation.points, "allocation points");
    const lot = lots.get(allocation.lotKey);
    if (lot === undefined) {
      throw new Error(
        `allocation of ${allocation.entryKey} to unknown lot ${allocation.lotKey}`,
      );
    }
    lot.remaining -= allocation.points;
  }
  for (const lot of lots.values()) {
    if (
      lot.remaining < 0 ||
      lot.remaining > lot.points ||
      lot.reversed > lot.points
    ) {
      throw new Error(
        `lot ${lot.lotKey} out of range: remaining ${lot.remaining}, reversed ${lot.reversed} of ${lot.points}`,
      );
    }
  }
  if (balances.pending < 0 || balances.held < 0) {
    throw new Error(
      `negative pending (${balances.pending}) or held (${balances.held})`,
    );
  }
  return { balances, lots: sortLots([...lots.values()]) };
}

/** Derives balances and every lot from the stored entries and allocations alone. */
export function rebuild(
  entries: readonly NewEntry[],
  allocations: readonly Allocation[],
): MemberLedgerState {
  return applyWrite(emptyMemberState(), {
    entries: [...entries],
    allocations: [...allocations],
  });
}

export function concatWrites(...writes: readonly LedgerWrite[]): LedgerWrite {
  return {
    entries: writes.flatMap((write) => write.entries),
    allocations: writes.flatMap((write) => write.allocations),
  };
}

/**
 * The invariants linking lots and balances, with debt = max(0, −available):
 *   available = Σ remaining(matured lots) − debt, and debt > 0 ⇒ every matured remaining is 0
 *   pending = Σ remaining(unmatured lots); held ≥ 0; pending ≥ 0; 0 ≤ remaining ≤ points.
 * Holds only when `state.lots` has every open lot. Returns the violations (empty when sound).
 */
export function ledgerInvariantViolations(state: MemberLedgerState): string[] {
  const violations: string[] = [];
  const { balances } = state;
  for (const [name, value] of Object.entries(balances)) {
    if (!Number.isSafeInteger(value))
      violations.push(`${name} is not a safe integer: ${value}`);
  }
  if (balances.pending < 0) violations.push(`pending < 0: ${balances.pending}`);
  if (balances.held < 0) violations.push(`held < 0: ${balances.held}`);
  let matured = 0;
  let unmatured = 0;
  for (const lot of state.lots) {
    if (lot.remaining < 0 || lot.remaining > lot.points) {
      violations.push(
        `lot ${lot.lotKey}: remaining ${lot.remaining} of ${lot.points}`,
      );
    }
    if (lot.reversed < 0 || lot.reversed > lot.points) {
      violations.push(
        `lot ${lot.lotKey}: reversed ${lot.reversed} of ${lot.points}`,
      );
    }
    if (lot.matured) matured += lot.remaining;
    else unmatured += lot.remaining;
  }
  const debt = debtOf(balances.available);
  if (balances.available !== matured - debt) {
    violations.push(
      `available ${balances.available} ≠ matured remaining ${matured} − debt ${debt}`,
    );
  }
  if (debt > 0 && matured > 0)
    violations.push(`debt ${debt} while matured lots hold ${matured}`);
  if (balances.pending !== unmatured) {
    violations.push(
      `pending ${balances.pending} ≠ unmatured remaining ${unmatured}`,
    );
  }
  return violations;
}

// ---------------------------------------------------------------------------------------------
// Helpers.

function debtOf(available: number): number {
  return available < 0 ? -available : 0;
}

/** Newly spendable points settle an outstanding debt before the member can spend them. */
function payDebt(
  entryKey: string,
  debt: number,
  sources: readonly LotTake[],
): Allocation[] {
  const allocations: Allocation[] = [];
  let left = debt;
  for (const source of sources) {
    if (left === 0) break;
    const points = Math.min(left, source.points);
    if (points > 0)
      allocations.push({ entryKey, lotKey: source.lotKey, points });
    left -= points;
  }
  return allocations;
}

function toAllocations(
  entryKey: string,
  takes: readonly LotTake[],
): Allocation[] {
  return takes
    .filter((take) => take.points !== 0)
    .map((take) => ({ entryKey, lotKey: take.lotKey, points: take.points }));
}

function mergeAllocations(allocations: readonly Allocation[]): Allocation[] {
  const merged = new Map<string, Allocation>();
  for (const allocation of allocations) {
    const id = JSON.stringify([allocation.entryKey, allocation.lotKey]);
    const existing = merged.get(id);
    merged.set(id, {
      ...allocation,
      points: (existing?.points ?? 0) + allocation.points,
    });
  }
  return [...merged.values()].filter((allocation) => allocation.points !== 0);
}

function makeEntry(fields: {
  key: string;
  kind: EntryKind;
  occurredAt: Date;
  delta: Balances;
  refs: EntryRefs;
  lot?: LotTerms;
  snapshot?: EarnSnapshot | null;
  detail?: EntryDetail;
}): NewEntry {
  // -0 (from negating a zero) would survive into JSON as 0 but fail equality with rebuilt state.
  const delta = {
    available: fields.delta.available + 0,
    pending: fields.delta.pending + 0,
    held: fields.delta.held + 0,
    lifetimeEarned: fields.delta.lifetimeEarned + 0,
  };
  return {
    key: fields.key,
    kind: fields.kind,
    points: delta.available + delta.pending + delta.held,
    delta,
    occurredAt: fields.occurredAt,
    refs: dropUndefined(fields.refs),
    lot: fields.lot ?? null,
    snapshot: fields.snapshot ?? null,
    detail: dropUndefined(fields.detail ?? {}),
  };
}

function withUncollected(
  detail: EntryDetail,
  uncollected: number,
): EntryDetail {
  return uncollected > 0 ? { ...detail, uncollected } : detail;
}

/** Keeps entries JSON-clean: an absent field is absent, not `undefined`. */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, field]) => field !== undefined),
  ) as T;
}

function lotSource(entry: NewEntry): LotSource {
  if (entry.kind === "EARN") return "EARN";
  if (entry.kind === "ADJUSTMENT") return "ADJUSTMENT";
  throw new Error(`a ${entry.kind} entry cannot create a lot`);
}

function findLot(state: MemberLedgerState, lotKey: string): LotState {
  const lot = state.lots.find((candidate) => candidate.lotKey === lotKey);
  if (lot === undefined) throw new Error(`lot ${lotKey} is not loaded`);
  return lot;
}

function assertNewLot(state: MemberLedgerState, key: string): void {
  if (state.lots.some((lot) => lot.lotKey === key)) {
    throw new Error(
      `lot ${key} already exists: the service must check the idempotency key first`,
    );
  }
}

function assertHeld(state: MemberLedgerState, points: number): void {
  if (state.balances.held < points) {
    throw new Error(
      `held is ${state.balances.held}, cannot settle a hold of ${points}`,
    );
  }
}

function assertKey(key: string): void {
  if (key.length === 0) throw new RangeError("an idempotency key is required");
}

function assertDates(...dates: (Date | null)[]): void {
  for (const date of dates) {
    if (date !== null && Number.isNaN(date.getTime()))
      throw new RangeError("invalid date");
  }
}

function assertEntryShape(entry: NewEntry): void {
  const { delta } = entry;
  for (const value of Object.values(delta))
    assertSafeInteger(value, `delta of ${entry.key}`);
  if (entry.points !== delta.available + delta.pending + delta.held) {
    throw new Error(
      `entry ${entry.key}: points ${entry.points} ≠ sum of bucket deltas`,
    );
  }
}
