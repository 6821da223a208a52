// PostgreSQL goes away for a few seconds in the middle of a replay. While it is away the app must
// answer 5xx, so that Shopify retries: a 200 would drop the delivery, a 4xx would tell Shopify not
// to retry. The cluster is the proof's own (the machine's shared server is never stopped).
import { setTimeout as sleep } from "node:timers/promises";
import { openDatabase } from "../../../app/db/client.server";
import { formatNumber } from "../../bench/report";
import { startThrowawayCluster } from "../cluster";
import { deliveryEffects, historyProgram, historyRequests } from "../history";
import { checkLedger } from "../ledger";
import type { Scenario } from "../scenario";
import { installShop, sendUntilAccepted, startApp } from "../stack";

const OUTAGE_MS = 4_000;
// An answer written just after the stop may still stand for a commit made before it.
const SETTLE_MS = 500;

export const databaseOutage: Scenario = {
  name: "4 database outage",
  async run({ stack, history, expected, now, log }) {
    const started = await startThrowawayCluster();
    if (!started.ok)
      return {
        volume: "-",
        outcome: "not run",
        ledger: "-",
        ok: false,
        skipped: started.reason,
      };
    const { cluster } = started;
    let outage: Promise<void> | undefined;
    try {
      log(`  on a ${cluster.description}`);
      const url = new URL(cluster.adminUrl);
      url.pathname = "/postgres";
      const database = await openDatabase({ url: url.href });
      const app = await startApp({
        databaseUrl: url.href,
        adminApiOrigin: stack.simulator.origin,
      });
      try {
        const shop = "proof-outage.myshopify.com";
        await installShop(database, stack.simulator, shop, historyProgram(now));
        const deliveries = historyRequests(shop, history);
        const pid = app.pid;

        const window = { from: Infinity, to: Infinity };
        const stopAfter = Math.ceil(deliveries.length / 3);
        let answers = 0;
        const during = {
          answers: 0,
          unanswered: 0,
          statuses: new Map<number, number>(),
        };
        const result = await sendUntilAccepted(
          app,
          deliveries.map(({ request }) => request),
          {
            concurrency: 16,
            maxRounds: 500,
            onResult: (_, status) => {
              answers += 1;
              const at = performance.now();
              if (at >= window.from + SETTLE_MS && at <= window.to) {
                if (status === undefined) during.unanswered += 1;
                else {
                  during.answers += 1;
                  during.statuses.set(
                    status,
                    (during.statuses.get(status) ?? 0) + 1,
                  );
                }
              }
              if (answers === stopAfter)
                outage = (async () => {
                  await cluster.stop("fast");
                  window.from = performance.now();
                  log(
                    `  PostgreSQL stopped after ${formatNumber(answers)} answers`,
                  );
                  await sleep(OUTAGE_MS);
                  window.to = performance.now();
                  await cluster.start();
                  log(
                    `  PostgreSQL back after ${formatNumber((performance.now() - window.from) / 1000, 1)} s`,
                  );
                })();
            },
            // While the database is away, the retries come back at once; Shopify waits too.
            between: async () => {
              if (!app.running())
                throw new Error(`the app process died:\n${app.stderrTail()}`);
              await sleep(200);
            },
          },
        );
        await outage;
        const alive = app.pid === pid && app.rssBytes() !== undefined;
        const problems = await deliveryEffects(database, shop, deliveries);
        const ledger = await checkLedger(database, shop, expected);
        const statuses = [...during.statuses]
          .sort(([a], [b]) => a - b)
          .map(([status, n]) => `${status}×${formatNumber(n)}`)
          .join(" ");
        const only5xx = [...during.statuses.keys()].every(
          (status) => status >= 500,
        );
        return {
          volume: `${formatNumber(history.orders.length)} orders: ${formatNumber(deliveries.length)} deliveries, PostgreSQL down ${OUTAGE_MS / 1000} s`,
          outcome:
            `during the outage ${statuses || "no answers"}` +
            (during.unanswered
              ? ` (${formatNumber(during.unanswered)} unanswered)`
              : "") +
            `; ${formatNumber(result.sent)} sends over ${result.rounds} rounds; app process ${alive ? "kept running" : "died"}` +
            (problems.length
              ? `; ${problems.length} problems: ${problems.slice(0, 3).join("; ")}`
              : ""),
          ledger: ledger.summary,
          ok:
            during.answers > 0 &&
            only5xx &&
            alive &&
            result.notAccepted.length === 0 &&
            problems.length === 0 &&
            ledger.exact,
        };
      } finally {
        await app.stop();
        await database.close();
      }
    } finally {
      // A run that broke mid-outage still has the restart under way.
      await outage?.catch(() => undefined);
      await cluster.destroy();
    }
  },
};
