import type { SqlDatabase } from "~/db/sql.server";
import {
  createAdminClient,
  type AdminGraphqlApi,
} from "~/shopify/admin-client.server";
import { SHOP_DETAILS_QUERY } from "~/shopify/admin-operations";
import { ensureMetafieldDefinitions } from "./member-metafields.server";
import { enqueue } from "./outbox.server";
import { ensureShop, programConfig } from "./program.server";
import { tierSegmentsJob } from "./tier-segments.server";

/** The slice of the library's Admin API context this needs, so scripts and routes can both call it. */
export type AdminGraphql = AdminGraphqlApi;

export class AdminApiError extends Error {}

/**
 * Reads the shop's currency and time zone from Shopify, makes sure the program row exists and
 * declares the member metafields the extensions read: called by the library's afterAuth hook (install
 * and reinstall, so a shop installed before the definitions existed gets them then) and by
 * `npm run shop:register`. Each step may run again harmlessly.
 */
export async function syncShopDetails(
  database: SqlDatabase,
  admin: AdminGraphql,
  shop: string,
) {
  const response = await admin.graphql(SHOP_DETAILS_QUERY);
  const body: {
    data?: { shop?: { currencyCode: string; ianaTimezone: string } };
    errors?: unknown;
  } = await response.json();
  const details = body.data?.shop;
  if (!details)
    throw new AdminApiError(
      `Shopify did not return the shop's details: ${JSON.stringify(body.errors)}`,
    );
  const program = await database.transaction(async (tx) => {
    const row = await ensureShop(tx, {
      shop,
      currency: details.currencyCode,
      timezone: details.ianaTimezone,
    });
    // A segment per tier, for the merchant's tier discounts; created by the outbox worker.
    const config = await programConfig(tx, shop);
    if (config) await enqueue(tx, tierSegmentsJob(shop, config.tiers));
    return row;
  });
  // After the shop's row, so a refusal here (thrown: the install shows it and the next one tries
  // again) leaves the program in place. Metafields can be written without their definitions;
  // what waits for these is the extensions' read access.
  await ensureMetafieldDefinitions(createAdminClient({ shop, admin }));
  return program;
}
