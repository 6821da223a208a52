// The ledger summed per shop and day (the LedgerDay table): what the dashboard reads, so its cost
// does not grow with the number of entries. Written by saveWrite in ledger.server.ts in the same
// statement as the entries; `rebuildLedgerDays` recomputes it from the entries.
import type { Tx } from "~/db/client.server";

// A transaction keeps its day row locked until it commits, so ten concurrent webhooks on sixteen
// rows queued behind each other often (measured in ADR 007); a day's read sums at most this many
// rows per day, which the dashboard does not notice.
const BUCKETS = 64;

/**
 * Spreads one shop's writes to a day over rows by what they are about (a member for LedgerDay, an
 * order for OrderDay), so concurrent transactions rarely queue on one row. The whole id is hashed
 * (FNV-1a): its last character alone takes only sixteen values in a uuid and ten in an order id.
 */
export function dayBucket(id: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < id.length; index += 1) {
    hash ^= id.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % BUCKETS;
}

/** The table's measures, in the order `ledgerDaySums` yields them. */
export const LEDGER_DAY_MEASURES = `earned, "adjustedIn", "adjustedOut", reversed, redeemed, expired`;

/** The measures over entries aliased `e` (with `kind` and signed `points`), as magnitudes. */
export const ledgerDaySums = `
  sum(CASE WHEN e.kind = 'EARN' THEN e.points ELSE 0 END),
  sum(CASE WHEN e.kind = 'ADJUSTMENT' AND e.points > 0 THEN e.points ELSE 0 END),
  sum(CASE WHEN e.kind = 'ADJUSTMENT' AND e.points < 0 THEN -e.points ELSE 0 END),
  sum(CASE WHEN e.kind = 'EARN_REVERSAL' THEN -e.points ELSE 0 END),
  sum(CASE WHEN e.kind = 'REDEMPTION_POST' THEN -e.points ELSE 0 END),
  sum(CASE WHEN e.kind = 'EXPIRY' THEN -e.points ELSE 0 END)`;

/** Entries that move a measure; holds, releases and maturations only move points between buckets. */
export const LEDGER_DAY_KINDS = `('EARN', 'ADJUSTMENT', 'EARN_REVERSAL', 'REDEMPTION_POST', 'EXPIRY')`;

export interface LedgerDayTotals {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  earned: number;
  adjustedIn: number;
  adjustedOut: number;
  reversed: number;
  redeemed: number;
  expired: number;
}

/** The shop's days from `from` (a UTC day) on, buckets summed, oldest first. */
export function ledgerDays(
  tx: Pick<Tx, "query">,
  shop: string,
  from: string,
): Promise<LedgerDayTotals[]> {
  return tx.query<LedgerDayTotals>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, sum(earned)::int8 AS earned,
       sum("adjustedIn")::int8 AS "adjustedIn", sum("adjustedOut")::int8 AS "adjustedOut",
       sum(reversed)::int8 AS reversed, sum(redeemed)::int8 AS redeemed,
       sum(expired)::int8 AS expired
     FROM "LedgerDay" WHERE shop = $1 AND day >= $2::date
     GROUP BY day ORDER BY day`,
    [shop, from],
  );
}

/** Recomputes the shop's days from its entries (repair, or a check that the cache is right). */
export async function rebuildLedgerDays(tx: Tx, shop: string): Promise<void> {
  await tx.query(`DELETE FROM "LedgerDay" WHERE shop = $1`, [shop]);
  await tx.query(
    `INSERT INTO "LedgerDay" (shop, day, bucket, ${LEDGER_DAY_MEASURES})
     SELECT $1, e."occurredAt"::date, 0, ${ledgerDaySums}
     FROM "LedgerEntry" e WHERE e.shop = $1 AND e.kind IN ${LEDGER_DAY_KINDS}
     GROUP BY 2`,
    [shop],
  );
}
