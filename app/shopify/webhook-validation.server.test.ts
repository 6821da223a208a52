import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWebhookRequest, signWebhookBody } from "../../simulator/webhooks";
import { WebhookCheckThread } from "../../server/webhook-check-thread";
import type { SignedRequest } from "./webhook-validation.server";

const secret = "webhook-validation-test-secret";
const url = "http://localhost/webhooks/orders/paid";
const rawBody = JSON.stringify({
  id: 820982911946154500,
  total_price: "10.00",
});

type Module = typeof import("./webhook-validation.server");
let verifyWebhook: Module["verifyWebhook"];
let checkWebhooksWith: Module["checkWebhooksWith"];
let webhookLibraryConfig: Module["webhookLibraryConfig"];

beforeAll(async () => {
  // The library instance is built from the environment on first use.
  Object.assign(process.env, {
    SHOPIFY_API_KEY: "webhook-validation-test-key",
    SHOPIFY_API_SECRET: secret,
    SHOPIFY_APP_URL: "http://localhost",
  });
  // The adapter @shopify/shopify-app-remix loads in the app, for the library's request reading.
  await import("@shopify/shopify-api/adapters/web-api");
  ({ verifyWebhook, checkWebhooksWith, webhookLibraryConfig } =
    await import("./webhook-validation.server"));
});

/** A request as the node server hands it over: headers by lower-case name. */
function signed(
  headers: Record<string, string>,
  body = rawBody,
): SignedRequest {
  const byName = new Map(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  return { url, header: (name) => byName.get(name), rawBody: body };
}

function shopifyDelivery(
  options: { omit?: string[]; hmac?: string; body?: string } = {},
) {
  const request = buildWebhookRequest({
    url,
    topic: "orders/paid",
    shop: "verify.myshopify.com",
    secret,
    apiVersion: "2025-10",
    webhookId: "webhook-1",
    eventId: "event-1",
    triggeredAt: "2026-03-01T10:00:00.000Z",
    rawBody,
    hmac: options.hmac,
    omitHeaders: options.omit,
  });
  const headers: Record<string, string> = {
    // What a proxy in front of the app adds: none of it takes part in the check.
    "X-Forwarded-For": "203.0.113.9",
    "X-Request-Id": "abc",
  };
  request.headers.forEach((value, name) => (headers[name] = value));
  return signed(headers, options.body);
}

/**
 * The library's check runs on the event loop under Remix's dev server, and on a thread of its own
 * behind the node server (server/webhook-check-thread.ts): every case holds for both.
 */
const onEventLoop = (): WebhookCheckThread | null => null;
const onThread = (): WebhookCheckThread | null => {
  const thread = new WebhookCheckThread(webhookLibraryConfig);
  checkWebhooksWith(thread.check);
  return thread;
};

describe.each([
  ["on the event loop", onEventLoop],
  ["on the server's thread", onThread],
] as const)("verifyWebhook %s", (_where, setUp) => {
  let thread: WebhookCheckThread | null = null;
  beforeAll(() => {
    thread = setUp();
  });
  afterAll(async () => {
    await thread?.close();
  });

  it("accepts Shopify's signed delivery and reads its event id and trigger time", async () => {
    const verification = await verifyWebhook(shopifyDelivery());
    expect(verification).toEqual({
      ok: true,
      delivery: {
        shop: "verify.myshopify.com",
        topic: "ORDERS_PAID",
        webhookId: "webhook-1",
        eventId: "event-1",
        triggeredAt: new Date("2026-03-01T10:00:00.000Z"),
        apiVersion: "2025-10",
      },
    });
  });

  it("takes a delivery without the optional headers, with no event id or trigger time", async () => {
    const verification = await verifyWebhook(
      shopifyDelivery({
        omit: ["X-Shopify-Event-Id", "X-Shopify-Triggered-At"],
      }),
    );
    expect(verification.ok && verification.delivery).toMatchObject({
      eventId: null,
      triggeredAt: null,
    });
  });

  it("refuses a wrong signature, a body it was not made for, and no signature with 401", async () => {
    const forged = await verifyWebhook(shopifyDelivery({ hmac: "Zm9yZ2Vk" }));
    const otherBody = await verifyWebhook(
      shopifyDelivery({ body: `${rawBody} ` }),
    );
    const unsigned = await verifyWebhook(
      shopifyDelivery({ omit: ["X-Shopify-Hmac-Sha256"] }),
    );
    for (const verification of [forged, otherBody, unsigned])
      expect(verification).toMatchObject({ ok: false, status: 401 });
  });

  it.each([
    "X-Shopify-Topic",
    "X-Shopify-Shop-Domain",
    "X-Shopify-API-Version",
    "X-Shopify-Webhook-Id",
  ])("refuses a signed delivery without %s with 400", async (header) => {
    const verification = await verifyWebhook(
      shopifyDelivery({ omit: [header] }),
    );
    expect(verification).toMatchObject({
      ok: false,
      status: 400,
      reason: "missing_headers",
    });
  });

  it("accepts an event delivery by its Shopify-* headers", async () => {
    const verification = await verifyWebhook(
      signed({
        "Shopify-Hmac-Sha256": signWebhookBody(rawBody, secret),
        "Shopify-Topic": "orders/paid",
        "Shopify-Shop-Domain": "verify.myshopify.com",
        "Shopify-API-Version": "2025-10",
        "Shopify-Webhook-Id": "event-delivery-1",
        "Shopify-Triggered-At": "2026-03-02T08:30:00.000Z",
      }),
    );
    expect(verification).toEqual({
      ok: true,
      delivery: {
        shop: "verify.myshopify.com",
        topic: "ORDERS_PAID",
        webhookId: "event-delivery-1",
        eventId: null,
        triggeredAt: new Date("2026-03-02T08:30:00.000Z"),
        apiVersion: "2025-10",
      },
    });
  });
});
