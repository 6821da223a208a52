// npm run jobs — the scheduled jobs in their own process (use with LOYALTY_JOBS=off on the web
// servers); `npm run jobs -- --once` runs each job once and exits (cron, or after downtime).
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { once: { type: "boolean", default: false } },
});
if (values.once) {
  const { sql } = await import("../app/db.server");
  const { settleDueLots } = await import("../app/services/settlement.server");
  const report = await settleDueLots(sql, new Date());
  console.log(
    `Settled ${report.entries} entries for ${report.members} members.`,
  );
  const { awardBirthdays, warnExpiringPoints } =
    await import("../app/services/engagement.server");
  const warned = await warnExpiringPoints(sql, new Date());
  console.log(
    `Warned ${warned.members} members of points expiring soon; ${(await awardBirthdays(sql, new Date())).rewarded} birthdays rewarded.`,
  );
  process.exit(0);
}
const { startBackgroundJobs } = await import("../app/jobs.server");
startBackgroundJobs({ keepProcessAlive: true });
console.log("Background jobs running; Ctrl-C stops.");
