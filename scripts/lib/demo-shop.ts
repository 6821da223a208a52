import type { SqlDatabase } from "../../app/db/sql.server";
import { registerLocalShop } from "./register-shop";

export const DEMO_SHOP = "loyalty-demo.myshopify.com";

/**
 * What turns on the app's demo mode (app/demo-mode.server.ts) for the app served at `appUrl`:
 * the one shop it plays the admin for, and its App Bridge stand-in in place of Shopify's CDN.
 */
export function demoModeEnvironment(appUrl: string): Record<string, string> {
  return {
    LOYALTY_DEMO_SHOP: DEMO_SHOP,
    APP_BRIDGE_URL: `${appUrl}/demo/app-bridge.js`,
  };
}

/**
 * Registers the demo shop with the running app and switches its program on from `since`, so a
 * replayed history earns.
 */
export async function openDemoShop(sql: SqlDatabase, since: Date) {
  const shop = await registerLocalShop({
    shop: DEMO_SHOP,
    accessToken: "shpat_loyalty_demo",
    currencyCode: "USD",
  });
  const { programConfig, saveProgramConfig } =
    await import("../../app/services/program.server");
  await sql.transaction(async (tx) => {
    const config = await programConfig(tx, DEMO_SHOP);
    if (!config) throw new Error("the demo shop has no program");
    await saveProgramConfig(tx, DEMO_SHOP, {
      ...config,
      enabled: true,
      programStartAt: since,
    });
  });
  return shop;
}
