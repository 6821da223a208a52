import { setTimeout as sleep } from "node:timers/promises";
import fc from "fast-check";
import type { Tx } from "~/db/client.server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adjust, earn, reverseEarn, settleDue } from "~/loyalty/ledger";
import type { MemberLedgerState } from "~/loyalty/ledger";
import {
  createTestDatabase,
  type TestDatabase,
} from "../../test/support/database";
import {
  cachedMemberState,
  lockMember,
  rebuildMemberState,
  writeLedger,
  type MemberRef,
} from "./ledger.server";
import { dayBucket, ledgerDays } from "./ledger-days.server";
import { ensureMember } from "./members.server";
import { holdPoints, settleRedemption } from "./redemptions.server";

const shop = "ledger-test.myshopify.com";
const otherShop = "other-ledger-test.myshopify.com";
const t0 = new Date("2026-03-01T10:00:00Z");
const hours = (n: number) => new Date(t0.getTime() + n * 3_600_000);

let db: TestDatabase;
let customerSeq = 0;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.destroy();
});

const tx = <T>(work: (t: Tx) => Promise<T>) => db.sql.transaction(work);
const newMember = (onShop = shop) =>
  tx((t) => ensureMember(t, onShop, String(++customerSeq)));

function earnNow(member: MemberRef, key: string, points: number, at = t0) {
  return tx((t) =>
    writeLedger(t, member, {
      key,
      plan: (state) =>
        earn(state, {
          key,
          points,
          occurredAt: at,
          availableAt: at,
          expiresAt: null,
          now: at,
        }),
    }),
  );
}

/** Balances are the sum of the entries' deltas, and the cached state is what a rebuild derives. */
async function expectConsistent(member: MemberRef): Promise<MemberLedgerState> {
  const [cached, rebuilt, sums] = await Promise.all([
    tx((t) => cachedMemberState(t, member)),
    tx((t) => rebuildMemberState(t, member)),
    db.prisma.ledgerEntry.aggregate({
      where: { shop: member.shop, memberId: member.memberId },
      _sum: {
        points: true,
        deltaAvailable: true,
        deltaPending: true,
        deltaHeld: true,
      },
    }),
  ]);
  const sortByKey = (state: MemberLedgerState) =>
    [...state.lots].sort((a, b) => (a.lotKey < b.lotKey ? -1 : 1));
  expect(cached.balances).toEqual(rebuilt.balances);
  expect(sortByKey(cached)).toEqual(sortByKey(rebuilt));
  const { available, pending, held } = cached.balances;
  expect(sums._sum.points ?? 0).toBe(available + pending + held);
  expect(sums._sum.deltaAvailable ?? 0).toBe(available);
  expect(sums._sum.deltaPending ?? 0).toBe(pending);
  expect(sums._sum.deltaHeld ?? 0).toBe(held);
  return cached;
}

