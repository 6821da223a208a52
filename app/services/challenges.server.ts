// Challenges (docs/decisions/013-referrals-challenges-cashback.md): progress is read from the
// member's order records whenever it is needed, never stored, so a late, replayed or cancelled
// order changes it with nothing to keep in step; the bonus is written once per member and period.
import type { Queryable, Tx } from "~/db/client.server";
import {
  challengeProgress,
  challengeWindow,
  type Challenge,
  type ChallengeWindow,
  type CountedOrder,
} from "~/loyalty/challenges";
import { challengeBonusKey } from "~/loyalty/keys";
import { adjust } from "~/loyalty/ledger";
import { lotTimes, type ProgramConfig } from "~/loyalty/program";
import { writeLedger, type MemberRef } from "./ledger.server";
import { reviewMemberTier } from "./tiers.server";

interface Running {
  challenge: Challenge;
  window: ChallengeWindow;
}

const running = (challenges: Challenge[], at: Date): Running[] =>
  challenges.flatMap((challenge) => {
    const window = challengeWindow(challenge, at);
    return window ? [{ challenge, window }] : [];
  });

/** The member's paid orders, not cancelled, placed within any of the windows. */
async function countedOrders(
  tx: Queryable,
  member: MemberRef,
  windows: ChallengeWindow[],
): Promise<CountedOrder[]> {
  if (windows.length === 0) return [];
  const from = new Date(
    Math.min(...windows.map((window) => window.start.getTime())),
  );
  const to = new Date(
    Math.max(...windows.map((window) => window.end.getTime())),
  );
  const rows = await tx.query<{ at: Date; spentMinor: number | null }>(
    `SELECT "processedAt" AS at, "spentMinor" FROM "OrderRecord"
     WHERE shop = $1 AND "memberId" = $2 AND "paidAt" IS NOT NULL AND "cancelledAt" IS NULL
       AND "processedAt" >= $3 AND "processedAt" < $4`,
    [member.shop, member.memberId, from, to],
  );
  return rows.map((row) => ({ at: row.at, spentMinor: row.spentMinor ?? 0 }));
}

/**
 * After an order of the member was paid: each challenge running when the order was placed whose
 * target is now reached pays its bonus, once per period (the key says so). A bonus stays once
 * paid, even if an order that counted is later cancelled: the member did what was asked.
 */
export async function advanceChallenges(
  tx: Tx,
  member: MemberRef,
  config: ProgramConfig,
  orderedAt: Date,
  now: Date,
): Promise<number> {
  const active = running(config.growth.challenges, orderedAt);
  const orders = await countedOrders(
    tx,
    member,
    active.map(({ window }) => window),
  );
  let paid = 0;
  for (const { challenge, window } of active) {
    if (challengeProgress(challenge, window, orders) < challenge.target)
      continue;
    const key = challengeBonusKey(challenge.id, member.memberId, window.period);
    const written = await writeLedger(tx, member, {
      key,
      plan: (state) =>
        adjust(state, {
          key,
          points: challenge.bonusPoints,
          reason: `Challenge completed: ${challenge.title}`,
          policy: config.negativeBalancePolicy,
          occurredAt: now,
          expiresAt: lotTimes(config, now).expiresAt,
        }),
    });
    if (written.status === "applied") paid += 1;
  }
  if (paid > 0) await reviewMemberTier(tx, member, config, now);
  return paid;
}

export interface ChallengeStanding {
  id: string;
  title: string;
  kind: Challenge["kind"];
  progress: number;
  target: number;
  completed: boolean;
  bonusPoints: number;
  endsAt: string;
}

/** What the shopper sees of the challenges running now; a shopper who is not a member has 0. */
export async function challengeStandings(
  tx: Queryable,
  member: MemberRef | null,
  challenges: Challenge[],
  now: Date,
): Promise<ChallengeStanding[]> {
  const active = running(challenges, now);
  if (active.length === 0) return [];
  const orders = member
    ? await countedOrders(
        tx,
        member,
        active.map(({ window }) => window),
      )
    : [];
  const keys = member
    ? active.map(({ challenge, window }) =>
        challengeBonusKey(challenge.id, member.memberId, window.period),
      )
    : [];
  const done = new Set(
    member && keys.length > 0
      ? (
          await tx.query<{ key: string }>(
            `SELECT "idempotencyKey" AS key FROM "LedgerEntry"
             WHERE shop = $1 AND "idempotencyKey" IN (SELECT jsonb_array_elements_text($2::jsonb))`,
            [member.shop, keys],
          )
        ).map((row) => row.key)
      : [],
  );
  return active.map(({ challenge, window }, index) => ({
    id: challenge.id,
    title: challenge.title,
    kind: challenge.kind,
    progress: Math.min(
      challengeProgress(challenge, window, orders),
      challenge.target,
    ),
    target: challenge.target,
    completed: done.has(keys[index] ?? ""),
    bonusPoints: challenge.bonusPoints,
    endsAt: window.end.toISOString(),
  }));
}
