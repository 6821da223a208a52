// Birthdays, expiry warnings and points awarded by Flow (docs/decisions/012-engagement-expiry-
// birthdays-flow.md). The two scheduled jobs work from what is due "as of now" and key every effect
// (a ledger entry, a notice), so a rerun changes nothing and a run after downtime catches up.
import { z } from "zod";
import type { SqlDatabase, Tx } from "~/db/sql.server";
import { birthdaysDue, inWarningWindow, localDate } from "~/loyalty/engagement";
import { pointsExpiring, type FlowTrigger } from "~/loyalty/flow";
import { birthdayKey, expiryWarningKey, flowAwardKey } from "~/loyalty/keys";
import { adjust, earn } from "~/loyalty/ledger";
import { lotTimes, type ProgramConfig } from "~/loyalty/program";
import type { AdminClient } from "~/shopify/admin-client.server";
import { METAFIELDS_SET_MUTATION } from "~/shopify/admin-operations";
import type { LoyaltyMetafieldsSetMutationVariables } from "~/types/admin.generated";
import {
  earnTriggers,
  flowTriggerJobs,
  rewardTriggers,
  availableBefore,
} from "./flow-triggers.server";
import { writeLedger, type MemberRef } from "./ledger.server";
import { MEMBER_METAFIELD_NAMESPACE } from "./member-metafields.server";
import { ensureMember } from "./members.server";
import { enqueue, enqueueAll, type NewOutboxJob } from "./outbox.server";
import { parseJobPayload } from "./outbox-jobs.server";
import { shopWithProgram } from "./program.server";
import { planTierReview } from "./tiers.server";

interface ProgramShop {
  shop: string;
  timezone: string;
  config: ProgramConfig;
}

/** Installed shops whose program is on, with their time zone, one by one. */
async function programShops(
  database: SqlDatabase,
  only: string | null,
): Promise<ProgramShop[]> {
  const rows = await database.query<{ shop: string }>(
    `SELECT shop FROM "Shop" WHERE "uninstalledAt" IS NULL AND ($1::text IS NULL OR shop = $1)
     ORDER BY shop`,
    [only],
  );
  const shops: ProgramShop[] = [];
  for (const { shop } of rows) {
    const found = await database.transaction((tx) => shopWithProgram(tx, shop));
    if (found?.config.enabled)
      shops.push({ shop, timezone: found.shop.timezone, config: found.config });
  }
  return shops;
}

// ---------------------------------------------------------------------------------------------
// Expiry warnings

const DAY_MS = 86_400_000;

interface ExpiringLot {
  memberId: string;
  customerId: string;
  available: number;
  lotKey: string;
  remaining: number;
  expiresAt: Date;
}

export interface WarningReport {
  members: number;
  warnings: number;
}

/**
 * Sends Flow's "points expiring soon" for lots whose expiry date (in the shop's calendar) is at
 * most `expiryWarningDays` away: each lot once (its notice key), the lots of one member expiring
 * on one date in one trigger. Points held by a redemption are not in a lot's remainder, so they
 * are neither announced nor at risk.
 */
export async function warnExpiringPoints(
  database: SqlDatabase,
  now: Date,
  options: { shop?: string; batchSize?: number } = {},
): Promise<WarningReport> {
  const report: WarningReport = { members: 0, warnings: 0 };
  const batchSize = options.batchSize ?? 500;
  for (const program of await programShops(database, options.shop ?? null)) {
    const days = program.config.engagement.expiryWarningDays;
    if (program.config.expiryDays === null || days === 0) continue;
    // Whole local days decide, so look a little past the window and let the calendar filter.
    const horizon = new Date(now.getTime() + (days + 2) * DAY_MS);
    let after = "";
    for (;;) {
      const lots = await database.query<ExpiringLot>(
        `WITH members AS (
           SELECT DISTINCT l."memberId" FROM "Lot" l
           WHERE l.shop = $1 AND l."memberId" > $2 AND NOT l.expired AND l.remaining > 0
             AND l."expiresAt" > $3 AND l."expiresAt" <= $4
             -- the notice key of expiryWarningKey(lotKey)
             AND NOT EXISTS (SELECT 1 FROM "EngagementNotice" n
                             WHERE n.shop = l.shop AND n.key = 'lot:' || l."lotKey" || ':expiry-warning')
           ORDER BY l."memberId" LIMIT $5
         )
         SELECT l."memberId", m."customerId", m.available, l."lotKey", l.remaining, l."expiresAt"
         FROM "Lot" l
         JOIN members USING ("memberId")
         JOIN "Member" m ON m.id = l."memberId" AND m.shop = l.shop
         WHERE l.shop = $1 AND NOT l.expired AND l.remaining > 0 AND m."redactedAt" IS NULL
           AND l."expiresAt" > $3 AND l."expiresAt" <= $4
         ORDER BY l."memberId", l."expiresAt", l."lotKey"`,
        [program.shop, after, now, horizon, batchSize],
      );
      if (lots.length === 0) break;
      const byMember = new Map<string, ExpiringLot[]>();
      for (const lot of lots) {
        after = lot.memberId;
        if (!inWarningWindow(lot.expiresAt, now, days, program.timezone))
          continue;
        byMember.set(lot.memberId, [
          ...(byMember.get(lot.memberId) ?? []),
          lot,
        ]);
      }
      for (const [memberId, memberLots] of byMember) {
        const sent = await database.transaction((tx) =>
          warnMember(tx, program, memberId, memberLots, now),
        );
        if (sent > 0) {
          report.members += 1;
          report.warnings += sent;
        }
      }
    }
  }
  return report;
}

