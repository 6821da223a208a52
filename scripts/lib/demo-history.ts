import type { Simulator } from "../../simulator/server";
import { mintCheckoutSessionToken } from "../../simulator/session-tokens";
import { seededRandom } from "./seeded-random";
import {
  customerPayload,
  deliverWebhook,
  orderPayload,
  refundPayload,
  type JsonObject,
  type OrderPayloadInput,
  type RefundPayloadInput,
  type WebhookTopic,
} from "../../simulator/webhooks";

export interface HistoryCustomer {
  id: number;
  email: string;
  first_name: string;
}

/** One paid order and what became of it: kept, partly refunded, or cancelled. */
export interface HistoryOrder {
  customer: HistoryCustomer;
  input: OrderPayloadInput;
  refund?: RefundPayloadInput;
  cancelledAt?: string;
}

export interface History {
  customers: HistoryCustomer[];
  orders: HistoryOrder[];
}

export interface HistoryDelivery {
  topic: Extract<
    WebhookTopic,
    "orders/paid" | "orders/cancelled" | "refunds/create"
  >;
  payload: JsonObject;
  orderId: number;
}

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
 * A small shop's year: customers with one to four paid orders each over the last twelve months,
 * about one order in ten partly refunded (its second line) and one in twenty-five cancelled.
 * Deterministic for a seed. Stops after `customers` customers, or once `orders` orders exist.
 */
export function generateHistory(options: {
  now: Date;
  customers?: number;
  orders?: number;
  seed?: number;
}): History {
  const random = seededRandom(options.seed ?? 42);
  const history: History = { customers: [], orders: [] };
  const enough = () =>
    (options.customers !== undefined &&
      history.customers.length >= options.customers) ||
    (options.orders !== undefined && history.orders.length >= options.orders);
  let orderId = 10_000;
  for (let index = 0; !enough(); index++) {
    const name = firstNames[index % firstNames.length] ?? "Alex";
    const customer = {
      id: 100_000 + index,
      email: `${name.toLowerCase()}.${index}@example.com`,
      first_name: name,
    };
    history.customers.push(customer);
    const orders = 1 + Math.floor(random() * 4);
    for (let n = 0; n < orders && !enough(); n++) {
      orderId += 1;
      const placed = new Date(
        options.now.getTime() - Math.floor(random() * 360) * DAY,
      );
      const input: OrderPayloadInput = {
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
      const order: HistoryOrder = { customer, input };
      const fate = random();
      if (fate < 0.1) {
        order.refund = {
          id: orderId * 10 + 9,
          orderId,
          order: input,
          createdAt: new Date(placed.getTime() + 3 * DAY).toISOString(),
          refundLineItems: [
            {
              line_item_id: orderId * 10 + 2,
              quantity: 1,
              subtotal: input.lines[1]?.price ?? "0",
            },
          ],
        };
      } else if (fate < 0.14) {
        order.cancelledAt = new Date(placed.getTime() + DAY).toISOString();
      }
      history.orders.push(order);
    }
  }
  return history;
}

/** What Shopify sends about one order, in the order it happened. */
export function orderDeliveries(order: HistoryOrder): HistoryDelivery[] {
  const orderId = order.input.id;
  const deliveries: HistoryDelivery[] = [
    { topic: "orders/paid", payload: orderPayload(order.input), orderId },
  ];
  if (order.refund)
    deliveries.push({
      topic: "refunds/create",
      payload: refundPayload(order.refund),
      orderId,
    });
  if (order.cancelledAt)
    deliveries.push({
      topic: "orders/cancelled",
      payload: orderPayload({ ...order.input, cancelledAt: order.cancelledAt }),
      orderId,
    });
  return deliveries;
}

/**
 * A year of a small shop's history, sent to the app as Shopify would send it: each customer's
 * account, their paid orders spread over the last twelve months, some refunds and cancellations.
 * The same orders are put in the simulator's Admin API, so reconciliation would find them too.
 */
export async function replayHistory(
  options: HistoryOptions,
): Promise<HistoryReport> {
  const history = generateHistory({
    customers: options.customers,
    now: options.now,
  });
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
  const ordersOf = new Map<HistoryCustomer, HistoryOrder[]>();
  for (const order of history.orders)
    ordersOf.set(order.customer, [
      ...(ordersOf.get(order.customer) ?? []),
      order,
    ]);
  for (const [index, customer] of history.customers.entries()) {
    options.simulator.addCustomer(options.shop, {
      id: customer.id,
      email: customer.email,
      firstName: customer.first_name,
    });
    await send(
      "customers/create",
      customerPayload({ ...customer, last_name: "Demo" }),
    );
    for (const order of ordersOf.get(customer) ?? []) {
      options.simulator.addOrder(options.shop, order.input);
      for (const delivery of orderDeliveries(order))
        await send(delivery.topic, delivery.payload);
      report.orders += 1;
      if (order.refund) report.refunds += 1;
      if (order.cancelledAt) report.cancellations += 1;
    }
    // Every third shopper also redeems at checkout today, in an order id range of its own.
    if (options.apiKey && index % 3 === 0) {
      const orderId = REDEMPTION_ORDER_IDS + index;
      if (await redeemAndUse(options, options.apiKey, customer, orderId, send))
        report.redemptions += 1;
    }
    options.onProgress?.(index + 1, options.customers);
  }
  return report;
}

const REDEMPTION_ORDER_IDS = 900_000;

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
  customer: HistoryCustomer,
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
