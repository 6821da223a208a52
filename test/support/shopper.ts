import { mintCheckoutSessionToken } from "../../simulator/session-tokens";
import { testApp, type RunningApp } from "./app";

/**
 * A shopper API request as an extension makes it for the signed-in shopper: the session token
 * Shopify would hand it, from the extensions' origin, in a browser.
 */
export function shopperRequest(
  app: RunningApp,
  shopper: { shop: string; customerId: number },
  path: string,
  body?: unknown,
) {
  const token = mintCheckoutSessionToken({
    ...shopper,
    apiKey: testApp.apiKey,
    secret: testApp.apiSecret,
  });
  return fetch(`${app.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      Authorization: `Bearer ${token}`,
      Origin: "https://extensions.shopifycdn.com",
      "User-Agent":
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
