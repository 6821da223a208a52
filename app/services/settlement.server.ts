import type { SqlDatabase } from "~/db/sql.server";
import { settleDue } from "~/loyalty/ledger";
import { writeLedger } from "./ledger.server";

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
      const result = await database.transaction((tx) =>
        writeLedger(tx, member, { plan: (state) => settleDue(state, now) }),
      );
      if (result.status === "applied" && result.write.entries.length > 0) {
        report.members += 1;
        report.entries += result.write.entries.length;
      }
    }
  }
}
