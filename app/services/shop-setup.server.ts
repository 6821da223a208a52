import type { SqlDatabase } from "~/db/sql.server";
import { SHOP_DETAILS_QUERY } from "~/shopify/admin-operations";
import { ensureShop } from "./program.server";

/** The slice of the library's Admin API context this needs, so scripts and routes can both call it. */
export interface AdminGraphql {
  graphql(query: typeof SHOP_DETAILS_QUERY): Promise<Response>;
}

export class AdminApiError extends Error {}

/**
 * Reads the shop's currency and time zone from Shopify and makes sure the program row exists:
 * called after OAuth on install and by `npm run shop:register`.
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
  return database.transaction((tx) =>
    ensureShop(tx, {
      shop,
      currency: details.currencyCode,
      timezone: details.ianaTimezone,
    }),
  );
}