describe(`the ledger on ${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"}`, () => {
  it("records an idempotency key once: the same earn twice is one entry", async () => {
    const member = await newMember();
    expect((await earnNow(member, "order:1:earn", 120)).status).toBe("applied");
    expect((await earnNow(member, "order:1:earn", 120)).status).toBe(
      "duplicate",
    );
    expect(
      await db.prisma.ledgerEntry.count({
        where: { memberId: member.memberId },
      }),
    ).toBe(1);
    expect((await expectConsistent(member)).balances.available).toBe(120);
  });

  it("writes of several members in one transaction leave together: each member's state and the day's totals are right", async () => {
    // Two members whose writes sum into the same LedgerDay row, which one statement can change once.
    const seen = new Map<number, MemberRef>();
    let pair: [MemberRef, MemberRef] | undefined;
    while (!pair) {
      const member = await newMember();
      const twin = seen.get(dayBucket(member.memberId));
      if (twin) pair = [twin, member];
      seen.set(dayBucket(member.memberId), member);
    }
    const day = new Date("2026-06-15T12:00:00Z");
    await tx((t) =>
      Promise.all(
        pair.map((member, index) =>
          writeLedger(t, member, {
            key: `together:${index}`,
            plan: (state) =>
              earn(state, {
                key: `together:${index}`,
                points: 10 * (index + 1),
                occurredAt: day,
                availableAt: day,
                expiresAt: null,
                now: day,
              }),
          }),
        ),
      ),
    );
    expect((await expectConsistent(pair[0])).balances.available).toBe(10);
    expect((await expectConsistent(pair[1])).balances.available).toBe(20);
    const days = await tx((t) => ledgerDays(t, shop, "2026-06-15"));
    expect(days.find((total) => total.day === "2026-06-15")?.earned).toBe(30);
  });

  it("keys are per shop: another shop may use the same key", async () => {
    const here = await newMember();
    const there = await newMember(otherShop);
    await earnNow(here, "order:7:earn", 10);
    expect((await earnNow(there, "order:7:earn", 30)).status).toBe("applied");
    expect((await expectConsistent(there)).balances.available).toBe(30);
  });

  it("a release racing a paid order that holds the member's lock waits for it instead of deadlocking", async () => {
    const member = await newMember();
    await earnNow(member, "order:race:earn", 1000);
    const held = await tx((t) =>
      holdPoints(t, member, {
        points: 500,
        valueMinor: 500,
        currency: "USD",
        expiresAt: hours(1),
        now: hours(0),
        idempotencyKey: "checkout-race",
      }),
    );
    if (!held.ok) throw new Error("the hold should succeed");
    // The paid order locks the member for its earn, then settles the code it carries; meanwhile
    // the expiry sweep releases the same code. On PostgreSQL the two overlap.
    let memberLocked = () => {};
    const locked = new Promise<void>((resolve) => (memberLocked = resolve));
    const paid = tx(async (t) => {
      await lockMember(t, member);
      memberLocked();
      await sleep(200);
      return settleRedemption(t, shop, held.redemptionId, "POST", hours(2));
    });
    await locked;
    const released = tx((t) =>
      settleRedemption(t, shop, held.redemptionId, "RELEASE", hours(2)),
    );
    expect(await Promise.all([paid, released])).toEqual([
      expect.objectContaining({ ok: true, status: "POSTED", changed: true }),
      { ok: false, reason: "ALREADY_POSTED" },
    ]);
    expect((await expectConsistent(member)).balances).toMatchObject({
      available: 500,
      held: 0,
    });
  });

  it("hold → post spends the points; hold → release gives them back to their lot", async () => {
    const member = await newMember();
    await earnNow(member, "order:2:earn", 1000);
    const request = {
      points: 300,
      valueMinor: 300,
      currency: "USD",
      expiresAt: hours(1),
      now: hours(0),
    };
    const first = await tx((t) =>
      holdPoints(t, member, { ...request, idempotencyKey: "checkout-a" }),
    );
    const second = await tx((t) =>
      holdPoints(t, member, { ...request, idempotencyKey: "checkout-b" }),
    );
    if (!first.ok || !second.ok) throw new Error("holds should succeed");
    expect((await expectConsistent(member)).balances).toMatchObject({
      available: 400,
      held: 600,
    });

    expect(
      await tx((t) =>
        settleRedemption(t, shop, first.redemptionId, "POST", hours(0.5)),
      ),
    ).toEqual({
      ok: true,
      status: "POSTED",
      changed: true,
      balances: { available: 400, pending: 0, held: 300, lifetimeEarned: 1000 },
    });
    expect(
      await tx((t) =>
        settleRedemption(t, shop, second.redemptionId, "RELEASE", hours(1)),
      ),
    ).toMatchObject({
      status: "RELEASED",
    });
    const after = await expectConsistent(member);
    expect(after.balances).toEqual({
      available: 700,
      pending: 0,
      held: 0,
      lifetimeEarned: 1000,
    });
    expect(after.lots).toEqual([
      expect.objectContaining({ lotKey: "order:2:earn", remaining: 700 }),
    ]);

    // Settling again the same way is harmless; the other way is refused.
    expect(
      await tx((t) =>
        settleRedemption(t, shop, first.redemptionId, "POST", hours(2)),
      ),
    ).toMatchObject({
      changed: false,
    });
    expect(
      await tx((t) =>
        settleRedemption(t, shop, first.redemptionId, "RELEASE", hours(2)),
      ),
    ).toEqual({
      ok: false,
      reason: "ALREADY_POSTED",
    });
    expect(
      await tx((t) =>
        settleRedemption(t, otherShop, second.redemptionId, "POST", hours(2)),
      ),
    ).toEqual({
      ok: false,
      reason: "NOT_FOUND",
    });
    await expectConsistent(member);
  });

  it("a retried hold with the same idempotency key returns the same redemption", async () => {
    const member = await newMember();
    await earnNow(member, "order:3:earn", 500);
    const request = {
      points: 200,
      valueMinor: 200,
      currency: "USD",
      expiresAt: hours(1),
      now: t0,
      idempotencyKey: "k",
    };
    const results = await Promise.all(
      [1, 2, 3].map(() => tx((t) => holdPoints(t, member, request))),
    );
    const ids = new Set(
      results.map((result) => (result.ok ? result.redemptionId : "refused")),
    );
    expect(ids.size).toBe(1);
    expect((await expectConsistent(member)).balances).toMatchObject({
      available: 300,
      held: 200,
    });
  });

  it("of 20 concurrent holds on a balance good for 5, exactly 5 succeed", async () => {
    const member = await newMember();
    await earnNow(member, "order:4:earn", 500);
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        tx((t) =>
          holdPoints(t, member, {
            idempotencyKey: `concurrent-${index}`,
            points: 100,
            valueMinor: 100,
            currency: "USD",
            expiresAt: hours(1),
            now: t0,
          }),
        ),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(5);
    expect(outcomes.filter((outcome) => !outcome.ok)).toEqual(
      Array.from({ length: 15 }, () => ({
        ok: false,
        reason: "INSUFFICIENT_POINTS",
        available: 0,
      })),
    );
    expect((await expectConsistent(member)).balances).toMatchObject({
      available: 0,
      held: 500,
    });
    expect(
      await db.prisma.redemption.count({
        where: { memberId: member.memberId, status: "HELD" },
      }),
    ).toBe(5);
  });

  it("after any sequence of earn, hold, post, release, reversal, adjustment and expiry the cache equals the rebuild", async () => {
    type Step =
      | {
          op: "earn";
          points: number;
          pendingHours: number;
          expiryHours: number | null;
        }
      | { op: "hold"; points: number }
      | { op: "settle"; which: number; event: "POST" | "RELEASE" }
      | { op: "reverse"; which: number; share: number }
      | { op: "adjust"; points: number }
      | { op: "tick" };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({
        op: fc.constant("earn" as const),
        points: fc.integer({ min: 1, max: 500 }),
        pendingHours: fc.constantFrom(0, 0, 5),
        expiryHours: fc.constantFrom(null, 30),
      }),
      fc.record({
        op: fc.constant("hold" as const),
        points: fc.integer({ min: 1, max: 400 }),
      }),
      fc.record({
        op: fc.constant("settle" as const),
        which: fc.nat(),
        event: fc.constantFrom("POST" as const, "RELEASE" as const),
      }),
      fc.record({
        op: fc.constant("reverse" as const),
        which: fc.nat(),
        share: fc.integer({ min: 1, max: 100 }),
      }),
      fc.record({
        op: fc.constant("adjust" as const),
        points: fc.integer({ min: -300, max: 300 }).filter((n) => n !== 0),
      }),
      fc.record({ op: fc.constant("tick" as const) }),
    );

    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 14 }),
        fc.constantFrom("ALLOW_NEGATIVE" as const, "STOP_AT_ZERO" as const),
        async (steps, policy) => {
          const member = await newMember();
          // Keys are unique per shop, and every run shares the shop.
          const run = member.memberId;
          const earns: { key: string; points: number; reversed: number }[] = [];
          const redemptions: string[] = [];
          let clock = 0;
          for (const [index, action] of steps.entries()) {
            clock += 1;
            const now = hours(clock * 4);
            const key = `${run}:step:${index}`;
            if (action.op === "earn") {
              const availableAt = hours(clock * 4 + action.pendingHours);
              const expiresAt =
                action.expiryHours === null
                  ? null
                  : hours(clock * 4 + action.pendingHours + action.expiryHours);
              await tx((t) =>
                writeLedger(t, member, {
                  key,
                  plan: (state) =>
                    earn(state, {
                      key,
                      points: action.points,
                      occurredAt: now,
                      availableAt,
                      expiresAt,
                      now,
                    }),
                }),
              );
              earns.push({ key, points: action.points, reversed: 0 });
            } else if (action.op === "hold") {
              const outcome = await tx((t) =>
                holdPoints(t, member, {
                  idempotencyKey: key,
                  points: action.points,
                  valueMinor: action.points,
                  currency: "USD",
                  expiresAt: hours(clock * 4 + 1),
                  now,
                }),
              );
              if (outcome.ok) redemptions.push(outcome.redemptionId);
            } else if (action.op === "settle" && redemptions.length > 0) {
              const id = redemptions[action.which % redemptions.length] ?? "";
              await tx((t) => settleRedemption(t, shop, id, action.event, now));
            } else if (action.op === "reverse" && earns.length > 0) {
              const target = earns[action.which % earns.length];
              const left = target ? target.points - target.reversed : 0;
              const points = Math.ceil((left * action.share) / 100);
              if (target && points > 0) {
                await tx((t) =>
                  writeLedger(t, member, {
                    key,
                    lotKeys: [target.key],
                    plan: (state) =>
                      reverseEarn(state, {
                        key,
                        lotKey: target.key,
                        points,
                        policy,
                        occurredAt: now,
                      }),
                  }),
                );
                target.reversed += points;
              }
            } else if (action.op === "adjust") {
              await tx((t) =>
                writeLedger(t, member, {
                  key,
                  plan: (state) =>
                    adjust(state, {
                      key,
                      points: action.points,
                      reason: "test",
                      policy,
                      occurredAt: now,
                    }),
                }),
              );
            } else if (action.op === "tick") {
              await tx((t) =>
                writeLedger(t, member, {
                  plan: (state) => settleDue(state, now),
                }),
              );
            }
            const state = await expectConsistent(member);
            expect(state.balances.held).toBeGreaterThanOrEqual(0);
            expect(state.balances.pending).toBeGreaterThanOrEqual(0);
            if (policy === "STOP_AT_ZERO")
              expect(state.balances.available).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 12 },
    );
  });
});
