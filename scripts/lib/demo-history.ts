import type { Simulator } from "../../simulator/server";
import { mintCheckoutSessionToken } from "../../simulator/session-tokens";
import { seededRandom } from "./seeded-random";
import {
  customerPayload,
  deliverWebhook,
  orderPayload,
  refundPayload,
  type OrderPayloadInput,
} from "../../simulator/webhooks";

export interface HistoryOptions {
  appUrl: string;
  shop: string;
  secret: string;
  /** With the app's API key, some shoppers also redeem points at checkout and use the code. */
  apiKey?: string;
  apiVersion: string;
  simulator: Simulator;
  customers: number;
  now: Date;
  onProgress?: (done: number, total: number) => void;
}

export interface HistoryReport {
  deliveries: number;
  failed: number;
  orders: number;
  refunds: number;
  cancellations: number;
  redemptions: number;
}

const DAY = 86_400_000;
const firstNames = [
  "Ada",
  "Grace",
  "Lin",
  "Noor",
  "Mira",
  "Olek",
  "Tiina",
  "Sasha",
  "Kai",
  "Rosa",
];

/**
 * A year of a small shop's history, sent to the app as Shopify would send it: each customer's
 * account, their paid orders spread over the last twelve months, some refunds and cancellations.
 * The same orders are put in the simulator's Admin API, so reconciliation would find them too.
 */
export async function replayHistory(
  options: HistoryOptions,
): Promise<HistoryReport> {
  const random = seededRandom(42);
  const report: HistoryReport = {
    deliveries: 0,
    failed: 0,
    orders: 0,
    refunds: 0,
    cancellations: 0,
    redemptions: 0,
  };
  const send = async (topic: string, payload: unknown) => {
    const response = await deliverWebhook({
      url: `${options.appUrl}/webhooks/${topic}`,
      topic,
      shop: options.shop,
      payload,
      secret: options.secret,
      apiVersion: options.apiVersion,
    });
    report.deliveries += 1;
    if (response.status !== 200) report.failed += 1;
  };
  let orderId = 10_000;
  for (let index = 0; index < options.customers; index++) {
    const name = firstNames[index % firstNames.length] ?? "Alex";
    const customer = {
      id: 100_000 + index,
      email: `${name.toLowerCase()}.${index}@example.com`,
      first_name: name,
    };
    options.simulator.addCustomer(options.shop, {
      id: customer.id,
      email: customer.email,
      firstName: name,
    });
    await send(
      "customers/create",
      customerPayload({ ...customer, last_name: "Demo" }),
    );
    const orders = 1 + Math.floor(random() * 4);
    for (let n = 0; n < orders; n++) {
      orderId += 1;
      const placed = new Date(
        options.now.getTime() - Math.floor(random() * 360) * DAY,
      );
      const order: OrderPayloadInput = {
        id: orderId,
        currency: "USD",
        customer,
        createdAt: placed.toISOString(),
        lines: [
          {
            id: orderId * 10 + 1,
            price: `${20 + Math.floor(random() * 180)}.00`,
            quantity: 1 + Math.floor(random() * 2),
          },
          {
            id: orderId * 10 + 2,
            price: `${5 + Math.floor(random() * 40)}.99`,
            quantity: 1,
          },
        ],
        shipping: "6.90",
      };
      options.simulator.addOrder(options.shop, order);
      await send("orders/paid", orderPayload(order));
      report.orders += 1;
      const fate = random();
      if (fate < 0.1) {
        const refundedAt = new Date(placed.getTime() + 3 * DAY).toISOString();
        await send(
          "refunds/create",
          refundPayload({
            id: orderId * 10 + 9,
            orderId,
            order,
            createdAt: refundedAt,
            refundLineItems: [
              {
                line_item_id: orderId * 10 + 2,
                quantity: 1,
                subtotal: order.lines[1]?.price ?? "0",
              },
            ],
          }),
        );
        report.refunds += 1;
      } else if (fate < 0.14) {
        await send(
          "orders/cancelled",
          orderPayload({
            ...order,
            cancelledAt: new Date(placed.getTime() + DAY).toISOString(),
          }),
        );
        report.cancellations += 1;
      }
    }
    if (options.apiKey && random() < 0.3) {
      orderId += 1;
      if (await redeemAndUse(options, options.apiKey, customer, orderId, send))
        report.redemptions += 1;
    }
    options.onProgress?.(index + 1, options.customers);
  }
  return report;
}

// A browser's user agent and the extensions' origin: the shopper API answers bots with 410 and
// adds CORS headers only for another origin, as it sees checkout extensions.
const SHOPPER_HEADERS = {
  "User-Agent":
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36",
  Origin: "https://extensions.shopifycdn.com",
  "Content-Type": "application/json",
};

/**
 * A shopper redeems 500 points at checkout, as the checkout extension would, and pays an order
 * with the code today. Shoppers without 500 points are turned away (409) and buy nothing more.
 */
async function redeemAndUse(
  options: HistoryOptions,
  apiKey: string,
  customer: { id: number; email: string; first_name: string },
  orderId: number,
  send: (topic: string, payload: unknown) => Promise<void>,
): Promise<boolean> {
  const token = mintCheckoutSessionToken({
    shop: options.shop,
    customerId: customer.id,
    apiKey,
    secret: options.secret,
  });
  const response = await fetch(`${options.appUrl}/api/checkout/redemptions`, {
    method: "POST",
    headers: { ...SHOPPER_HEADERS, Authorization: `Bearer ${token}` },
    body: JSON.stringify({
      rewardId: "fixed-500",
      idempotencyKey: `demo-redemption-${orderId}`,
    }),
  });
  if (response.status !== 201) return false;
  const redemption = (await response.json()) as { code: string };
  const order: OrderPayloadInput = {
    id: orderId,
    currency: "USD",
    customer,
    createdAt: options.now.toISOString(),
    lines: [{ id: orderId * 10 + 1, price: "60.00", quantity: 1 }],
    discountCodes: [{ code: redemption.code, amount: "5.00" }],
    shipping: "6.90",
  };
  options.simulator.addOrder(options.shop, order);
  await send("orders/paid", orderPayload(order));
  return true;
}
