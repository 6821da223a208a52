import { describe, expect, it } from "vitest";
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

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);
const day = (n: number): Date => new Date(T0 + n * DAY);

/** Applies writes like the service would and keeps what it would have stored. */
class Member {
  state: MemberLedgerState = emptyMemberState();
  entries: NewEntry[] = [];
  allocations: Allocation[] = [];

  apply(write: LedgerWrite): LedgerWrite {
    this.state = applyWrite(this.state, write);
    this.entries.push(...write.entries);
    this.allocations.push(...write.allocations);
    expect(ledgerInvariantViolations(this.state)).toEqual([]);
    expect(rebuild(this.entries, this.allocations)).toEqual(this.state);
    return write;
  }

  earn(
    key: string,
    points: number,
    at: number,
    options: { pendingUntil?: number; expiresOn?: number } = {},
  ) {
    return this.apply(
      earn(this.state, {
        key,
        points,
        occurredAt: day(at),
        availableAt: day(options.pendingUntil ?? at),
        expiresAt:
          options.expiresOn === undefined ? null : day(options.expiresOn),
        now: day(at),
      }),
    );
  }

  hold(id: string, points: number, at: number) {
    const result = hold(this.state, {
      key: `redemption:${id}:hold`,
      redemptionId: id,
      points,
      occurredAt: day(at),
    });
    if (!result.ok) throw new Error(`hold refused: ${result.available}`);
    return this.apply(result.write);
  }

  release(id: string, points: number, at: number) {
    const holdKey = `redemption:${id}:hold`;
    return this.apply(
      release(this.state, {
        key: `redemption:${id}:release`,
        redemptionId: id,
        holdKey,
        points,
        allocationsOfHold: this.allocations.filter(
          (a) => a.entryKey === holdKey,
        ),
        occurredAt: day(at),
      }),
    );
  }

  post(id: string, points: number, at: number) {
    return this.apply(
      post(this.state, {
        key: `redemption:${id}:post`,
        redemptionId: id,
        holdKey: `redemption:${id}:hold`,
        points,
        occurredAt: day(at),
      }),
    );
  }

  reverse(
    key: string,
    lotKey: string,
    points: number,
    policy: NegativeBalancePolicy,
    at = 0,
  ) {
    return this.apply(
      reverseEarn(this.state, {
        key,
        lotKey,
        points,
        policy,
        occurredAt: day(at),
        reason: "refund",
      }),
    );
  }

  adjust(key: string, points: number, policy: NegativeBalancePolicy, at = 0) {
    return this.apply(
      adjust(this.state, {
        key,
        points,
        reason: "staff",
        policy,
        occurredAt: day(at),
      }),
    );
  }

  remaining(lotKey: string): number | undefined {
    return this.state.lots.find((lot) => lot.lotKey === lotKey)?.remaining;
  }
}

const balances = (b: Partial<Balances>): Balances => ({
  available: 0,
  pending: 0,
  held: 0,
  lifetimeEarned: 0,
  ...b,
});

describe("earn and matureDue", () => {
  it.each<[string, number | undefined, Balances]>([
    [
      "available at once",
      undefined,
      balances({ available: 100, lifetimeEarned: 100 }),
    ],
    ["available today", 0, balances({ available: 100, lifetimeEarned: 100 })],
    ["pending for 14 days", 14, balances({ pending: 100 })],
  ])("%s", (_name, pendingUntil, expected) => {
    const member = new Member();
    const write = member.earn("order:1:earn", 100, 0, { pendingUntil });
    expect(write.entries[0]).toMatchObject({
      key: "order:1:earn",
      kind: "EARN",
      points: 100,
    });
    expect(member.state.balances).toEqual(expected);
  });

  it("matures due lots once, counting them toward lifetimeEarned then", () => {
    const member = new Member();
    member.earn("order:1:earn", 100, 0, { pendingUntil: 14 });
    member.earn("order:2:earn", 40, 1, { pendingUntil: 15 });
    expect(matureDue(member.state, day(13)).entries).toEqual([]);
    const write = member.apply(matureDue(member.state, day(14)));
    expect(entryKeys(write)).toEqual(["lot:order:1:earn:mature"]);
    expect(write.entries[0]).toMatchObject({
      kind: "MATURATION",
      points: 0,
      occurredAt: day(14),
      delta: { available: 100, pending: -100, held: 0, lifetimeEarned: 100 },
    });
    expect(member.state.balances).toEqual(
      balances({ available: 100, pending: 40, lifetimeEarned: 100 }),
    );
    expect(matureDue(member.state, day(14)).entries).toEqual([]);
    member.apply(matureDue(member.state, day(30)));
    expect(member.state.balances).toEqual(
      balances({ available: 140, lifetimeEarned: 140 }),
    );
  });

  it("refuses to create a lot twice (the service must dedupe the key first)", () => {
    const member = new Member();
    member.earn("order:1:earn", 100, 0);
    expect(() => member.earn("order:1:earn", 100, 0)).toThrow(/already exists/);
  });

  it.each([0, -5, 1.5, Number.NaN])("refuses %d points", (points) => {
    expect(() =>
      earn(emptyMemberState(), {
        key: "k",
        points,
        occurredAt: day(0),
        availableAt: day(0),
        expiresAt: null,
        now: day(0),
      }),
    ).toThrow(RangeError);
  });
});

