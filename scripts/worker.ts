// npm run worker — sends the outbox's jobs to Shopify in its own process, for when the web servers
// should not (scale, isolation). Several can run at once: jobs are claimed with SKIP LOCKED.
// `npm run worker -- --once` sends everything due and exits (cron, or after downtime).
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    once: { type: "boolean", default: false },
    "interval-ms": { type: "string", default: "1000" },
  },
});
const intervalMs = Number(values["interval-ms"]);
if (!Number.isInteger(intervalMs) || intervalMs < 10) {
  console.error(
    "Usage: npm run worker -- [--once] [--interval-ms 1000] (at least 10 ms)",
  );
  process.exit(1);
}

const { sql } = await import("../app/db.server");
const { unauthenticated } = await import("../app/shopify.server");
const {
  DEFAULT_BATCH_SIZE,
  defaultWorkerId,
  runOutboxOnce,
  startOutboxWorker,
} = await import("../app/services/outbox-worker.server");
const { appOutboxHandlers } = await import("../app/jobs.server");

const options = {
  sql,
  adminFor: async (shop: string) => (await unauthenticated.admin(shop)).admin,
  handlers: appOutboxHandlers,
  workerId: defaultWorkerId(),
};

if (values.once) {
  const totals = { claimed: 0, done: 0, retrying: 0, dead: 0 };
  // Batch after batch until one comes back short: everything due has been tried.
  for (;;) {
    const report = await runOutboxOnce(options);
    totals.claimed += report.claimed;
    totals.done += report.done;
    totals.retrying += report.retrying;
    totals.dead += report.dead;
    if (report.claimed < DEFAULT_BATCH_SIZE) break;
  }
  console.log(
    `Outbox: ${totals.claimed} jobs claimed, ${totals.done} done, ${totals.retrying} to retry, ${totals.dead} dead.`,
  );
  process.exit(0);
}

const worker = startOutboxWorker({
  ...options,
  intervalMs,
  keepProcessAlive: true,
});
console.log(`Outbox worker ${options.workerId} running; Ctrl-C stops.`);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    // The batch in hand is finished first, so no job is left RUNNING until its lease runs out.
    void worker.stop().then(() => process.exit(0));
  });
}
