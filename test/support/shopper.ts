import { expect } from "vitest";
import { rebuildMemberState } from "~/services/ledger.server";
import { mintCheckoutSessionToken } from "../../simulator/session-tokens";
import { testApp, type RunningApp } from "./app";
import type { TestStack } from "./stack";

export interface Shopper {
  shop: string;
  customerId: number;
}

/** The session token Shopify hands an extension; without a customer, a guest's. */
export function shopperToken(shop: string, customerId?: number) {
  return mintCheckoutSessionToken({
    shop,
    customerId,
    apiKey: testApp.apiKey,
    secret: testApp.apiSecret,
  });
}

// What the browser adds to an extension's request: CORS and the library read them.
const extensionOrigin = "https://extensions.shopifycdn.com";
const browserAgent =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

function shopperFetch(
  app: RunningApp,
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
) {
  return fetch(`${app.url}${path}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      Origin: extensionOrigin,
      "User-Agent": browserAgent,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/**
 * A shopper API request as an extension makes it for the signed-in shopper: the session token
 * Shopify would hand it, from the extensions' origin, in a browser.
 */
export function shopperRequest(
  app: RunningApp,
  shopper: Shopper,
  path: string,
  body?: unknown,
) {
  return shopperFetch(
    app,
    body === undefined ? "GET" : "POST",
    path,
    shopperToken(shopper.shop, shopper.customerId),
    body,
  );
}

/**
 * Any shopper API request, with any token or none (`null`), answered as status, headers and the
 * JSON body (`null` when empty, as a preflight's).
 */
export async function shopperCall(
  app: RunningApp,
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
) {
  const response = await shopperFetch(app, method, path, token, body);
  const text = await response.text();
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
  };
}

/** The shopper's summary from the shopper API, which must answer it. */
export async function shopperSummary<Summary>(
  app: RunningApp,
  shopper: Shopper,
): Promise<Summary> {
  const response = await shopperRequest(app, shopper, "/api/checkout/loyalty");
  expect(response.status).toBe(200);
  return (await response.json()) as Summary;
}

/** The member's balances, which must be what their ledger entries add up to, whatever the test did. */
export async function checkedBalances(
  stack: TestStack,
  { shop, customerId }: Shopper,
) {
  const member = await stack.db.prisma.member.findUniqueOrThrow({
    where: { shop_customerId: { shop, customerId: String(customerId) } },
  });
  const rebuilt = await stack.db.sql.transaction((tx) =>
    rebuildMemberState(tx, { shop, memberId: member.id }),
  );
  expect(rebuilt.balances).toEqual({
    available: member.available,
    pending: member.pending,
    held: member.held,
    lifetimeEarned: member.lifetimeEarned,
  });
  return rebuilt.balances;
}