async function warnMember(
  tx: Tx,
  program: ProgramShop,
  memberId: string,
  lots: ExpiringLot[],
  now: Date,
): Promise<number> {
  // Claiming the notices is what makes a lot announced once, whatever ran before or runs beside.
  const claimed = await tx.query<{ key: string }>(
    `INSERT INTO "EngagementNotice" (shop, key, "memberId", at)
     SELECT $1, key, $2, $3 FROM jsonb_array_elements_text($4::jsonb) AS key
     ON CONFLICT DO NOTHING
     RETURNING key`,
    [
      program.shop,
      memberId,
      now,
      lots.map((lot) => expiryWarningKey(lot.lotKey)),
    ],
  );
  const fresh = new Set(claimed.map((row) => row.key));
  const byDate = new Map<string, { points: number; expiresAt: Date }>();
  for (const lot of lots) {
    if (!fresh.has(expiryWarningKey(lot.lotKey))) continue;
    const date = localDate(lot.expiresAt, program.timezone);
    const group = byDate.get(date);
    if (group) group.points += lot.remaining;
    else byDate.set(date, { points: lot.remaining, expiresAt: lot.expiresAt });
  }
  const first = lots[0];
  if (!first || byDate.size === 0) return 0;
  const triggers: FlowTrigger[] = [...byDate.values()].map((group) =>
    pointsExpiring({
      customerId: first.customerId,
      points: group.points,
      expiresAt: group.expiresAt,
      balance: first.available,
    }),
  );
  enqueueAll(tx, flowTriggerJobs(program.shop, triggers), now);
  return triggers.length;
}

// ---------------------------------------------------------------------------------------------
// Birthdays

export interface BirthdayReport {
  rewarded: number;
}

/**
 * Gives each member with a birthday on today's date in the shop's calendar (or in the few days
 * before, after downtime) the birthday points once for that year: `birthday:<memberId>:<year>`,
 * whatever the birthday says, so changing it cannot earn twice in a year.
 */
export async function awardBirthdays(
  database: SqlDatabase,
  now: Date,
  options: { shop?: string } = {},
): Promise<BirthdayReport> {
  const report: BirthdayReport = { rewarded: 0 };
  for (const program of await programShops(database, options.shop ?? null)) {
    if (!program.config.engagement.birthday.enabled) continue;
    const due = birthdaysDue(localDate(now, program.timezone));
    const members = await database.query<{
      memberId: string;
      customerId: string;
      year: number;
    }>(
      `SELECT m.id AS "memberId", m."customerId", d.year
       FROM "Member" m
       JOIN jsonb_to_recordset($2::jsonb) AS d("monthDay" text, year int)
         ON substring(m.birthday from 6) = d."monthDay"
       WHERE m.shop = $1 AND m.birthday IS NOT NULL AND m."redactedAt" IS NULL
         -- the ledger key of birthdayKey(memberId, year)
         AND NOT EXISTS (SELECT 1 FROM "LedgerEntry" e
                         WHERE e.shop = m.shop AND e."idempotencyKey" = 'birthday:' || m.id || ':' || d.year)
       ORDER BY m.id`,
      [program.shop, due],
    );
    for (const member of members) {
      const applied = await database.transaction((tx) =>
        giveBirthdayPoints(tx, program, member, now),
      );
      if (applied) report.rewarded += 1;
    }
  }
  return report;
}

function giveBirthdayPoints(
  tx: Tx,
  program: ProgramShop,
  member: { memberId: string; customerId: string; year: number },
  now: Date,
): Promise<boolean> {
  return grantBonus(
    tx,
    { shop: program.shop, memberId: member.memberId },
    program.config,
    {
      key: birthdayKey(member.memberId, member.year),
      points: program.config.engagement.birthday.points,
      reason: "birthday",
      customerId: member.customerId,
      now,
    },
  );
}

/**
 * Bonus points (signup, birthday): earned points available at once that expire like any others,
 * so the member's tier is reviewed, and Flow hears of them. False when the key was already used.
 */