describe("spending consumes the oldest lots first", () => {
  it("holds from the oldest lot, ties broken by lotKey", () => {
    const member = new Member();
    member.earn("order:c:earn", 30, 2);
    member.earn("order:b:earn", 50, 1);
    member.earn("order:a:earn", 20, 1);
    const write = member.hold("r1", 60, 3);
    expect(write.allocations).toEqual([
      { entryKey: "redemption:r1:hold", lotKey: "order:a:earn", points: 20 },
      { entryKey: "redemption:r1:hold", lotKey: "order:b:earn", points: 40 },
    ]);
    expect(member.state.balances).toEqual(
      balances({ available: 40, held: 60, lifetimeEarned: 100 }),
    );
  });

  it("skips pending lots", () => {
    const member = new Member();
    member.earn("order:old:earn", 50, 0, { pendingUntil: 30 });
    member.earn("order:new:earn", 50, 5);
    const write = member.adjust("adjustment:1", -20, "ALLOW_NEGATIVE", 6);
    expect(write.allocations).toEqual([
      { entryKey: "adjustment:1", lotKey: "order:new:earn", points: 20 },
    ]);
  });
});

describe("hold, post and release", () => {
  it("refuses a hold above the available balance and reports it", () => {
    const member = new Member();
    member.earn("order:1:earn", 80, 0);
    member.earn("order:2:earn", 500, 0, { pendingUntil: 10 });
    const before = structuredClone(member.state);
    expect(
      hold(member.state, {
        key: "redemption:r:hold",
        redemptionId: "r",
        points: 100,
        occurredAt: day(1),
      }),
    ).toEqual({ ok: false, reason: "INSUFFICIENT_POINTS", available: 80 });
    expect(member.state).toEqual(before);
  });

  it("refuses a hold when the member is in debt", () => {
    const member = new Member();
    member.earn("order:1:earn", 50, 0);
    member.adjust("adjustment:1", -90, "ALLOW_NEGATIVE", 1);
    expect(
      hold(member.state, {
        key: "redemption:r:hold",
        redemptionId: "r",
        points: 1,
        occurredAt: day(2),
      }),
    ).toEqual({ ok: false, reason: "INSUFFICIENT_POINTS", available: -40 });
  });

  it("post removes the held points without touching lots", () => {
    const member = new Member();
    member.earn("order:1:earn", 100, 0);
    member.hold("r", 60, 1);
    const write = member.post("r", 60, 2);
    expect(write.allocations).toEqual([]);
    expect(write.entries[0]).toMatchObject({
      kind: "REDEMPTION_POST",
      points: -60,
    });
    expect(member.state.balances).toEqual(
      balances({ available: 40, lifetimeEarned: 100 }),
    );
    expect(member.remaining("order:1:earn")).toBe(40);
  });

  it("release gives the hold's allocations back to their lots", () => {
    const member = new Member();
    member.earn("order:1:earn", 30, 0);
    member.earn("order:2:earn", 70, 1);
    member.hold("r", 50, 2);
    expect([
      member.remaining("order:1:earn"),
      member.remaining("order:2:earn"),
    ]).toEqual([0, 50]);
    const write = member.release("r", 50, 3);
    expect(write.allocations).toEqual([
      { entryKey: "redemption:r:release", lotKey: "order:1:earn", points: -30 },
      { entryKey: "redemption:r:release", lotKey: "order:2:earn", points: -20 },
    ]);
    expect(write.entries[0]).toMatchObject({
      kind: "REDEMPTION_RELEASE",
      points: 0,
    });
    expect(member.state.balances).toEqual(
      balances({ available: 100, lifetimeEarned: 100 }),
    );
  });

  it("release pays a debt incurred while the points were held", () => {
    const member = new Member();
    member.earn("order:1:earn", 100, 0);
    member.hold("r", 100, 1);
    member.reverse("refund:1", "order:1:earn", 40, "ALLOW_NEGATIVE", 2);
    expect(member.state.balances).toEqual(
      balances({ available: -40, held: 100, lifetimeEarned: 60 }),
    );
    const write = member.release("r", 100, 3);
    expect(write.allocations).toEqual([
      { entryKey: "redemption:r:release", lotKey: "order:1:earn", points: -60 },
    ]);
    expect(member.state.balances).toEqual(
      balances({ available: 60, lifetimeEarned: 60 }),
    );
    expect(member.remaining("order:1:earn")).toBe(60);
  });

  it("refuses to settle more than is held", () => {
    const member = new Member();
    member.earn("order:1:earn", 100, 0);
    member.hold("r", 10, 1);
    expect(() => member.post("r", 20, 2)).toThrow(/held/);
  });

  it("refuses a release whose allocations do not match the hold", () => {
    const member = new Member();
    member.earn("order:1:earn", 100, 0);
    member.hold("r", 10, 1);
    expect(() =>
      release(member.state, {
        key: "redemption:r:release",
        redemptionId: "r",
        holdKey: "redemption:r:hold",
        points: 10,
        allocationsOfHold: [
          { entryKey: "redemption:r:hold", lotKey: "order:1:earn", points: 9 },
        ],
        occurredAt: day(2),
      }),
    ).toThrow(/allocated 9/);
  });
});

