import "@shopify/shopify-api/adapters/web-api";
import { createServer, type Server } from "node:http";
import { createHmac, timingSafeEqual } from "node:crypto";
import { ApiVersion, LogSeverity, shopifyApi } from "@shopify/shopify-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pick } from "./test-support";
import { validateWebhookPayload } from "./webhook-contract";
import {
  appUninstalledPayload,
  buildWebhookRequest,
  customerDeletePayload,
  customerPayload,
  customersDataRequestPayload,
  customersRedactPayload,
  deliverWebhook,
  orderPayload,
  refundPayload,
  shopRedactPayload,
  signWebhookBody,
  type JsonObject,
  type WebhookTopic,
} from "./webhooks";
import type { OrderInput } from "./orders";

const SECRET = "shpss_test_secret";
const SHOP = "webhook-shop.myshopify.com";

const shopify = shopifyApi({
  apiKey: "test-api-key",
  apiSecretKey: SECRET,
  scopes: ["read_orders", "read_customers"],
  hostName: "localhost:3000",
  hostScheme: "http",
  apiVersion: ApiVersion.October25,
  isEmbeddedApp: true,
  logger: { level: LogSeverity.Error, log: async () => {} },
});

const ORDER: OrderInput = {
  id: 450_789_469,
  currency: "USD",
  customer: {
    id: 207_119_551,
    email: "ann@example.com",
    first_name: "Ann",
    last_name: "Lee",
  },
  lines: [
    { id: 466_157_049, price: "19.99", quantity: 2 },
    { id: 518_995_019, price: "12.50", quantity: 1 },
    { id: 703_073_504, price: "25.00", quantity: 1, gift_card: true },
  ],
  shipping: "4.99",
  taxes: "3.60",
  discountCodes: [{ code: "LOYALTY-7K2P", amount: "5.00" }],
  createdAt: "2025-05-02T10:00:00-04:00",
};

function sumAmounts(items: unknown, ...path: string[]): number {
  if (!Array.isArray(items)) return 0;
  return items.reduce(
    (sum: number, item: unknown) =>
      sum + Math.round(Number(pick(item, ...path)) * 100),
    0,
  );
}

function cents(value: unknown): number {
  return Math.round(Number(value) * 100);
}

/** Every integer in the payload must survive JSON.parse: ids above 2^53 lose digits. */
function unsafeIntegers(value: unknown, path = "$"): string[] {
  if (typeof value === "number")
    return Number.isInteger(value) && !Number.isSafeInteger(value)
      ? [path]
      : [];
  if (Array.isArray(value))
    return value.flatMap((item, index) =>
      unsafeIntegers(item, `${path}[${index}]`),
    );
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([key, item]) =>
      unsafeIntegers(item, `${path}.${key}`),
    );
  }
  return [];
}

