// Webhook deliveries as Shopify makes them: the headers of
// https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-2-validate-the-origin-of-your-webhook-to-ensure-its-coming-from-shopify
// an HMAC-SHA256 of the raw body with the app's API secret, and payloads in Shopify's own shapes,
// built from the documented example for each topic with the fields a test cares about replaced.
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { formatFixed } from "./money";
import {
  buildOrderModel,
  buildRefundModel,
  type MoneyPair,
  type OrderInput,
  type OrderLineModel,
  type OrderModel,
  type RefundInput,
} from "./orders";

export type JsonObject = Record<string, unknown>;

export type WebhookTopic =
  | "orders/create"
  | "orders/paid"
  | "orders/updated"
  | "orders/cancelled"
  | "orders/fulfilled"
  | "refunds/create"
  | "customers/create"
  | "customers/update"
  | "customers/delete"
  | "customers/data_request"
  | "customers/redact"
  | "shop/redact"
  | "app/uninstalled";

export const WEBHOOK_TOPICS: readonly WebhookTopic[] = [
  "orders/create",
  "orders/paid",
  "orders/updated",
  "orders/cancelled",
  "orders/fulfilled",
  "refunds/create",
  "customers/create",
  "customers/update",
  "customers/delete",
  "customers/data_request",
  "customers/redact",
  "shop/redact",
  "app/uninstalled",
];

export const WEBHOOK_CONTRACT_VERSION = "2025-10";

const examples = new Map<string, JsonObject>();

