import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { redemptionKeys } from "./keys";
import {
  adjust,
  applyWrite,
  earn,
  emptyMemberState,
  entryKeys,
  expireDue,
  hold,
  ledgerInvariantViolations,
  matureDue,
  post,
  rebuild,
  release,
  reverseEarn,
  settleDue,
  type Allocation,
  type Balances,
  type LedgerWrite,
  type MemberLedgerState,
  type NegativeBalancePolicy,
  type NewEntry,
} from "./ledger";
import { compareLots, isOpenLot } from "./lots";
import { divideRounded } from "./rounding";

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);

const policyArb = fc.constantFrom<NegativeBalancePolicy>(
  "ALLOW_NEGATIVE",
  "STOP_AT_ZERO",
);

type Op =
  | {
      t: "earn";
      points: number;
      pendingDays: number;
      expiryDays: number | null;
    }
  | { t: "advance"; days: number }
  | { t: "settle" }
  | { t: "mature" }
  | { t: "expire" }
  | {
      t: "adjust";
      points: number;
      expiryDays: number | null;
      policy: NegativeBalancePolicy;
    }
  | { t: "hold"; points: number }
  | { t: "post"; pick: number }
  | { t: "release"; pick: number }
  | {
      t: "reverse";
      pick: number;
      percent: number;
      policy: NegativeBalancePolicy;
    };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant("earn" as const),
      points: fc.integer({ min: 1, max: 300 }),
      pendingDays: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20 })),
      expiryDays: fc.option(fc.integer({ min: 1, max: 60 }), { nil: null }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("advance" as const),
      days: fc.integer({ min: 1, max: 30 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("settle" as const) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("mature" as const) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("expire" as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant("adjust" as const),
      points: fc
        .integer({ min: -300, max: 300 })
        .filter((points) => points !== 0),
      expiryDays: fc.option(fc.integer({ min: 1, max: 60 }), { nil: null }),
      policy: policyArb,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("hold" as const),
      points: fc.integer({ min: 1, max: 400 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant("post" as const), pick: fc.nat() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant("release" as const),
      pick: fc.nat(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("reverse" as const),
      pick: fc.nat(),
      percent: fc.integer({ min: 1, max: 100 }),
      policy: policyArb,
    }),
  },
);

type OpenHold = { id: string; points: number };

/** Plays operations the way the service would: apply each write, keep what it would store. */
class Simulation {
  state: MemberLedgerState = emptyMemberState();
  entries: NewEntry[] = [];
  allocations: Allocation[] = [];
  openHolds: OpenHold[] = [];
  now = T0;
  private sequence = 0;

  constructor(private readonly onlyStopAtZero: boolean) {}

  run(op: Op): void {
    const now = new Date(this.now);
    const next = `${++this.sequence}`;
    switch (op.t) {
      case "advance":
        this.now += op.days * DAY;
        return;
      case "earn":
        this.commit((state) =>
          earn(state, {
            key: `order:${next}:earn`,
            points: op.points,
            occurredAt: now,
            availableAt: new Date(this.now + op.pendingDays * DAY),
            expiresAt:
              op.expiryDays === null
                ? null
                : new Date(this.now + op.expiryDays * DAY),
            now,
          }),
        );
        return;
      case "settle":
        this.commit((state) => settleDue(state, now));
        return;
      case "mature":
        this.commit((state) => matureDue(state, now));
        return;
      case "expire": {
        const heldBefore = this.state.balances.held;
        const write = this.commit((state) => expireDue(state, now));
        // Expiry never touches held points.
        for (const entry of write.entries) expect(entry.delta.held).toBe(0);
        expect(this.state.balances.held).toBe(heldBefore);
        this.expectHoldsIntact();
        return;
      }
      case "adjust": {
        const expiresAt =
          op.points > 0 && op.expiryDays !== null
            ? new Date(this.now + op.expiryDays * DAY)
            : null;
        this.commit((state) =>
          adjust(state, {
            key: `adjustment:${next}`,
            points: op.points,
            reason: "property",
            policy: this.policy(op.policy),
            occurredAt: now,
            expiresAt,
          }),
        );
        return;
      }
      case "hold": {
        const keys = redemptionKeys(next);
        const input = {
          key: keys.hold,
          redemptionId: next,
          points: op.points,
          occurredAt: now,
        };
        const result = hold(this.trimmed(), input);
        expect(hold(this.state, input)).toEqual(result);
        if (!result.ok) {
          expect(result.available).toBe(this.state.balances.available);
          expect(result.available).toBeLessThan(op.points);
          return;
        }
        expect(this.state.balances.available).toBeGreaterThanOrEqual(op.points);
        this.commit(() => result.write);
        this.openHolds.push({ id: next, points: op.points });
        this.expectOldestConsumedFirst(result.write);
        return;
      }
      case "post":
      case "release": {
        const chosen =
          this.openHolds[op.pick % Math.max(1, this.openHolds.length)];
        if (chosen === undefined) return;
        this.openHolds = this.openHolds.filter((open) => open !== chosen);
        const keys = redemptionKeys(chosen.id);
        const common = {
          redemptionId: chosen.id,
          holdKey: keys.hold,
          points: chosen.points,
          occurredAt: now,
        };
        if (op.t === "post") {
          this.commit((state) => post(state, { ...common, key: keys.post }));
        } else {
          const allocationsOfHold = this.allocations.filter(
            (a) => a.entryKey === keys.hold,
          );
          const lotKeys = allocationsOfHold.map(
            (allocation) => allocation.lotKey,
          );
          this.commit(
            (state) =>
              release(state, {
                ...common,
                key: keys.release,
                allocationsOfHold,
              }),
            lotKeys,
          );
        }
        return;
      }
      case "reverse": {
        const candidates = this.state.lots.filter(
          (lot) => lot.source === "EARN" && lot.points - lot.reversed > 0,
        );
        const lot = candidates[op.pick % Math.max(1, candidates.length)];
        if (lot === undefined) return;
        const left = lot.points - lot.reversed;
        const points = Math.max(1, divideRounded(left * op.percent, 100, "UP"));
        this.commit(
          (state) =>
            reverseEarn(state, {
              key: `refund:${next}`,
              lotKey: lot.lotKey,
              points,
              policy: this.policy(op.policy),
              occurredAt: now,
              reason: "property",
            }),
          [lot.lotKey],
        );
        return;
      }
    }
  }

  private policy(policy: NegativeBalancePolicy): NegativeBalancePolicy {
    return this.onlyStopAtZero ? "STOP_AT_ZERO" : policy;
  }

  /**
   * The service loads only the open lots plus the ones an operation names. Every operation here
   * runs on that trimmed state and must write exactly what it writes on the full one.
   */
  private trimmed(named: readonly string[] = []): MemberLedgerState {
    return {
      balances: { ...this.state.balances },
      lots: this.state.lots.filter(
        (lot) => isOpenLot(lot) || named.includes(lot.lotKey),
      ),
    };
  }

  private commit(
    operation: (state: MemberLedgerState) => LedgerWrite,
    named: readonly string[] = [],
  ): LedgerWrite {
    const write = operation(this.trimmed(named));
    const before = structuredClone(this.state);
    expect(operation(this.state)).toEqual(write);
    const next = applyWrite(this.state, write);
    expect(this.state).toEqual(before); // never mutates its input
    const known = new Set(this.entries.map((entry) => entry.key));
    for (const key of entryKeys(write)) {
      expect(known.has(key)).toBe(false); // a replay would be detected, and no two writes collide
      known.add(key);
    }
    this.state = next;
    this.entries.push(...write.entries);
    this.allocations.push(...write.allocations);
    return write;
  }

  private expectOldestConsumedFirst(write: LedgerWrite): void {
    const taken = new Set(
      write.allocations.map((allocation) => allocation.lotKey),
    );
    const spendable = this.state.lots.filter((lot) => lot.matured);
    const newestTaken = spendable
      .filter((lot) => taken.has(lot.lotKey))
      .sort(compareLots)
      .at(-1);
    if (newestTaken === undefined) return;
    for (const lot of spendable) {
      if (compareLots(lot, newestTaken) < 0) expect(lot.remaining).toBe(0);
    }
  }

  private expectHoldsIntact(): void {
    for (const open of this.openHolds) {
      const { hold: holdKey } = redemptionKeys(open.id);
      const allocated = this.allocations
        .filter((allocation) => allocation.entryKey === holdKey)
        .reduce((sum, allocation) => sum + allocation.points, 0);
      expect(allocated).toBe(open.points);
    }
  }

  checkInvariants(): void {
    const { balances } = this.state;
    expect(ledgerInvariantViolations(this.state)).toEqual([]);

    // Rebuild from the stored rows equals the incrementally applied state.
    expect(rebuild(this.entries, this.allocations)).toEqual(this.state);

    // Balances are the plain sum of the entries' deltas; points are the net of the buckets.
    const sum: Balances = {
      available: 0,
      pending: 0,
      held: 0,
      lifetimeEarned: 0,
    };
    let points = 0;
    for (const entry of this.entries) {
      sum.available += entry.delta.available;
      sum.pending += entry.delta.pending;
      sum.held += entry.delta.held;
      sum.lifetimeEarned += entry.delta.lifetimeEarned;
      points += entry.points;
    }
    expect(sum).toEqual(balances);
    expect(points).toBe(balances.available + balances.pending + balances.held);

    expect(balances.held).toBeGreaterThanOrEqual(0);
    expect(balances.pending).toBeGreaterThanOrEqual(0);
    if (this.onlyStopAtZero)
      expect(balances.available).toBeGreaterThanOrEqual(0);

    // Held points are exactly the open holds, and still allocated away from their lots.
    expect(balances.held).toBe(
      this.openHolds.reduce((total, open) => total + open.points, 0),
    );
    this.expectHoldsIntact();

    // Tiers read lifetimeEarned: matured earnings net of everything reversed from them.
    const earned = this.state.lots
      .filter((lot) => lot.source === "EARN" && lot.matured)
      .reduce((total, lot) => total + lot.points - lot.reversed, 0);
    expect(balances.lifetimeEarned).toBe(earned);
    expect(balances.lifetimeEarned).toBeGreaterThanOrEqual(0);

    // At most one allocation per (entry, lot), as the store's primary key will require.
    const pairs = this.allocations.map((a) => `${a.entryKey}\u0000${a.lotKey}`);
    expect(new Set(pairs).size).toBe(pairs.length);
  }
}

describe("ledger properties over random operation sequences", () => {
  const runs = (onlyStopAtZero: boolean) =>
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 1, maxLength: 80, size: "max" }),
        (ops) => {
          const simulation = new Simulation(onlyStopAtZero);
          for (const op of ops) {
            simulation.run(op);
            simulation.checkInvariants();
          }
          // Draining: settle far in the future, release what is held, and the books still close.
          simulation.run({ t: "advance", days: 400 });
          simulation.run({ t: "settle" });
          while (simulation.openHolds.length > 0)
            simulation.run({ t: "release", pick: 0 });
          simulation.run({ t: "settle" });
          simulation.checkInvariants();
          expect(simulation.state.balances.pending).toBe(0);
          expect(simulation.state.balances.held).toBe(0);
        },
      ),
      { numRuns: 300 },
    );

  it("hold the invariants with both policies mixed", () => runs(false));

  it("never let available go negative under STOP_AT_ZERO", () => runs(true));

  it("settling twice at the same instant writes nothing the second time", () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 60, size: "max" }),
        fc.integer({ min: 0, max: 100 }),
        (ops, days) => {
          const simulation = new Simulation(false);
          for (const op of ops) simulation.run(op);
          const now = new Date(simulation.now + days * DAY);
          const first = settleDue(simulation.state, now);
          const after = applyWrite(simulation.state, first);
          expect(settleDue(after, now)).toEqual({
            entries: [],
            allocations: [],
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
