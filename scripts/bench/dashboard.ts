// npm run bench -- dashboard: the admin dashboard's server time on one large shop (100,000 members,
// 1,000,000 ledger entries, 400,000 orders by default), seeded in PostgreSQL with generate_series.
// Prints p50/p99 per period beside two references measured on the same data in the same run: a
// plain count over the ledger (the ratio makes numbers from different machines comparable) and the
// period's sums read straight from the entries, the cost the LedgerDay table avoids.
import { openDatabase, type Database } from "../../app/db/client.server";
import { DASHBOARD_PERIODS } from "../../app/loyalty/dashboard";
import { programDashboard } from "../../app/services/dashboard.server";
import { rebuildLedgerDays } from "../../app/services/ledger-days.server";
import { rebuildOrderRollups } from "../../app/services/order-rollups.server";
import { ensureShop } from "../../app/services/program.server";
import { positiveInteger } from "./options";
import { benchServer, withThrowawayDatabase } from "./postgres";
import { formatMs, formatNumber } from "./report";
import type { Bench, BenchResult, OptionValues, SummaryRow } from "./types";

const SHOP = "bench-dashboard.myshopify.com";

async function seed(database: Database, sizes: Record<string, number>) {
  const { members, entries, orders } = sizes;
  await database.sql.transaction((tx) =>
    ensureShop(tx, { shop: SHOP, currency: "USD" }),
  );
  // Members' ids as the app makes them (uuids); entries and orders point at them by number.
  await database.sql.query(
    `INSERT INTO "Member" (id, shop, "customerId", available, pending, held, "lifetimeEarned",
       "tierHandle", "updatedAt")
     SELECT md5(i::text)::uuid::text, $1, i::text, (i * 37) % 900, (i * 11) % 50, 0,
       (i * 53) % 3000,
       CASE WHEN (i * 53) % 3000 >= 1500 THEN 'gold' WHEN (i * 53) % 3000 >= 500 THEN 'silver'
         ELSE 'bronze' END, now()
     FROM generate_series(1, $2::int) AS i`,
    [SHOP, members],
  );
  // A year of entries: mostly earns, with maturations, holds, posts, reversals and expiries.
  await database.sql.query(
    `INSERT INTO "LedgerEntry" (shop, "memberId", kind, "idempotencyKey", points,
       "deltaAvailable", "deltaPending", "deltaHeld", "deltaLifetimeEarned", "occurredAt")
     SELECT $1, md5((1 + i % $3::int)::text)::uuid::text, k.kind, 'bench:' || i, k.points,
       0, 0, 0, 0, now() - ((i % 365) * interval '1 day') - ((i % 1440) * interval '1 minute')
     FROM generate_series(1, $2::int) AS i,
       LATERAL (SELECT CASE
         WHEN i % 20 < 12 THEN 'EARN' WHEN i % 20 < 14 THEN 'MATURATION'
         WHEN i % 20 < 16 THEN 'REDEMPTION_HOLD' WHEN i % 20 < 18 THEN 'REDEMPTION_POST'
         WHEN i % 20 = 18 THEN 'EARN_REVERSAL' ELSE 'EXPIRY' END AS kind,
         CASE WHEN i % 20 < 12 THEN 20 + i % 200 WHEN i % 20 < 16 THEN 0
           ELSE -(10 + i % 100) END AS points) AS k`,
    [SHOP, entries, members],
  );
  // Orders of members and of buyers who are not (customer ids beyond the members').
  await database.sql.query(
    `INSERT INTO "OrderRecord" (shop, "orderId", "customerId", outcome, points, "processedAt",
       "paidAt", "totalMinor", "pointsDiscountMinor", "updatedAt")
     SELECT $1, i::text, (1 + (i::int8 * 7919) % ($3::int + $3::int / 5))::text, 'EARNED', 50,
       now() - ((i % 365) * interval '1 day'), now(), 2000 + (i * 13) % 20000,
       CASE WHEN i % 20 = 0 THEN 500 ELSE 0 END, now()
     FROM generate_series(1, $2::int) AS i`,
    [SHOP, orders, members],
  );
  await database.sql.transaction(async (tx) => {
    await rebuildLedgerDays(tx, SHOP);
    await rebuildOrderRollups(tx, SHOP);
  });
  await database.sql.query(`VACUUM ANALYZE`);
}

