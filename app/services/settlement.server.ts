import type { SqlDatabase, Tx } from "~/db/sql.server";
import {
  settleDue,
  type LedgerWrite,
  type MemberLedgerState,
} from "~/loyalty/ledger";
import type { ProgramConfig } from "~/loyalty/program";
import {
  availableBefore,
  flowTriggerJobs,
  rewardTriggers,
} from "./flow-triggers.server";
import { writeLedger, type MemberRef } from "./ledger.server";
import { enqueueAll } from "./outbox.server";
import { programConfig } from "./program.server";
import { reviewMemberTier } from "./tiers.server";
import { completeReferral } from "./referrals.server";

export interface SettlementReport {
  members: number;
  entries: number;
}

/**
 * The scheduled job that makes pending points available when their period has passed (and expires
 * lots past their date). It looks for everything due up to `now`, so a run after downtime catches
 * up on all it missed; each lot matures under its own idempotency key, so overlapping runs and
 * reruns change nothing twice.
 */
export async function settleDueLots(
  database: SqlDatabase,
  now: Date,
  options: { shop?: string; batchSize?: number } = {},
): Promise<SettlementReport> {
  const batchSize = options.batchSize ?? 500;
  const report: SettlementReport = { members: 0, entries: 0 };
  const shop = options.shop ?? null;
  let after = "";
  for (;;) {
    // Members in id order, resuming after the last one handled.
    const due = await database.query<{ shop: string; memberId: string }>(
      `SELECT DISTINCT shop, "memberId" FROM "Lot"
       WHERE "memberId" > $1
         AND ($2::text IS NULL OR shop = $2)
         AND ((NOT matured AND "availableAt" <= $3)
           OR (matured AND NOT expired AND remaining > 0 AND "expiresAt" <= $3))
       ORDER BY "memberId"
       LIMIT $4`,
      [after, shop, now, batchSize],
    );
    if (due.length === 0) return report;
    for (const member of due) {
      after = member.memberId;
      const result = await database.transaction(async (tx) => {
        const settled = await writeLedger(tx, member, {
          plan: (state) => settleDue(state, now),
        });
        // Matured points are earnings now and may lift the member into a higher tier; matured or
        // expired, the balance the extensions show has changed.
        if (settled.status === "applied" && settled.write.entries.length > 0) {
          const config = await programConfig(tx, member.shop);
          if (config) {
            await reviewMemberTier(
              tx,
              member,
              config,
              now,
              settled.state.balances,
            );
            await announceRewards(tx, member, config, settled, now);
          }
        }
        return settled;
      });
      if (result.status === "applied" && result.write.entries.length > 0) {
        report.members += 1;
        report.entries += result.write.entries.length;
      }
    }
  }
}

/** Matured points may have brought a reward within reach: Flow's "reward available". */
async function announceRewards(
  tx: Tx,
  member: MemberRef,
  config: ProgramConfig,
  settled: { write: LedgerWrite; state: MemberLedgerState },
  now: Date,
) {
  const after = settled.state.balances.available;
  const before = availableBefore(settled.write, after);
  if (after <= before) return;
  const [row] = await tx.query<{ customerId: string }>(
    `SELECT "customerId" FROM "Member" WHERE id = $1 AND shop = $2`,
    [member.memberId, member.shop],
  );
  if (!row) return;
  enqueueAll(
    tx,
    flowTriggerJobs(
      member.shop,
      rewardTriggers(config, row.customerId, before, after),
    ),
    now,
  );
}

/**
 * Referrals whose friend's order is now past the pending period: the advocate's points become
 * theirs (or the referral is cancelled, the order having been cancelled or refunded). Works from
 * what is still PENDING, so a run after downtime catches up and a rerun changes nothing twice.
 */
export async function completeDueReferrals(
  database: SqlDatabase,
  now: Date,
  options: { shop?: string; batchSize?: number } = {},
): Promise<{ completed: number; cancelled: number }> {
  const report = { completed: 0, cancelled: 0 };
  let after = "";
  for (;;) {
    // A program switched off keeps its referrals pending until it is back on.
    const due = await database.query<{ shop: string; id: string }>(
      `SELECT r.shop, r.id FROM "Referral" r JOIN "Shop" s ON s.shop = r.shop
       WHERE r.status = 'PENDING' AND r."dueAt" <= $1 AND r.id > $2
         AND ($3::text IS NULL OR r.shop = $3) AND (s.config->>'enabled')::boolean
       ORDER BY r.id LIMIT $4`,
      [now, after, options.shop ?? null, options.batchSize ?? 500],
    );
    if (due.length === 0) return report;
    for (const referral of due) {
      after = referral.id;
      const outcome = await database.transaction(async (tx) => {
        const config = await programConfig(tx, referral.shop);
        return config
          ? completeReferral(tx, referral.shop, referral.id, config, now)
          : null;
      });
      if (outcome === "COMPLETED") report.completed += 1;
      if (outcome === "CANCELLED") report.cancelled += 1;
    }
  }
}

/**
 * The scheduled tier review: demotions happen only here (once the window has moved past the
 * qualifying activity and the grace period has run), and windowed tiers are kept current for
 * members with no new activity. Each member is reviewed in its own transaction.
 */
export async function reviewTiers(
  database: SqlDatabase,
  now: Date,
  options: {
    shop?: string;
    batchSize?: number;
    /** Members without a tier yet too (after a rule change), not only placed ones. */
    includeUnplaced?: boolean;
    onProgress?: (report: { reviewed: number; changed: number }) => void;
  } = {},
): Promise<{ reviewed: number; changed: number }> {
  const batchSize = options.batchSize ?? 500;
  const shop = options.shop ?? null;
  const report = { reviewed: 0, changed: 0 };
  let after = "";
  for (;;) {
    const members = await database.query<{ shop: string; memberId: string }>(
      `SELECT shop, id AS "memberId" FROM "Member"
       WHERE id > $1 AND ($2::text IS NULL OR shop = $2)
         AND ($4 OR "tierHandle" IS NOT NULL) AND "redactedAt" IS NULL
       ORDER BY id LIMIT $3`,
      [after, shop, batchSize, options.includeUnplaced ?? false],
    );
    if (members.length === 0) return report;
    for (const member of members) {
      after = member.memberId;
      const change = await database.transaction(async (tx) => {
        const config = await programConfig(tx, member.shop);
        return config?.enabled
          ? reviewMemberTier(tx, member, config, now)
          : null;
      });
      report.reviewed += 1;
      if (change) report.changed += 1;
      options.onProgress?.(report);
    }
  }
}