function isRecord(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Shopify's documented example payload for `topic` (a fresh copy each call). */
export function exampleWebhookPayload(topic: WebhookTopic): JsonObject {
  let example = examples.get(topic);
  if (!example) {
    const url = new URL(
      `../shopify-schema/webhooks/${WEBHOOK_CONTRACT_VERSION}/metadata/${topic}.json`,
      import.meta.url,
    );
    const metadata: unknown = JSON.parse(readFileSync(url, "utf8"));
    if (!isRecord(metadata) || !isRecord(metadata.response))
      throw new Error(`No example payload for ${topic}`);
    example = metadata.response;
    examples.set(topic, example);
  }
  return structuredClone(example);
}

function objectAt(value: JsonObject, key: string): JsonObject {
  const child = value[key];
  if (!isRecord(child))
    throw new Error(`Example payload has no object at ${key}`);
  return child;
}

function firstObject(value: JsonObject, key: string): JsonObject {
  const list = value[key];
  const first: unknown = Array.isArray(list) ? list[0] : undefined;
  if (!isRecord(first)) throw new Error(`Example payload has no ${key}[0]`);
  return first;
}

// ---------------------------------------------------------------------------------------------
// Signing and delivery

/** Base64 HMAC-SHA256 of the exact body bytes, keyed with the app's API secret (client secret). */
export function signWebhookBody(rawBody: string, secret: string): string {
  return createHmac("sha256", secret).update(rawBody, "utf8").digest("base64");
}

export interface WebhookRequestOptions {
  url: string;
  topic: string;
  shop: string;
  payload?: unknown;
  secret: string;
  apiVersion: string;
  webhookId?: string;
  eventId?: string;
  triggeredAt?: string;
  /** Exact bytes to send instead of JSON.stringify(payload): malformed JSON, a forged body… */
  rawBody?: string;
  /** Send this signature instead of the body's (a forged or stale HMAC). */
  hmac?: string;
  /** Header names to leave out, to prove the app answers 400 without them. */
  omitHeaders?: string[];
}

export function buildWebhookRequest(options: WebhookRequestOptions): Request {
  const body = options.rawBody ?? JSON.stringify(options.payload ?? {});
  const headers = new Headers({
    "Content-Type": "application/json",
    "X-Shopify-Topic": options.topic,
    "X-Shopify-Hmac-Sha256":
      options.hmac ?? signWebhookBody(body, options.secret),
    "X-Shopify-Shop-Domain": options.shop,
    "X-Shopify-API-Version": options.apiVersion,
    "X-Shopify-Webhook-Id": options.webhookId ?? randomUUID(),
    "X-Shopify-Event-Id": options.eventId ?? randomUUID(),
    "X-Shopify-Triggered-At": options.triggeredAt ?? new Date().toISOString(),
    // Shopify's deliveries identify themselves; bot filters in front of apps must let them through.
    "User-Agent": "Shopify-Captain-Hook",
  });
  for (const name of options.omitHeaders ?? []) headers.delete(name);
  return new Request(options.url, { method: "POST", headers, body });
}

export interface WebhookDelivery {
  status: number;
  /** The app's answer's headers (its Server-Timing, say). */
  headers: Headers;
  body: string;
  request: {
    webhookId: string | null;
    eventId: string | null;
    hmac: string | null;
  };
}

export async function deliverWebhook(
  options: WebhookRequestOptions & {
    fetch?: (request: Request) => Promise<Response>;
  },
): Promise<WebhookDelivery> {
  const request = buildWebhookRequest(options);
  const sent = {
    webhookId: request.headers.get("X-Shopify-Webhook-Id"),
    eventId: request.headers.get("X-Shopify-Event-Id"),
    hmac: request.headers.get("X-Shopify-Hmac-Sha256"),
  };
  const response = await (options.fetch ?? fetch)(request);
  return {
    status: response.status,
    headers: response.headers,
    body: await response.text(),
    request: sent,
  };
}

// ---------------------------------------------------------------------------------------------
// Money in REST payload shapes

type Currencies = Pick<OrderModel, "currency" | "presentmentCurrency">;

function amountOf(minor: number, currency: string): string {
  return formatFixed(minor, currency);
}

function moneySet(amount: MoneyPair, order: Currencies): JsonObject {
  return {
    shop_money: {
      amount: amountOf(amount.shop, order.currency),
      currency_code: order.currency,
    },
    presentment_money: {
      amount: amountOf(amount.presentment, order.presentmentCurrency),
      currency_code: order.presentmentCurrency,
    },
  };
}

function negate(amount: MoneyPair): MoneyPair {
  return { shop: -amount.shop, presentment: -amount.presentment };
}

// ---------------------------------------------------------------------------------------------
// Orders

export interface OrderPayloadInput extends OrderInput {
  /** For order_status_url. */
  shopDomain?: string;
  /**
   * How a guest order (no customer) is sent: without a `customer` key, or with `customer: null`.
   * Apps should accept both; tests can prove it.
   */
  guestCustomerField?: "omit" | "null";
  /** Replaces the documented example's shipping address; null sends none (a digital order). */
  shippingAddress?: {
    address1: string;
    address2?: string | null;
    city: string;
    zip: string;
    country_code?: string;
  } | null;
}

function lineItemPayload(
  template: JsonObject,
  line: OrderLineModel,
  order: Currencies,
): JsonObject {
  const item = structuredClone(template);
  return Object.assign(item, {
    id: line.id,
    admin_graphql_api_id: `gid://shopify/LineItem/${line.id}`,
    name: line.title,
    title: line.title,
    sku: line.sku,
    quantity: line.quantity,
    ...("current_quantity" in item ? { current_quantity: line.quantity } : {}),
    fulfillable_quantity: line.quantity,
    gift_card: line.giftCard,
    taxable: line.taxable,
    requires_shipping: line.requiresShipping,
    product_exists: true,
    // The documented example's product ids are above 2^53; replace them with safe ones.
    product_id: line.productId ?? 1_000_000 + line.id,
    variant_id: line.variantId,
    grams: 0,
    price: amountOf(line.unitPrice.shop, order.currency),
    price_set: moneySet(line.unitPrice, order),
    total_discount: amountOf(line.totalDiscount.shop, order.currency),
    total_discount_set: moneySet(line.totalDiscount, order),
    discount_allocations: line.discountAllocations.map((allocation) => ({
      amount: amountOf(allocation.amount.shop, order.currency),
      amount_set: moneySet(allocation.amount, order),
      discount_application_index: allocation.index,
    })),
    tax_lines: [],
    duties: [],
    properties: [],
    ...("attributed_staffs" in item ? { attributed_staffs: [] } : {}),
    ...("sales_line_item_group_id" in item
      ? { sales_line_item_group_id: null }
      : {}),
  });
}

function customerInOrder(
  template: JsonObject,
  customer: NonNullable<OrderModel["customer"]>,
): JsonObject {
  const result = structuredClone(template);
  const firstName = customer.first_name ?? "Sam";
  const lastName = customer.last_name ?? "Shopper";
  Object.assign(result, {
    id: customer.id,
    admin_graphql_api_id: `gid://shopify/Customer/${customer.id}`,
    email: customer.email,
    first_name: firstName,
    last_name: lastName,
  });
  const address = result.default_address;
  if (isRecord(address)) {
    Object.assign(address, {
      id: customer.id * 10 + 1,
      customer_id: customer.id,
      first_name: firstName,
      last_name: lastName,
      name: `${firstName} ${lastName}`,
    });
  }
  return result;
}

/**
 * An order payload (orders/create, paid, updated, cancelled, fulfilled) whose money fields agree:
 * line prices and allocations, discount codes and applications, subtotal, shipping, tax and total,
 * in shop and presentment currency.
 */
export function orderPayload(input: OrderPayloadInput): JsonObject {
  const model = buildOrderModel(input);
  const payload = exampleWebhookPayload("orders/paid");
  const lineTemplate = firstObject(payload, "line_items");
  const shippingTemplate = firstObject(payload, "shipping_lines");
  const customerTemplate = objectAt(payload, "customer");
  const totals = model.totals;
  const set = (amount: MoneyPair) => moneySet(amount, model);
  const amount = (value: MoneyPair) => amountOf(value.shop, model.currency);
  const paid = ["paid", "partially_refunded", "refunded"].includes(
    model.financialStatus,
  );
  const token = model.id.toString(16).padStart(16, "0");

  Object.assign(payload, {
    id: model.id,
    admin_graphql_api_id: model.gid,
    name: model.name,
    number: model.number,
    order_number: model.orderNumber,
    // POS and draft orders can have no email; Shopify then sends "" and a null contact_email.
    email: model.email ?? "",
    contact_email: model.email,
    created_at: model.createdAt,
    processed_at: model.processedAt,
    updated_at: model.updatedAt,
    cancelled_at: model.cancelledAt,
    cancel_reason: model.cancelReason,
    closed_at: null,
    // The schema requires `company` (null unless the order is B2B); the documented example omits it.
    company: null,
    confirmed: true,
    test: model.test,
    token,
    order_status_url: `https://${input.shopDomain ?? "example.myshopify.com"}/orders/${token}/authenticate?key=${token}`,
    tags: model.tags.join(", "),
    source_name: model.sourceName,
    currency: model.currency,
    presentment_currency: model.presentmentCurrency,
    financial_status: model.financialStatus,
    fulfillment_status: null,
    taxes_included: false,
    total_line_items_price: amount(totals.lineItems),
    total_line_items_price_set: set(totals.lineItems),
    total_discounts: amount(totals.discounts),
    total_discounts_set: set(totals.discounts),
    subtotal_price: amount(totals.subtotal),
    subtotal_price_set: set(totals.subtotal),
    total_shipping_price_set: set(totals.shipping),
    total_tax: amount(totals.tax),
    total_tax_set: set(totals.tax),
    total_price: amount(totals.total),
    total_price_set: set(totals.total),
    total_outstanding: paid
      ? amountOf(0, model.currency)
      : amount(totals.total),
    total_tip_received: amountOf(0, model.currency),
    total_weight: 0,
    current_subtotal_price: amount(totals.subtotal),
    current_subtotal_price_set: set(totals.subtotal),
    current_total_discounts: amount(totals.discounts),
    current_total_discounts_set: set(totals.discounts),
    current_total_tax: amount(totals.tax),
    current_total_tax_set: set(totals.tax),
    current_total_price: amount(totals.total),
    current_total_price_set: set(totals.total),
    current_shipping_price_set: set(totals.shipping),
    tax_lines: model.taxLines.map((line) => ({
      title: line.title,
      rate: line.rate,
      price: amount(line.price),
      price_set: set(line.price),
      channel_liable: false,
    })),
    discount_codes: model.discountApplications.flatMap((application) =>
      application.code
        ? [
            {
              code: application.code,
              amount: amount(application.amount),
              type: application.valueType,
            },
          ]
        : [],
    ),
    discount_applications: model.discountApplications.map((application) => ({
      target_type: "line_item",
      type: application.type,
      value: application.value,
      value_type: application.valueType,
      allocation_method: "across",
      target_selection: "all",
      ...(application.code
        ? { code: application.code }
        : { title: application.title, description: application.title }),
    })),
    line_items: model.lines.map((line) =>
      lineItemPayload(lineTemplate, line, model),
    ),
    shipping_lines:
      totals.shipping.shop === 0
        ? []
        : [
            Object.assign(structuredClone(shippingTemplate), {
              id: model.id * 10 + 7,
              code: "Standard",
              title: "Standard",
              price: amount(totals.shipping),
              price_set: set(totals.shipping),
              discounted_price: amount(totals.shipping),
              discounted_price_set: set(totals.shipping),
              current_discounted_price_set: set(totals.shipping),
              tax_lines: [],
              discount_allocations: [],
            }),
          ],
    fulfillments: [],
    refunds: [],
    returns: [],
    line_item_groups: [],
  });

  if (input.shippingAddress === null) payload.shipping_address = null;
  else if (input.shippingAddress)
    Object.assign(objectAt(payload, "shipping_address"), {
      address2: null,
      country_code: "US",
      ...input.shippingAddress,
    });

  if (model.customer) {
    payload.customer = customerInOrder(customerTemplate, model.customer);
  } else if (input.guestCustomerField === "null") {
    payload.customer = null;
  } else {
    delete payload.customer;
  }
  return payload;
}

// ---------------------------------------------------------------------------------------------
// Refunds

export interface RefundPayloadInput extends RefundInput {
  /** The order refunded, to copy line item details and currencies from. */
  order?: OrderInput;
  /** Shop currency when `order` is not given. */
  currency?: string;
  test?: boolean;
}

/**
 * A refunds/create payload. Shipping refunds are reported as an order adjustment of kind
 * `shipping_refund` (negative amount), the REST shape the schema in shopify-schema/ describes.
 */
export function refundPayload(input: RefundPayloadInput): JsonObject {
  const orderModel = input.order ? buildOrderModel(input.order) : null;
  const currency = {
    currency: orderModel?.currency ?? input.currency ?? "USD",
    presentmentCurrency: orderModel?.presentmentCurrency,
    exchangeRate: orderModel?.exchangeRate,
  };
  const refund = buildRefundModel(input, currency);
  const money = {
    currency: currency.currency,
    presentmentCurrency: currency.presentmentCurrency ?? currency.currency,
  };
  const set = (amount: MoneyPair) => moneySet(amount, money);
  const amount = (value: MoneyPair) => amountOf(value.shop, money.currency);
  const payload = exampleWebhookPayload("refunds/create");
  const lineTemplate = firstObject(payload, "refund_line_items");
  const lineItemTemplate = objectAt(lineTemplate, "line_item");
  const transactionTemplate = firstObject(payload, "transactions");
  const zero = { shop: 0, presentment: 0 };

  const refundLines = refund.lines.map((line) => {
    const orderLine = orderModel?.lines.find(
      (candidate) => candidate.id === line.lineItemId,
    );
    const unit = {
      shop: Math.round(line.subtotal.shop / line.quantity),
      presentment: Math.round(line.subtotal.presentment / line.quantity),
    };
    const lineModel: OrderLineModel = orderLine ?? {
      id: line.lineItemId,
      title: `Product ${line.lineItemId}`,
      sku: `SKU-${line.lineItemId}`,
      quantity: line.quantity,
      giftCard: false,
      taxable: true,
      requiresShipping: true,
      productId: null,
      variantId: null,
      unitPrice: unit,
      originalTotal: {
        shop: unit.shop * line.quantity,
        presentment: unit.presentment * line.quantity,
      },
      discountAllocations: [],
      totalDiscount: zero,
    };
    return Object.assign(structuredClone(lineTemplate), {
      id: line.id,
      line_item_id: line.lineItemId,
      quantity: line.quantity,
      location_id: null,
      restock_type: refund.restockOnly ? "return" : "no_restock",
      // Shopify sends these two as JSON numbers, unlike every other amount in the payload.
      subtotal: Number(amount(line.subtotal)),
      total_tax: Number(amount(line.totalTax)),
      subtotal_set: set(line.subtotal),
      total_tax_set: set(line.totalTax),
      line_item: lineItemPayload(lineItemTemplate, lineModel, money),
    });
  });

  const orderAdjustments =
    refund.shipping.shop === 0
      ? []
      : [
          {
            id: refund.id * 10 + 1,
            order_id: refund.orderId,
            refund_id: refund.id,
            amount: amount(negate(refund.shipping)),
            amount_set: set(negate(refund.shipping)),
            tax_amount: amountOf(0, money.currency),
            tax_amount_set: set(zero),
            kind: "shipping_refund",
            reason: "Shipping refund",
          },
        ];

  const transactions = refund.restockOnly
    ? []
    : [
        Object.assign(structuredClone(transactionTemplate), {
          id: refund.id * 10 + 2,
          order_id: refund.orderId,
          kind: "refund",
          status: "success",
          message: "Refunded",
          gateway: "bogus",
          amount: amount(refund.transactionAmount),
          created_at: refund.createdAt,
          processed_at: refund.createdAt,
          test: input.test ?? orderModel?.test ?? false,
          parent_id: null,
          payment_id: `#${refund.orderId}.1`,
          admin_graphql_api_id: `gid://shopify/OrderTransaction/${refund.id * 10 + 2}`,
        }),
      ];

  return Object.assign(payload, {
    id: refund.id,
    admin_graphql_api_id: refund.gid,
    order_id: refund.orderId,
    created_at: refund.createdAt,
    processed_at: refund.createdAt,
    note: refund.note,
    restock: refund.restockOnly,
    duties: [],
    total_duties_set: set(zero),
    return: null,
    refund_shipping_lines: [],
    order_adjustments: orderAdjustments,
    refund_line_items: refundLines,
    transactions,
  });
}

// ---------------------------------------------------------------------------------------------
// Customers, compliance and the app lifecycle

export interface CustomerPayloadInput {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
  phone?: string | null;
  note?: string | null;
  state?: "disabled" | "invited" | "enabled" | "declined";
  verified_email?: boolean;
  /** Comma-separated, as REST sends them. Left out of the payload when absent. */
  tags?: string;
  created_at?: string;
  updated_at?: string;
}

/** customers/create and customers/update. */
export function customerPayload(input: CustomerPayloadInput): JsonObject {
  const payload = exampleWebhookPayload("customers/create");
  const createdAt = input.created_at ?? "2025-01-15T12:00:00Z";
  Object.assign(payload, {
    id: input.id,
    admin_graphql_api_id: `gid://shopify/Customer/${input.id}`,
    email: input.email,
    first_name: input.first_name,
    last_name: input.last_name,
    phone: input.phone ?? null,
    note: input.note ?? null,
    state: input.state ?? "enabled",
    verified_email: input.verified_email ?? true,
    created_at: createdAt,
    updated_at: input.updated_at ?? createdAt,
    ...(input.tags === undefined ? {} : { tags: input.tags }),
  });
  const address = objectAt(payload, "default_address");
  Object.assign(address, {
    id: input.id * 10 + 1,
    customer_id: input.id,
    first_name: input.first_name,
    last_name: input.last_name,
    name: `${input.first_name} ${input.last_name}`,
  });
  return payload;
}

/** customers/delete. */
export function customerDeletePayload(input: { id: number }): JsonObject {
  return Object.assign(exampleWebhookPayload("customers/delete"), {
    id: input.id,
    admin_graphql_api_id: `gid://shopify/Customer/${input.id}`,
  });
}

export interface ComplianceShop {
  shopId: number;
  shopDomain: string;
}

export interface ComplianceCustomer {
  id: number;
  email: string;
  phone?: string | null;
}

export function customersDataRequestPayload(
  input: ComplianceShop & {
    customer: ComplianceCustomer;
    ordersRequested?: number[];
    dataRequestId: number;
  },
): JsonObject {
  return {
    shop_id: input.shopId,
    shop_domain: input.shopDomain,
    customer: {
      id: input.customer.id,
      email: input.customer.email,
      phone: input.customer.phone ?? null,
    },
    orders_requested: input.ordersRequested ?? [],
    data_request: { id: input.dataRequestId },
  };
}

export function customersRedactPayload(
  input: ComplianceShop & {
    customer: ComplianceCustomer;
    ordersToRedact?: number[];
  },
): JsonObject {
  return {
    shop_id: input.shopId,
    shop_domain: input.shopDomain,
    customer: {
      id: input.customer.id,
      email: input.customer.email,
      phone: input.customer.phone ?? null,
    },
    orders_to_redact: input.ordersToRedact ?? [],
  };
}

export function shopRedactPayload(input: ComplianceShop): JsonObject {
  return { shop_id: input.shopId, shop_domain: input.shopDomain };
}

/** app/uninstalled carries the shop resource. */
export function appUninstalledPayload(input: {
  id: number;
  shopDomain: string;
  name?: string;
  email?: string;
  currency?: string;
  ianaTimezone?: string;
}): JsonObject {
  const currency = input.currency ?? "USD";
  return Object.assign(exampleWebhookPayload("app/uninstalled"), {
    id: input.id,
    name: input.name ?? input.shopDomain.replace(/\.myshopify\.com$/, ""),
    email: input.email ?? "owner@example.com",
    customer_email: input.email ?? "owner@example.com",
    domain: input.shopDomain,
    myshopify_domain: input.shopDomain,
    currency,
    enabled_presentment_currencies: [currency],
    iana_timezone: input.ianaTimezone ?? "UTC",
  });
}