export async function grantBonus(
  tx: Tx,
  member: MemberRef,
  config: ProgramConfig,
  bonus: {
    key: string;
    points: number;
    reason: string;
    customerId: string;
    now: Date;
    webhookEventId?: string | null;
  },
): Promise<boolean> {
  const { key, points, now } = bonus;
  const result = await writeLedger(tx, member, {
    key,
    webhookEventId: bonus.webhookEventId,
    plan: (state) =>
      earn(state, {
        key,
        points,
        occurredAt: now,
        availableAt: now,
        expiresAt: lotTimes(config, now).expiresAt,
        now,
        refs: {},
      }),
  });
  if (result.status !== "applied") return false;
  const { balances } = result.state;
  const review = await planTierReview(tx, member, config, now, balances);
  enqueueAll(
    tx,
    [
      ...review.jobs,
      ...flowTriggerJobs(
        member.shop,
        earnTriggers(
          config,
          bonus.customerId,
          result.write,
          balances.available,
          {
            points,
            reason: bonus.reason,
          },
        ),
      ),
    ],
    now,
  );
  return true;
}

/**
 * The shopper's own birthday, from the customer account: kept on the member (created if the
 * shopper is not one yet) and mirrored to the customer as the app's `birthday` metafield.
 */
export async function setBirthday(
  tx: Tx,
  input: { shop: string; customerId: string; birthday: string; now: Date },
): Promise<{ ok: true } | { ok: false; reason: "MEMBER_REDACTED" }> {
  const member = await ensureMember(tx, input.shop, input.customerId);
  if (member.redacted) return { ok: false, reason: "MEMBER_REDACTED" };
  await tx.query(
    `UPDATE "Member" SET birthday = $3, "updatedAt" = now() WHERE id = $1 AND shop = $2`,
    [member.memberId, input.shop, input.birthday],
  );
  await enqueue(
    tx,
    customerBirthdayJob(input.shop, {
      customerId: input.customerId,
      birthday: input.birthday,
    }),
    input.now,
  );
  return { ok: true };
}

export const customerBirthdayPayloadSchema = z.object({
  customerId: z.string().regex(/^\d+$/),
  birthday: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
});

/** The latest birthday wins: jobs for one customer coalesce. */
export function customerBirthdayJob(
  shop: string,
  payload: z.infer<typeof customerBirthdayPayloadSchema>,
): NewOutboxJob {
  return {
    shop,
    kind: "CUSTOMER_BIRTHDAY",
    coalesceKey: `birthday:${payload.customerId}`,
    payload,
  };
}

export async function sendCustomerBirthday(
  admin: AdminClient,
  payload: unknown,
): Promise<void> {
  const { customerId, birthday } = parseJobPayload(
    "CUSTOMER_BIRTHDAY",
    customerBirthdayPayloadSchema,
    payload,
  );
  const variables: LoyaltyMetafieldsSetMutationVariables = {
    metafields: [
      {
        ownerId: `gid://shopify/Customer/${customerId}`,
        namespace: MEMBER_METAFIELD_NAMESPACE,
        key: "birthday",
        type: "date",
        value: birthday,
      },
    ],
  };
  await admin.mutate(METAFIELDS_SET_MUTATION, variables, "metafieldsSet");
}

// ---------------------------------------------------------------------------------------------
// Flow action "Award loyalty points"

export type FlowAwardOutcome =
  | { ok: true; replayed: boolean; available: number | null }
  | {
      ok: false;
      reason: "PROGRAM_NOT_FOUND" | "PROGRAM_DISABLED" | "MEMBER_REDACTED";
    };

/**
 * Points a merchant's workflow gives a customer. Keyed by Flow's action run id, which Flow keeps
 * on its retries, so a retried request adds nothing. Spendable at once and expiring like earned
 * points; not an earning (tiers ignore it), and it announces no "points earned", so a workflow
 * started by that trigger cannot feed itself.
 */
export async function awardFlowPoints(
  tx: Tx,
  input: {
    shop: string;
    customerId: string;
    points: number;
    reason: string;
    actionRunId: string;
    now: Date;
  },
): Promise<FlowAwardOutcome> {
  const found = await shopWithProgram(tx, input.shop);
  if (!found) return { ok: false, reason: "PROGRAM_NOT_FOUND" };
  const { config } = found;
  if (!config.enabled) return { ok: false, reason: "PROGRAM_DISABLED" };
  const member = await ensureMember(tx, input.shop, input.customerId);
  if (member.redacted) return { ok: false, reason: "MEMBER_REDACTED" };
  const key = flowAwardKey(input.actionRunId);
  const result = await writeLedger(tx, member, {
    key,
    plan: (state) =>
      adjust(state, {
        key,
        points: input.points,
        reason: input.reason,
        policy: config.negativeBalancePolicy,
        occurredAt: input.now,
        expiresAt: lotTimes(config, input.now).expiresAt,
        actor: "shopify-flow",
      }),
  });
  if (result.status === "duplicate")
    return { ok: true, replayed: true, available: null };
  if (result.status === "refused")
    throw new Error(`a positive award was refused: ${result.refusal.reason}`);
  const { balances } = result.state;
  const review = await planTierReview(tx, member, config, input.now, balances);
  const before = availableBefore(result.write, balances.available);
  enqueueAll(
    tx,
    [
      ...review.jobs,
      ...flowTriggerJobs(
        input.shop,
        rewardTriggers(config, input.customerId, before, balances.available),
      ),
    ],
    input.now,
  );
  return { ok: true, replayed: false, available: balances.available };
}
