import http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { createAppServer } from "../../server/app-server";
import type { Database } from "~/db/client.server";

export const testApp = {
  apiKey: "loyalty-test-api-key",
  apiSecret: "loyalty-test-api-secret",
};

export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the built app (test/global-setup.ts builds it once per run) in this test worker, on the
 * given database, with Admin API calls going to the simulator at `adminApiOrigin`.
 */
export async function startTestApp(options: {
  database: Database;
  adminApiOrigin?: string;
}): Promise<RunningApp> {
  // Listening comes first: the app reads its own URL (with the port) from the environment at import.
  const app: { server?: http.Server } = {};
  const front = http.createServer((request, response) =>
    app.server?.emit("request", request, response),
  );
  await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;

  Object.assign(process.env, {
    NODE_ENV: "test",
    LOYALTY_LOG: process.env.LOYALTY_LOG ?? "silent",
    SHOPIFY_API_KEY: testApp.apiKey,
    SHOPIFY_API_SECRET: testApp.apiSecret,
    SHOPIFY_APP_URL: url,
    SCOPES: "read_customers,write_customers,read_orders,write_discounts",
  });
  if (options.adminApiOrigin)
    process.env.SHOPIFY_ADMIN_API_ORIGIN = options.adminApiOrigin;
  else delete process.env.SHOPIFY_ADMIN_API_ORIGIN;
  globalThis.loyaltyDatabase = Promise.resolve(options.database);

  const build: ServerBuild = await import(
    new URL("../../build/server/index.js", import.meta.url).href
  );
  app.server = createAppServer({
    build,
    assetsDir: fileURLToPath(new URL("../../build/client", import.meta.url)),
    mode: "test",
  });
  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        front.closeAllConnections();
        front.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