describe("expiry", () => {
  it("expires only the lot's unspent remainder, never the held points", () => {
    const member = new Member();
    member.earn("order:1:earn", 100, 0, { expiresOn: 365 });
    member.earn("order:2:earn", 50, 10, { expiresOn: 375 });
    member.hold("r", 70, 300);
    expect(expireDue(member.state, day(364)).entries).toEqual([]);
    const write = member.apply(expireDue(member.state, day(365)));
    expect(write.entries).toHaveLength(1);
    expect(write.entries[0]).toMatchObject({
      key: "lot:order:1:earn:expire",
      kind: "EXPIRY",
      points: -30,
      occurredAt: day(365),
      delta: { available: -30, pending: 0, held: 0, lifetimeEarned: 0 },
    });
    expect(member.state.balances).toEqual(
      balances({ available: 50, held: 70, lifetimeEarned: 150 }),
    );
    // Posting the hold later spends exactly what was held: nothing of it expired.
    member.post("r", 70, 366);
    expect(member.state.balances).toEqual(
      balances({ available: 50, lifetimeEarned: 150 }),
    );
  });

  it("expires points released back to a lot its expiry already swept, under a second key", () => {
    const member = new Member();
    member.earn("order:1:earn", 100, 0, { expiresOn: 30 });
    member.earn("order:2:earn", 100, 1);
    member.hold("r", 80, 29);
    member.apply(expireDue(member.state, day(30))); // sweeps the 20 not held
    expect(member.state.balances.available).toBe(100);
    const write = member.release("r", 80, 31);
    // The lot's own expiry key is spent, so the returning points expire under the release's key.
    expect(entryKeys(write)).toEqual([
      "redemption:r:release",
      "redemption:r:release:expire",
    ]);
    expect(write.entries[1]).toMatchObject({ kind: "EXPIRY", points: -80 });
    expect(member.state.balances).toEqual(
      balances({ available: 100, lifetimeEarned: 200 }),
    );
    expect(member.remaining("order:1:earn")).toBe(0);
    expect(expireDue(member.state, day(400)).entries).toEqual([]);
  });

  it("expires points released back to a lot that had nothing to sweep at its expiry", () => {
    const member = new Member();
    member.earn("order:1:earn", 100, 0, { expiresOn: 30 });
    member.hold("r", 100, 29);
    expect(expireDue(member.state, day(30)).entries).toEqual([]);
    member.release("r", 100, 31);
    expect(member.remaining("order:1:earn")).toBe(100);
    const write = member.apply(expireDue(member.state, day(31)));
    expect(entryKeys(write)).toEqual(["lot:order:1:earn:expire"]);
    expect(member.state.balances).toEqual(balances({ lifetimeEarned: 100 }));
  });

  it("settleDue matures before it expires", () => {
    const member = new Member();
    member.earn("order:1:earn", 100, 0, { pendingUntil: 14, expiresOn: 20 });
    const write = member.apply(settleDue(member.state, day(25)));
    expect(entryKeys(write)).toEqual([
      "lot:order:1:earn:mature",
      "lot:order:1:earn:expire",
    ]);
    expect(member.state.balances).toEqual(balances({ lifetimeEarned: 100 }));
  });
});

