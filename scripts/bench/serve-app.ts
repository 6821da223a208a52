// The built app, served in its own process for the webhook bench and the proof suite (see child.ts
// for why; the proof also kills it). The parent passes the database and credentials in BENCH_*
// variables, and BENCH_ADMIN_API_ORIGIN when the app's Admin API calls go to a simulator; the
// app's own variables are set in `configure`, before the build is imported, because the app reads
// them at load time.
import { serveBuild } from "../../server/serve-build";

const databaseUrl = process.env.BENCH_DATABASE_URL;
const apiKey = process.env.BENCH_API_KEY;
const apiSecret = process.env.BENCH_API_SECRET;
const adminApiOrigin = process.env.BENCH_ADMIN_API_ORIGIN;
if (!databaseUrl || !apiKey || !apiSecret) {
  console.error(
    "BENCH_DATABASE_URL, BENCH_API_KEY and BENCH_API_SECRET are required",
  );
  process.exit(1);
}

const served = await serveBuild({
  port: 0,
  // Remix's request handler in production mode, as `npm start` runs it (errors sanitised).
  mode: "production",
  configure(url) {
    // Not NODE_ENV=production: the environment check keeps production away from simulated
    // Shopify, and the bench is a local run. "test" also keeps Shopify's library logger quiet.
    Object.assign(process.env, {
      NODE_ENV: "test",
      LOYALTY_LOG: "silent",
      SHOPIFY_API_KEY: apiKey,
      SHOPIFY_API_SECRET: apiSecret,
      SHOPIFY_APP_URL: url,
      SCOPES:
        "read_customers,write_customers,read_orders,write_discounts,write_store_credit_account_transactions",
      DATABASE_URL: databaseUrl,
    });
    if (adminApiOrigin) process.env.SHOPIFY_ADMIN_API_ORIGIN = adminApiOrigin;
    else delete process.env.SHOPIFY_ADMIN_API_ORIGIN;
    delete process.env.PGLITE_DATA_DIR;
  },
});

// serveBuild resolves once the build has been imported, and the build opens (and migrates) its
// database at import, so the app is ready when this line is printed.
console.log(`listening ${served.url}`);

process.on("SIGTERM", () => {
  void served.close().then(async () => {
    const database = await globalThis.loyaltyDatabase;
    await database?.close();
    process.exit(0);
  });
});
