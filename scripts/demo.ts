// npm run demo — the app, offline, against the Shopify simulator:
// builds the app, starts the simulator, registers the demo shop, serves the app, replays a year of
// the shop's history and shows a few signed webhook round trips. Then it keeps running and prints
// the URL that opens the admin in a normal browser (demo mode: docs/decisions/009); `--exit` stops
// after the summary instead (CI uses it).
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import { ADMIN_API_VERSION } from "../app/shopify/api-version";
import { serveBuild } from "../server/serve-build";
import { startShopifySimulator } from "../simulator/server";
import {
  customersDataRequestPayload,
  deliverWebhook,
} from "../simulator/webhooks";
import { replayHistory } from "./lib/demo-history";
import { DEMO_SHOP, demoModeEnvironment, openDemoShop } from "./lib/demo-shop";

const { values } = parseArgs({
  options: {
    exit: { type: "boolean", default: false },
    port: { type: "string", default: process.env.PORT ?? "3000" },
    customers: { type: "string", default: "2000" },
    "simulator-port": {
      type: "string",
      default: process.env.SIMULATOR_PORT ?? "4010",
    },
  },
});

const demoShop = DEMO_SHOP;

if (process.env.NODE_ENV === "production") {
  console.error(
    "The demo talks to a simulated Shopify and does not run with NODE_ENV=production.",
  );
  process.exit(1);
}

const step = (text: string) => console.log(`\n▸ ${text}`);

if (process.env.LOYALTY_SKIP_BUILD !== "1") {
  step("Building the app");
  execFileSync("npx", ["remix", "vite:build", "--logLevel", "error"], {
    stdio: "inherit",
  });
}

step("Starting the Shopify simulator");
const simulator = await startShopifySimulator({
  port: Number(values["simulator-port"]),
});
console.log(`  Admin API at ${simulator.graphqlUrl()}`);

step("Starting the app");
const app = await serveBuild({
  port: Number(values.port),
  mode: "development",
  backgroundJobs: true,
  configure(url) {
    // Demo-only credentials: the simulator and the app share them, nothing else knows them.
    Object.assign(process.env, {
      NODE_ENV: "development",
      SHOPIFY_API_KEY: process.env.SHOPIFY_API_KEY || "loyalty-demo-api-key",
      SHOPIFY_API_SECRET:
        process.env.SHOPIFY_API_SECRET || "loyalty-demo-api-secret",
      SHOPIFY_APP_URL: url,
      SHOPIFY_ADMIN_API_ORIGIN: simulator.origin,
      SCOPES:
        "read_customers,write_customers,read_orders,write_discounts,write_store_credit_account_transactions",
      // The replay below makes hundreds of deliveries; one log line each would bury the summary.
      LOYALTY_LOG: process.env.LOYALTY_LOG || "warn",
      ...demoModeEnvironment(url),
    });
    if (!process.env.DATABASE_URL) process.env.PGLITE_DATA_DIR ||= ".data/demo";
  },
});
const appUrl = app.url;
console.log(`  listening on ${appUrl}`);

step(
  `Registering ${demoShop} and switching its program on (from a year ago, so the history earns)`,
);
const { sql } = await import("../app/db.server");
const shop = await openDemoShop(sql, new Date(Date.now() - 366 * 86_400_000));
console.log(
  `  offline session stored; program on (${shop.currency}, ${shop.timezone})`,
);

step(
  `Replaying a year of orders for ${values.customers} customers as signed webhooks`,
);
const history = await replayHistory({
  appUrl: app.url,
  shop: demoShop,
  secret: process.env.SHOPIFY_API_SECRET ?? "",
  apiKey: process.env.SHOPIFY_API_KEY,
  apiVersion: ADMIN_API_VERSION,
  simulator,
  customers: Number(values.customers),
  now: new Date(),
  onProgress: (done, total) => {
    const width = 30;
    const filled = Math.round((done / total) * width);
    process.stdout.write(
      `\r  [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} customers`,
    );
  },
});
process.stdout.write("\n");
const [totals] = await sql.query<{
  members: number;
  outstanding: number;
  entries: number;
}>(
  `SELECT (SELECT count(*)::int FROM "Member" WHERE shop = $1) AS members,
     (SELECT coalesce(sum(available + pending + held), 0)::int FROM "Member" WHERE shop = $1) AS outstanding,
     (SELECT coalesce(sum(points), 0)::int FROM "LedgerEntry" WHERE shop = $1) AS entries`,
  [demoShop],
);
const tiers = await sql.query<{ tier: string | null; members: number }>(
  `SELECT "tierHandle" AS tier, count(*)::int AS members FROM "Member" WHERE shop = $1
   GROUP BY "tierHandle" ORDER BY 2 DESC`,
  [demoShop],
);
console.log(
  `  ${history.deliveries} deliveries (${history.failed} refused): ${history.orders} orders, ${history.refunds} refunds, ${history.cancellations} cancellations, ${history.redemptions} orders paid partly with points`,
);
console.log(
  `  ${totals?.members ?? 0} members hold ${totals?.outstanding ?? 0} points; the ledger's entries sum to ${totals?.entries ?? 0}`,
);
console.log(
  `  tiers: ${tiers.map((row) => `${row.tier ?? "none"} ${row.members}`).join(", ")}`,
);
const ledgerExact =
  totals !== undefined &&
  totals.outstanding === totals.entries &&
  history.failed === 0;

step("Webhook round trips, signed as Shopify signs them");
const secret = process.env.SHOPIFY_API_SECRET ?? "";
const dataRequest = customersDataRequestPayload({
  shopId: 1,
  shopDomain: demoShop,
  customer: { id: 1001, email: "shopper@example.com" },
  dataRequestId: 1,
});
const common = {
  url: `${appUrl}/webhooks/customers/data_request`,
  topic: "customers/data_request",
  shop: demoShop,
};
const signed = await deliverWebhook({
  ...common,
  payload: dataRequest,
  secret,
  apiVersion: ADMIN_API_VERSION,
});
console.log(
  `  customers/data_request, signed:            ${signed.status} ${signed.body}`,
);
const forged = await deliverWebhook({
  ...common,
  payload: dataRequest,
  secret: "forged",
  apiVersion: ADMIN_API_VERSION,
});
console.log(`  customers/data_request, forged signature:  ${forged.status}`);
const ok = signed.status === 200 && forged.status === 401 && ledgerExact;

console.log(`
The admin:      ${appUrl}/demo   (open it in a browser)
The app:        ${appUrl}
The simulator:  ${simulator.origin}/__simulator/state?shop=${demoShop}
Data:           ${process.env.DATABASE_URL ? "PostgreSQL (DATABASE_URL)" : process.env.PGLITE_DATA_DIR}`);

async function stop(code: number) {
  await app.close();
  await simulator.close();
  process.exit(code);
}

if (values.exit || !ok) {
  await stop(ok ? 0 : 1);
} else {
  console.log("\nPress Ctrl-C to stop.");
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
}