describe("signatures", () => {
  it("signs the raw body as Shopify does (base64 HMAC-SHA256 with the API secret)", () => {
    const body = '{"id":1}';
    expect(signWebhookBody(body, SECRET)).toBe(
      createHmac("sha256", SECRET).update(body).digest("base64"),
    );
  });

  it("builds a request the library validates, with every Shopify header", async () => {
    const payload = orderPayload(ORDER);
    const request = buildWebhookRequest({
      url: "https://app.example/webhooks/orders/paid",
      topic: "orders/paid",
      shop: SHOP,
      payload,
      secret: SECRET,
      apiVersion: "2025-10",
      webhookId: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
      eventId: "98880550-7158-44d4-b7cd-2c97c8a091b5",
      triggeredAt: "2025-05-02T14:00:01.123Z",
    });
    expect(Object.fromEntries(request.headers)).toMatchObject({
      "content-type": "application/json",
      "x-shopify-topic": "orders/paid",
      "x-shopify-shop-domain": SHOP,
      "x-shopify-api-version": "2025-10",
      "x-shopify-webhook-id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
      "x-shopify-event-id": "98880550-7158-44d4-b7cd-2c97c8a091b5",
      "x-shopify-triggered-at": "2025-05-02T14:00:01.123Z",
    });
    const rawBody = await request.clone().text();
    const result = await shopify.webhooks.validate({
      rawBody,
      rawRequest: request,
    });
    expect(result).toMatchObject({
      valid: true,
      topic: "ORDERS_PAID",
      domain: SHOP,
      apiVersion: "2025-10",
      webhookId: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
      eventId: "98880550-7158-44d4-b7cd-2c97c8a091b5",
    });
  });

  it("is rejected by the library when signed with another secret or forged", async () => {
    const common = {
      url: "https://app.example/webhooks",
      topic: "orders/paid",
      shop: SHOP,
      apiVersion: "2025-10",
    };
    const wrongSecret = buildWebhookRequest({
      ...common,
      payload: { id: 1 },
      secret: "not-the-secret",
    });
    expect(
      await shopify.webhooks.validate({
        rawBody: await wrongSecret.clone().text(),
        rawRequest: wrongSecret,
      }),
    ).toMatchObject({
      valid: false,
      reason: "invalid_hmac",
    });
    const forged = buildWebhookRequest({
      ...common,
      secret: SECRET,
      rawBody: '{"id":2}',
      hmac: signWebhookBody('{"id":1}', SECRET),
    });
    expect(
      await shopify.webhooks.validate({
        rawBody: await forged.clone().text(),
        rawRequest: forged,
      }),
    ).toMatchObject({
      valid: false,
    });
  });

  it("can leave headers out and send malformed JSON, still signed", async () => {
    const request = buildWebhookRequest({
      url: "https://app.example/webhooks",
      topic: "orders/paid",
      shop: SHOP,
      secret: SECRET,
      apiVersion: "2025-10",
      rawBody: '{"id": 1,',
      omitHeaders: ["X-Shopify-Webhook-Id"],
    });
    expect(request.headers.get("X-Shopify-Webhook-Id")).toBeNull();
    expect(await request.clone().text()).toBe('{"id": 1,');
    expect(
      await shopify.webhooks.validate({
        rawBody: '{"id": 1,',
        rawRequest: request,
      }),
    ).toMatchObject({
      valid: false,
      reason: "missing_headers",
    });
  });
});

describe("delivery", () => {
  let server: Server;
  let url = "";
  const received: Array<{
    topic: string | undefined;
    valid: boolean;
    body: string;
  }> = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const sent = Buffer.from(
          String(request.headers["x-shopify-hmac-sha256"] ?? ""),
          "base64",
        );
        const expected = createHmac("sha256", SECRET).update(body).digest();
        const valid =
          sent.length === expected.length && timingSafeEqual(sent, expected);
        received.push({
          topic: request.headers["x-shopify-topic"]?.toString(),
          valid,
          body,
        });
        response.writeHead(valid ? 200 : 401).end(valid ? "ok" : "bad hmac");
      });
    });
    await new Promise<void>((resolve) =>
      server.listen(0, "127.0.0.1", resolve),
    );
    const address = server.address();
    if (address === null || typeof address === "string")
      throw new Error("no port");
    url = `http://127.0.0.1:${address.port}/webhooks`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("posts the signed body and returns the app's answer", async () => {
    const payload = customerPayload({
      id: 5,
      email: "e@example.com",
      first_name: "E",
      last_name: "F",
    });
    const delivery = await deliverWebhook({
      url,
      topic: "customers/create",
      shop: SHOP,
      payload,
      secret: SECRET,
      apiVersion: "2025-10",
    });
    expect(delivery.status).toBe(200);
    expect(delivery.body).toBe("ok");
    expect(delivery.request.webhookId).toMatch(/^[0-9a-f-]{36}$/);
    expect(received.at(-1)).toEqual({
      topic: "customers/create",
      valid: true,
      body: JSON.stringify(payload),
    });

    const bad = await deliverWebhook({
      url,
      topic: "customers/create",
      shop: SHOP,
      payload,
      secret: "wrong",
      apiVersion: "2025-10",
    });
    expect(bad.status).toBe(401);
  });
});