describe("reversals and negative balances", () => {
  it("takes from the reversed lot first, then the oldest other lots", () => {
    const member = new Member();
    member.earn("order:1:earn", 100, 0);
    member.earn("order:2:earn", 100, 1);
    member.hold("r", 150, 2); // order:1 fully, order:2 half
    const write = member.reverse(
      "refund:9",
      "order:2:earn",
      80,
      "ALLOW_NEGATIVE",
      3,
    );
    // order:2 has 50 left, so 30 more must come from elsewhere: no other lot has any, so debt.
    expect(write.allocations).toEqual([
      { entryKey: "refund:9", lotKey: "order:2:earn", points: 50 },
    ]);
    expect(write.entries[0]).toMatchObject({
      kind: "EARN_REVERSAL",
      points: -80,
      refs: { lotKey: "order:2:earn" },
      detail: { requested: 80, reason: "refund" },
      delta: { available: -80, pending: 0, held: 0, lifetimeEarned: -80 },
    });
    expect(member.state.balances).toEqual(
      balances({ available: -30, held: 150, lifetimeEarned: 120 }),
    );
  });

  it("uses other available lots oldest first when the reversed lot is spent", () => {
    const member = new Member();
    member.earn("order:1:earn", 100, 0);
    member.earn("order:2:earn", 100, 1);
    member.earn("order:3:earn", 100, 2);
    member.hold("r", 100, 3);
    member.post("r", 100, 3);
    const write = member.reverse(
      "refund:1",
      "order:1:earn",
      100,
      "STOP_AT_ZERO",
      4,
    );
    expect(write.allocations).toEqual([
      { entryKey: "refund:1", lotKey: "order:2:earn", points: 100 },
    ]);
    expect(member.remaining("order:3:earn")).toBe(100);
  });

  it.each<[NegativeBalancePolicy, Balances, number | undefined]>([
    [
      "ALLOW_NEGATIVE",
      balances({ available: -70, lifetimeEarned: 0 }),
      undefined,
    ],
    ["STOP_AT_ZERO", balances({ available: 0, lifetimeEarned: 0 }), 70],
  ])("reversal of spent points under %s", (policy, expected, uncollected) => {
    const member = new Member();
    member.earn("order:1:earn", 100, 0);
    member.hold("r", 70, 1);
    member.post("r", 70, 1);
    const write = member.reverse(
      "order:1:cancel",
      "order:1:earn",
      100,
      policy,
      2,
    );
    expect(write.entries[0]?.detail.uncollected).toBe(uncollected);
    expect(member.state.balances).toEqual(expected);
  });

  it("a pending lot is reversed from pending and never reaches lifetimeEarned", () => {
    const member = new Member();
    member.earn("order:1:earn", 100, 0, { pendingUntil: 14 });
    const write = member.reverse(
      "refund:1",
      "order:1:earn",
      40,
      "STOP_AT_ZERO",
      3,
    );
    expect(write.entries[0]?.delta).toEqual({
      available: 0,
      pending: -40,
      held: 0,
      lifetimeEarned: 0,
    });
    member.apply(matureDue(member.state, day(14)));
    expect(member.state.balances).toEqual(
      balances({ available: 60, lifetimeEarned: 60 }),
    );
  });

  it("refuses to reverse more than is left of the earn", () => {
    const member = new Member();
    member.earn("order:1:earn", 100, 0);
    member.reverse("refund:1", "order:1:earn", 60, "ALLOW_NEGATIVE");
    expect(() =>
      member.reverse("refund:2", "order:1:earn", 41, "ALLOW_NEGATIVE"),
    ).toThrow(/exceeds/);
  });

  it.each<[NegativeBalancePolicy, number, number | undefined]>([
    ["ALLOW_NEGATIVE", -50, undefined],
    ["STOP_AT_ZERO", 0, 50],
  ])(
    "a negative adjustment beyond the balance under %s",
    (policy, available, uncollected) => {
      const member = new Member();
      member.earn("order:1:earn", 20, 0);
      const write = member.adjust("adjustment:1", -70, policy, 1);
      expect(write.entries[0]?.detail).toEqual({
        reason: "staff",
        requested: 70,
        uncollected,
      });
      expect(member.state.balances.available).toBe(available);
      expect(member.state.balances.lifetimeEarned).toBe(20);
    },
  );

  it("new points pay the debt first, whether earned, matured, or adjusted", () => {
    const member = new Member();
    member.earn("order:1:earn", 100, 0);
    member.hold("r", 100, 0);
    member.post("r", 100, 0);
    member.reverse("order:1:cancel", "order:1:earn", 100, "ALLOW_NEGATIVE", 1);
    expect(member.state.balances.available).toBe(-100);

    const earned = member.earn("order:2:earn", 30, 2);
    expect(earned.allocations).toEqual([
      { entryKey: "order:2:earn", lotKey: "order:2:earn", points: 30 },
    ]);
    member.earn("order:3:earn", 50, 3, { pendingUntil: 10 });
    const matured = member.apply(matureDue(member.state, day(10)));
    expect(matured.allocations).toEqual([
      {
        entryKey: "lot:order:3:earn:mature",
        lotKey: "order:3:earn",
        points: 50,
      },
    ]);
    const adjusted = member.adjust("adjustment:1", 45, "ALLOW_NEGATIVE", 11);
    expect(adjusted.allocations).toEqual([
      { entryKey: "adjustment:1", lotKey: "adjustment:1", points: 20 },
    ]);
    expect(member.state.balances).toEqual(
      balances({ available: 25, lifetimeEarned: 80 }),
    );
    expect(member.remaining("adjustment:1")).toBe(25);
  });

  it("a positive adjustment creates an available lot outside lifetimeEarned", () => {
    const member = new Member();
    const write = member.apply(
      adjust(member.state, {
        key: "adjustment:1",
        points: 25,
        reason: "goodwill",
        policy: "STOP_AT_ZERO",
        occurredAt: day(0),
        expiresAt: day(90),
      }),
    );
    expect(write.entries[0]).toMatchObject({
      kind: "ADJUSTMENT",
      lot: { availableAt: day(0), expiresAt: day(90) },
    });
    expect(member.state.balances).toEqual(balances({ available: 25 }));
    expect(() => member.adjust("adjustment:2", 0, "STOP_AT_ZERO")).toThrow(
      RangeError,
    );
    expect(() =>
      member.reverse("refund:x", "adjustment:1", 5, "STOP_AT_ZERO"),
    ).toThrow(/not created by an EARN/);
  });
});

