import { serveBuild, type ServedApp } from "../../server/serve-build";
import type { Database } from "~/db/client.server";
import { demoModeEnvironment } from "../../scripts/lib/demo-shop";

export const testApp = {
  apiKey: "loyalty-test-api-key",
  apiSecret: "loyalty-test-api-secret",
};

export type RunningApp = ServedApp;

/**
 * Serves the built app (test/global-setup.ts builds it once per run) in this test worker, on the
 * given database, with Admin API calls going to the simulator at `adminApiOrigin`.
 */
export function startTestApp(options: {
  database: Database;
  adminApiOrigin?: string;
  /** Serve the admin to a browser as `npm run demo` does (app/demo-mode.server.ts). */
  demoMode?: boolean;
}): Promise<RunningApp> {
  return serveBuild({
    port: 0,
    mode: "test",
    configure(url) {
      Object.assign(process.env, {
        NODE_ENV: "test",
        LOYALTY_LOG: process.env.LOYALTY_LOG ?? "silent",
        SHOPIFY_API_KEY: testApp.apiKey,
        SHOPIFY_API_SECRET: testApp.apiSecret,
        SHOPIFY_APP_URL: url,
        SCOPES: "read_customers,write_customers,read_orders,write_discounts,write_store_credit_account_transactions",
      });
      if (options.adminApiOrigin)
        process.env.SHOPIFY_ADMIN_API_ORIGIN = options.adminApiOrigin;
      else delete process.env.SHOPIFY_ADMIN_API_ORIGIN;
      if (options.demoMode)
        Object.assign(process.env, demoModeEnvironment(url));
      globalThis.loyaltyDatabase = Promise.resolve(options.database);
    },
  });
}
