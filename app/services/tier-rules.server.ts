import { jsonTimestamp, type SqlDatabase } from "~/db/sql.server";
import {
  previewRuleChange,
  tierRulesSchema,
  type QualifyingActivity,
  type TierRules,
} from "~/loyalty/tiers";
import { enqueue } from "./outbox.server";
import { programConfig, saveProgramConfig } from "./program.server";
import { tierSegmentsJob } from "./tier-segments.server";
import { reviewTiers } from "./settlement.server";
import { tierCreditOf, type TierCreditColumns } from "./tiers.server";

export interface MemberMove {
  memberId: string;
  customerId: string;
  email: string | null;
}

export interface TierRulesPreview {
  up: MemberMove[];
  down: MemberMove[];
  unchanged: number;
}

interface MemberActivityRow extends MemberMove, TierCreditColumns {
  activity: { at: string; points: number }[];
}

/**
 * Who a change of the tier rules would move, before it is saved: every member's standing under
 * the current rules against the proposed ones, from their dated earnings.
 */
export async function previewTierRules(
  sql: SqlDatabase,
  shop: string,
  proposed: TierRules,
  now: Date,
): Promise<TierRulesPreview> {
  const config = await sql.transaction((tx) => programConfig(tx, shop));
  if (!config) throw new Error(`shop ${shop} has no program`);
  const [facts] = await sql.query<{ timezone: string }>(
    `SELECT timezone FROM "Shop" WHERE shop = $1`,
    [shop],
  );
  const members = await sql.query<MemberActivityRow>(
    `SELECT m.id AS "memberId", m."customerId", m.email, m."tierCreditHandle", m."tierCreditUntil",
       coalesce(json_agg(json_build_object('at', e."occurredAt", 'points', e."deltaLifetimeEarned"))
         FILTER (WHERE e.id IS NOT NULL), '[]') AS activity
     FROM "Member" m
     LEFT JOIN "LedgerEntry" e
       ON e.shop = m.shop AND e."memberId" = m.id AND e."deltaLifetimeEarned" <> 0
     WHERE m.shop = $1 AND m."redactedAt" IS NULL
     GROUP BY m.id`,
    [shop],
  );
  const moves = previewRuleChange(
    members.map((member) => ({
      id: member.memberId,
      activity: member.activity.map((item): QualifyingActivity => ({
        at: jsonTimestamp(item.at),
        points: item.points,
        spentMinor: 0,
      })),
      credit: tierCreditOf(member),
    })),
    config.tiers,
    proposed,
    now,
    facts?.timezone ?? "UTC",
  );
  const byId = new Map(members.map((member) => [member.memberId, member]));
  const listed = (ids: string[]) =>
    ids.flatMap((id) => {
      const member = byId.get(id);
      return member
        ? [{ memberId: id, customerId: member.customerId, email: member.email }]
        : [];
    });
  return {
    up: listed(moves.up),
    down: listed(moves.down),
    unchanged: moves.unchanged,
  };
}

export interface Reevaluation {
  total: number;
  done: number;
  changed: number;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

// One process's view; with several instances each reports the re-evaluation it started.
const reevaluations = new Map<string, Reevaluation>();

export const reevaluationOf = (shop: string) => reevaluations.get(shop) ?? null;

/**
 * Saves new tier rules and re-evaluates every member in the background; tag changes leave through
 * the outbox as each member is reviewed. A change of basis, window or thresholds takes effect now
 * (`effectiveFrom`), so time a member spent below a threshold before it never hastens a demotion.
 */
export async function saveTierRules(
  sql: SqlDatabase,
  shop: string,
  proposed: TierRules,
  now: Date,
): Promise<void> {
  await sql.transaction(async (tx) => {
    const config = await programConfig(tx, shop);
    if (!config) throw new Error(`shop ${shop} has no program`);
    const thresholds = (rules: TierRules) =>
      JSON.stringify([
        rules.basis,
        rules.window,
        rules.levels.map((level) => level.threshold),
      ]);
    const changed = thresholds(config.tiers) !== thresholds(proposed);
    const tiers = tierRulesSchema.parse({
      ...proposed,
      effectiveFrom: changed ? now : config.tiers.effectiveFrom,
    });
    await saveProgramConfig(tx, shop, { ...config, tiers });
    // New tier names get their segments; existing ones are kept (their names are taken).
    await enqueue(tx, tierSegmentsJob(shop, tiers), now);
  });
  const [count] = await sql.query<{ total: number }>(
    `SELECT count(*)::int AS total FROM "Member" WHERE shop = $1 AND "redactedAt" IS NULL`,
    [shop],
  );
  const progress: Reevaluation = {
    total: count?.total ?? 0,
    done: 0,
    changed: 0,
    startedAt: now.toISOString(),
    finishedAt: null,
    error: null,
  };
  reevaluations.set(shop, progress);
  void reviewTiers(sql, now, {
    shop,
    includeUnplaced: true,
    onProgress: (report) => {
      progress.done = report.reviewed;
      progress.changed = report.changed;
    },
  })
    .catch((error: unknown) => {
      progress.error = error instanceof Error ? error.message : String(error);
    })
    .finally(() => {
      progress.finishedAt = new Date().toISOString();
    });
}