describe("applyWrite and rebuild", () => {
  it("never mutates the state it is given", () => {
    const member = new Member();
    member.earn("order:1:earn", 100, 0);
    const frozen = structuredClone(member.state);
    applyWrite(
      member.state,
      adjust(member.state, {
        key: "a",
        points: -10,
        reason: "x",
        policy: "STOP_AT_ZERO",
        occurredAt: day(1),
      }),
    );
    expect(member.state).toEqual(frozen);
  });

  it("rebuilds the same state whatever order the rows come back in", () => {
    const member = new Member();
    member.earn("order:1:earn", 100, 0, { pendingUntil: 5 });
    member.earn("order:2:earn", 50, 1);
    member.hold("r", 30, 2);
    member.apply(matureDue(member.state, day(5)));
    member.reverse("refund:1", "order:1:earn", 20, "ALLOW_NEGATIVE", 6);
    expect(
      rebuild([...member.entries].reverse(), [...member.allocations].reverse()),
    ).toEqual(member.state);
  });

  it.each<[string, LedgerWrite]>([
    [
      "an allocation overdrawing a lot",
      {
        entries: [],
        allocations: [{ entryKey: "x", lotKey: "order:1:earn", points: 101 }],
      },
    ],
    [
      "an allocation to an unknown lot",
      {
        entries: [],
        allocations: [{ entryKey: "x", lotKey: "nope", points: 1 }],
      },
    ],
  ])("throws on %s", (_name, write) => {
    const member = new Member();
    member.earn("order:1:earn", 100, 0);
    expect(() => applyWrite(member.state, write)).toThrow();
  });

  it("throws when an entry's points disagree with its deltas", () => {
    const write = earn(emptyMemberState(), {
      key: "k",
      points: 10,
      occurredAt: day(0),
      availableAt: day(0),
      expiresAt: null,
      now: day(0),
    });
    const [entry] = write.entries;
    if (entry === undefined) throw new Error("no entry");
    expect(() =>
      applyWrite(emptyMemberState(), {
        ...write,
        entries: [{ ...entry, points: 11 }],
      }),
    ).toThrow(/sum of bucket deltas/);
  });
});
