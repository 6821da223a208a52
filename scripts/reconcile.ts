// npm run reconcile -- --shop x.myshopify.com [--from 2026-01-01] [--to now] [--first 3]
// Reads the shop's orders updated in the range back from the Admin API and feeds every one the
// ledger has not seen through the webhook handlers' use-cases: heals missed webhooks. Safe to
// repeat and to schedule (cron, a platform scheduler): what is already recorded is left alone.
import { parseArgs } from "node:util";

const DAY_MS = 86_400_000;
const USAGE =
  "Usage: npm run reconcile -- --shop <name>.myshopify.com [--from 2026-01-01] [--to now] [--first 3]";

const { values } = parseArgs({
  options: {
    shop: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    first: { type: "string" },
  },
});

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(1);
}

/** "now", a date (midnight UTC) or an ISO time. */
function parseTime(text: string, name: string): Date {
  if (text === "now") return new Date();
  const at = Date.parse(
    /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text,
  );
  if (Number.isNaN(at)) fail(`--${name} is not a date: ${text}`);
  return new Date(at);
}

const shop = values.shop;
if (!shop || !/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shop))
  fail("--shop must be a myshopify.com domain.");
const to = parseTime(values.to ?? "now", "to");
const from = values.from
  ? parseTime(values.from, "from")
  : new Date(to.getTime() - 30 * DAY_MS);
if (from > to) fail("--from is after --to.");
const first = values.first ? Number(values.first) : undefined;
if (
  first !== undefined &&
  !(Number.isInteger(first) && first > 0 && first <= 250)
)
  fail("--first must be a whole number from 1 to 250.");

const { database } = await import("../app/db.server");
const { unauthenticated } = await import("../app/shopify.server");
const { reconcileOrders, ReconciliationError } =
  await import("../app/services/reconciliation.server");

console.log(
  `Reconciling ${shop}: orders updated ${from.toISOString()} … ${to.toISOString()}`,
);
const { admin } = await unauthenticated.admin(shop);
const plural = (count: number, noun: string) =>
  `${count} ${noun}${count === 1 ? "" : "s"}`;
const report = await reconcileOrders({
  database: await database(),
  admin,
  shop,
  from,
  to,
  first,
  onProgress(event) {
    if (event.kind === "page")
      console.log(
        `page ${event.page}: ${plural(event.orders, "order")}, ${event.fresh} new`,
      );
    else if (event.kind === "throttled")
      console.log(
        `page ${event.page}: throttled by Shopify, waiting ${(event.waitMs / 1000).toFixed(1)} s (try ${event.attempt})`,
      );
    else
      console.log(
        `order ${event.orderId}${event.refundId ? ` refund ${event.refundId}` : ""}: left out (${event.reason})`,
      );
  },
}).catch((error: unknown) => {
  // Expected stops (Shopify refusing or throttling for too long) are a message, not a stack trace.
  if (!(error instanceof ReconciliationError)) throw error;
  console.error(`Reconciliation stopped: ${error.message}`);
  process.exit(1);
});

const rows: Array<[string, number]> = [
  ["pages", report.pages],
  ["orders read", report.fetched],
  ["paid orders fed", report.paidFed],
  ["refunds fed", report.refundsFed],
  ["cancellations fed", report.cancellationsFed],
  ...Object.entries(report.outcomes).sort(([a], [b]) => a.localeCompare(b)),
];
const width = Math.max(...rows.map(([label]) => label.length));
console.log("\nSummary");
for (const [label, value] of rows)
  console.log(`  ${label.padEnd(width)}  ${String(value).padStart(6)}`);
// Something left out needs a person: a distinct exit status lets a scheduler raise it.
process.exit(report.leftOut.length > 0 ? 2 : 0);