function percentile(sorted: number[], share: number): number {
  return (
    sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? 0
  );
}

async function timed(
  runs: number,
  work: () => Promise<unknown>,
): Promise<{ p50: number; p99: number; max: number; perSecond: number }> {
  await work();
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const total = times.reduce((sum, time) => sum + time, 0);
  return {
    p50: percentile(times, 0.5),
    p99: percentile(times, 0.99),
    max: times.at(-1) ?? 0,
    perSecond: (runs / total) * 1000,
  };
}

async function runDashboardBench(options: OptionValues): Promise<BenchResult> {
  const quick = process.env.BENCH_QUICK === "1";
  const sizes = {
    members: positiveInteger(
      "members",
      options.members,
      quick ? 1_000 : 100_000,
    ),
    entries: positiveInteger(
      "entries",
      options.entries,
      quick ? 10_000 : 1_000_000,
    ),
    orders: positiveInteger("orders", options.orders, quick ? 4_000 : 400_000),
  };
  const runs = positiveInteger("runs", options.runs, quick ? 5 : 50);
  const server = await benchServer();
  if (!("adminUrl" in server)) return server;

  return withThrowawayDatabase(
    server.adminUrl,
    "loyalty_bench_dashboard",
    async (throwaway) => {
      const database = await openDatabase({ url: throwaway.url });
      throwaway.beforeDrop(() => database.close());
      console.log(
        `  seeding ${formatNumber(sizes.members)} members, ${formatNumber(sizes.entries)} ledger entries, ${formatNumber(sizes.orders)} orders${quick ? " (BENCH_QUICK)" : ""}`,
      );
      const seeding = performance.now();
      await seed(database, sizes);
      console.log(`  seeded in ${formatMs(performance.now() - seeding)} ms`);
      const rebuild = await timed(quick ? 1 : 3, () =>
        database.sql.transaction((tx) => rebuildLedgerDays(tx, SHOP)),
      );
      console.log(
        `  rebuilding the shop's LedgerDay rows: ${formatMs(rebuild.p50)} ms`,
      );

      const rows: SummaryRow[] = [];
      const row = (
        label: string,
        result: Awaited<ReturnType<typeof timed>>,
        note = "",
      ) =>
        rows.push({
          case: label,
          requests: runs,
          perSecond: result.perSecond,
          p50Ms: result.p50,
          p99Ms: result.p99,
          maxMs: result.max,
          non2xx: 0,
          note,
        });
      const baseline = await timed(runs, () =>
        database.sql.query(
          `SELECT count(*) FROM "LedgerEntry" WHERE shop = $1`,
          [SHOP],
        ),
      );
      row("baseline: count(*) over the ledger", baseline);
      for (const days of DASHBOARD_PERIODS) {
        const result = await timed(runs, () =>
          database.sql.transaction((tx) =>
            programDashboard(tx, SHOP, { days, now: new Date() }),
          ),
        );
        row(
          `dashboard, ${days} days`,
          result,
          `${(result.p50 / baseline.p50).toFixed(2)}× baseline p50`,
        );
      }
      const fromEntries = await timed(runs, () =>
        database.sql.query(
          `SELECT e."occurredAt"::date, sum(e.points) FROM "LedgerEntry" e
         WHERE e.shop = $1 AND e."occurredAt" >= now() - interval '365 days'
         GROUP BY 1, e.kind`,
          [SHOP],
        ),
      );
      row(
        "365 days' sums from the entries",
        fromEntries,
        `${(fromEntries.p50 / baseline.p50).toFixed(2)}× baseline p50 (what LedgerDay avoids)`,
      );
      return { status: "ran", rows } as const;
    },
  );
}

export const dashboardBench: Bench = {
  name: "dashboard",
  description:
    "the admin dashboard's server time on a shop with 100k members and 1M ledger entries (PostgreSQL)",
  options: {
    members: { type: "string" },
    entries: { type: "string" },
    orders: { type: "string" },
    runs: { type: "string" },
  },
  run: runDashboardBench,
};
