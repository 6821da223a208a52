// The shopper API as the checkout and account extensions call it: a session token Shopify would
// sign, from a browser on Shopify's extension origin.
import { randomUUID } from "node:crypto";
import {
  mintCheckoutSessionToken,
  type SessionTokenFaults,
} from "../../simulator/session-tokens";
import { proofApp } from "./stack";

export function shopperToken(
  shop: string,
  customerId?: number | string,
  faults: SessionTokenFaults = {},
): string {
  return mintCheckoutSessionToken({
    shop,
    customerId,
    apiKey: proofApp.apiKey,
    secret: proofApp.apiSecret,
    ...faults,
  });
}

export interface ShopperAnswer {
  status: number;
  text: string;
  body: Record<string, unknown> | null;
}

export async function shopperCall(
  appUrl: string,
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
): Promise<ShopperAnswer> {
  const response = await fetch(`${appUrl}${path}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      Origin: "https://extensions.shopifycdn.com",
      "User-Agent":
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body:
      body === undefined
        ? undefined
        : typeof body === "string"
          ? body
          : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> | null = null;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value))
      parsed = value as Record<string, unknown>;
  } catch {
    // Not JSON: the status says enough.
  }
  return { status: response.status, text, body: parsed };
}

/** The shopper asks for the 500-point reward at checkout. */
export function redeemReward(
  appUrl: string,
  shop: string,
  customerId: number,
): Promise<ShopperAnswer> {
  return shopperCall(
    appUrl,
    "POST",
    "/api/checkout/redemptions",
    shopperToken(shop, customerId),
    { rewardId: "fixed-500", idempotencyKey: randomUUID() },
  );
}
