import { randomBytes } from "node:crypto";
import { Session } from "@shopify/shopify-api";

export interface LocalShop {
  shop: string;
  /** The offline token the app will send; generated when absent. */
  accessToken?: string;
  currencyCode?: string;
  ianaTimezone?: string;
}

/**
 * Makes a shop usable without Shopify's OAuth: stores an offline session for it, registers the same
 * token at the simulator (when SHOPIFY_ADMIN_API_ORIGIN points at one), then reads the shop's details
 * through the app's own Admin client, which creates the program row as an install would.
 */
export async function registerLocalShop(local: LocalShop) {
  const accessToken =
    local.accessToken ?? `shpat_${randomBytes(16).toString("hex")}`;
  const { env } = await import("../../app/env.server");
  const origin = env().SHOPIFY_ADMIN_API_ORIGIN;
  if (origin) {
    const response = await fetch(`${origin}/__simulator/shops`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        shop: local.shop,
        accessToken,
        currencyCode: local.currencyCode ?? "USD",
        ianaTimezone: local.ianaTimezone ?? "UTC",
      }),
    });
    if (!response.ok)
      throw new Error(
        `The simulator refused the shop: ${response.status} ${await response.text()}`,
      );
  }
  const { sql } = await import("../../app/db.server");
  const { sessionStorage, unauthenticated } =
    await import("../../app/shopify.server");
  const { syncShopDetails } =
    await import("../../app/services/shop-setup.server");
  await sessionStorage.storeSession(
    new Session({
      id: `offline_${local.shop}`,
      shop: local.shop,
      state: "local",
      isOnline: false,
      accessToken,
      scope: env().SCOPES,
    }),
  );
  const { admin } = await unauthenticated.admin(local.shop);
  return syncShopDetails(sql, admin, local.shop);
}