describe("payload builders", () => {
  const refundInput = {
    id: 929_361_464,
    orderId: ORDER.id,
    order: ORDER,
    refundLineItems: [
      { line_item_id: 466_157_049, quantity: 1, subtotal: "17.49" },
    ],
    shipping: "4.99",
    createdAt: "2025-05-05T09:00:00Z",
  };

  const cases: Array<[string, WebhookTopic, () => JsonObject]> = [
    ["orders/paid", "orders/paid", () => orderPayload(ORDER)],
    [
      "orders/create",
      "orders/create",
      () => orderPayload({ ...ORDER, financialStatus: "pending" }),
    ],
    [
      "orders/updated",
      "orders/updated",
      () =>
        orderPayload({
          ...ORDER,
          updatedAt: "2025-05-03T00:00:00Z",
          tags: ["vip"],
        }),
    ],
    [
      "orders/cancelled",
      "orders/cancelled",
      () =>
        orderPayload({
          ...ORDER,
          cancelledAt: "2025-05-03T00:00:00Z",
          financialStatus: "voided",
        }),
    ],
    [
      "orders/paid, guest without customer key",
      "orders/paid",
      () => orderPayload({ ...ORDER, customer: null, email: null }),
    ],
    [
      "orders/paid, guest with customer: null",
      "orders/paid",
      () =>
        orderPayload({ ...ORDER, customer: null, guestCustomerField: "null" }),
    ],
    [
      "orders/paid, presentment currency",
      "orders/paid",
      () =>
        orderPayload({
          ...ORDER,
          presentmentCurrency: "EUR",
          exchangeRate: 0.92,
          test: true,
        }),
    ],
    ["refunds/create", "refunds/create", () => refundPayload(refundInput)],
    [
      "refunds/create, restock only, no order",
      "refunds/create",
      () =>
        refundPayload({
          ...refundInput,
          order: undefined,
          currency: "USD",
          shipping: undefined,
          restockOnly: true,
        }),
    ],
    [
      "customers/create",
      "customers/create",
      () =>
        customerPayload({
          id: 207_119_551,
          email: "ann@example.com",
          first_name: "Ann",
          last_name: "Lee",
        }),
    ],
    [
      "customers/update",
      "customers/update",
      () =>
        customerPayload({
          id: 207_119_551,
          email: "ann@example.com",
          first_name: "Ann",
          last_name: "Lee",
          tags: "loyalty-tier:gold",
          note: "VIP",
        }),
    ],
    [
      "customers/delete",
      "customers/delete",
      () => customerDeletePayload({ id: 207_119_551 }),
    ],
    [
      "customers/data_request",
      "customers/data_request",
      () =>
        customersDataRequestPayload({
          shopId: 1,
          shopDomain: SHOP,
          customer: { id: 207_119_551, email: "ann@example.com" },
          ordersRequested: [ORDER.id],
          dataRequestId: 9999,
        }),
    ],
    [
      "customers/redact",
      "customers/redact",
      () =>
        customersRedactPayload({
          shopId: 1,
          shopDomain: SHOP,
          customer: {
            id: 207_119_551,
            email: "ann@example.com",
            phone: "555-625-1199",
          },
          ordersToRedact: [ORDER.id],
        }),
    ],
    [
      "shop/redact",
      "shop/redact",
      () => shopRedactPayload({ shopId: 1, shopDomain: SHOP }),
    ],
    [
      "app/uninstalled",
      "app/uninstalled",
      () => appUninstalledPayload({ id: 1, shopDomain: SHOP, currency: "CAD" }),
    ],
  ];

  it.each(cases)(
    "%s validates against the topic's JSON Schema and keeps ids exact",
    (_name, topic, build) => {
      const payload = build();
      expect(validateWebhookPayload(topic, payload)).toEqual({
        valid: true,
        errors: [],
      });
      expect(unsafeIntegers(payload)).toEqual([]);
      // What goes over the wire parses back to the same value.
      expect(JSON.parse(JSON.stringify(payload))).toEqual(payload);
    },
  );

  it("keeps the documented example's fields the builder does not set", () => {
    const payload = orderPayload(ORDER);
    expect(payload).toMatchObject({
      buyer_accepts_marketing: true,
      payment_gateway_names: ["visa", "bogus"],
      billing_address: { city: "Shippington" },
      merchant_business_entity_id: "MTU0ODM4MDAwOQ",
    });
  });

  it("catches a payload that breaks the contract", () => {
    const payload = orderPayload(ORDER);
    payload.total_price = 47.97;
    expect(validateWebhookPayload("orders/paid", payload)).toEqual({
      valid: false,
      errors: ["/total_price must be string"],
    });
  });

  it("builds an order whose money fields agree with each other", () => {
    const payload = orderPayload({
      ...ORDER,
      presentmentCurrency: "EUR",
      exchangeRate: 0.92,
    });
    const lines = payload.line_items;
    const lineTotal = Array.isArray(lines)
      ? lines.reduce(
          (sum: number, line: unknown) =>
            sum + cents(pick(line, "price")) * Number(pick(line, "quantity")),
          0,
        )
      : 0;
    const allocated = Array.isArray(lines)
      ? lines.reduce(
          (sum: number, line: unknown) =>
            sum + sumAmounts(pick(line, "discount_allocations"), "amount"),
          0,
        )
      : 0;

    expect(payload.admin_graphql_api_id).toBe(
      `gid://shopify/Order/${ORDER.id}`,
    );
    expect(cents(payload.total_line_items_price)).toBe(lineTotal);
    expect(lineTotal).toBe(3998 + 1250 + 2500);
    // The code is spread over the lines that are not gift cards, and adds up.
    expect(allocated).toBe(500);
    expect(pick(lines, 2, "discount_allocations")).toEqual([]);
    expect(cents(payload.total_discounts)).toBe(allocated);
    expect(sumAmounts(payload.discount_codes, "amount")).toBe(allocated);
    expect(cents(payload.subtotal_price)).toBe(lineTotal - allocated);
    expect(cents(payload.total_tax)).toBe(
      sumAmounts(payload.tax_lines, "price"),
    );
    expect(
      cents(pick(payload, "total_shipping_price_set", "shop_money", "amount")),
    ).toBe(sumAmounts(payload.shipping_lines, "price"));
    expect(cents(payload.total_price)).toBe(
      cents(payload.subtotal_price) + 499 + 360,
    );
    expect(payload.current_total_price).toBe(payload.total_price);
    expect(payload.current_subtotal_price).toBe(payload.subtotal_price);
    expect(pick(payload, "total_price_set", "shop_money")).toEqual({
      amount: payload.total_price,
      currency_code: "USD",
    });

    // Presentment totals are sums of converted parts, not a converted total.
    const presentment = (key: string) =>
      cents(pick(payload, key, "presentment_money", "amount"));
    expect(
      pick(payload, "total_price_set", "presentment_money", "currency_code"),
    ).toBe("EUR");
    expect(presentment("total_price_set")).toBe(
      presentment("subtotal_price_set") +
        presentment("total_shipping_price_set") +
        presentment("total_tax_set"),
    );
    expect(presentment("subtotal_price_set")).toBe(
      presentment("total_line_items_price_set") -
        presentment("total_discounts_set"),
    );
  });

  it("builds a refund whose transaction covers its lines and shipping", () => {
    const payload = refundPayload(refundInput);
    expect(payload).toMatchObject({
      id: 929_361_464,
      order_id: ORDER.id,
      admin_graphql_api_id: "gid://shopify/Refund/929361464",
      refund_line_items: [
        {
          line_item_id: 466_157_049,
          quantity: 1,
          subtotal: 17.49,
          subtotal_set: {
            shop_money: { amount: "17.49", currency_code: "USD" },
          },
          line_item: {
            id: 466_157_049,
            price: "19.99",
            title: "Product 466157049",
          },
        },
      ],
      order_adjustments: [{ kind: "shipping_refund", amount: "-4.99" }],
      transactions: [{ kind: "refund", status: "success", amount: "22.48" }],
    });
    expect(
      refundPayload({ ...refundInput, restockOnly: true }).transactions,
    ).toEqual([]);
  });

  it("sends a guest order without a customer, or with customer: null when asked", () => {
    expect("customer" in orderPayload({ ...ORDER, customer: null })).toBe(
      false,
    );
    expect(
      orderPayload({ ...ORDER, customer: null, guestCustomerField: "null" })
        .customer,
    ).toBeNull();
  });
});
