import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AdminGraphqlEndpoint } from "../../simulator/admin-graphql";
import type { OrderInput, RefundInput } from "../../simulator/orders";
import { SimulatorState } from "../../simulator/state";
import { orderPayload, refundPayload } from "../../simulator/webhooks";
import { RECONCILE_ORDERS_QUERY } from "./admin-operations";
import {
  cancellationFromGraphql,
  discountCodesOf,
  paidOrderFromGraphql,
  reconcileOrderSchema,
  reconcileOrdersPageSchema,
  refundsFromGraphql,
  truncatedPart,
  wasPaid,
} from "./order-graphql";
import {
  orderCancelledPayloadSchema,
  orderPayloadSchema,
  refundPayloadSchema,
  refundReturnedMoney,
  toPaidOrder,
} from "./order-payload";

const SHOP = "mapping.myshopify.com";
const isAppCode = (code: string) => code.toUpperCase().startsWith("LOYALTY-");

/**
 * The order as reconciliation reads it: seeded into the simulator, queried with the app's own
 * document through the simulator's Admin GraphQL endpoint (validated against the vendored schema).
 * Returns the raw JSON node, before any validation.
 */
function rawNode(input: OrderInput, refunds: RefundInput[] = []): unknown {
  const now = () => Date.parse("2026-02-01T00:00:00Z");
  const state = new SimulatorState(now);
  const shop = state.register({
    shop: SHOP,
    accessToken: "shpat_mapping",
    currencyCode: input.currency,
  });
  state.addOrder(SHOP, input);
  for (const refund of refunds) state.addRefund(SHOP, refund);
  const endpoint = new AdminGraphqlEndpoint({
    state,
    now,
    bucketSize: 2000,
    restoreRate: 100,
  });
  const answer = endpoint.handle(shop, {
    query: RECONCILE_ORDERS_QUERY,
    variables: { first: 3 },
  });
  const body = z
    .object({ data: reconcileOrdersPageSchema, errors: z.never().optional() })
    .parse(answer.body);
  expect(body.data.orders.nodes).toHaveLength(1);
  return body.data.orders.nodes[0];
}

const readBack = (input: OrderInput, refunds: RefundInput[] = []) =>
  reconcileOrderSchema.parse(rawNode(input, refunds));

/** What the orders/paid route hands the ledger for the same order. */
const fromWebhook = (input: OrderInput) =>
  toPaidOrder(orderPayloadSchema.parse(orderPayload(input)), isAppCode);

const ada = {
  id: 501,
  email: "ada@example.org",
  first_name: "Ada",
  last_name: "Lovelace",
};

const orders: Array<[string, OrderInput]> = [
  [
    "a plain order with shipping and tax",
    {
      id: 1001,
      currency: "USD",
      customer: ada,
      lines: [
        { id: 10011, price: "19.99", quantity: 2 },
        { id: 10012, price: "5.00", quantity: 1 },
      ],
      shipping: "7.00",
      taxes: "3.20",
      createdAt: "2026-01-10T09:00:00Z",
      processedAt: "2026-01-10T09:05:00Z",
    },
  ],
  [
    "the shop's code, this app's redemption code and a gift card",
    {
      id: 1002,
      currency: "USD",
      customer: ada,
      lines: [
        { id: 10021, price: "40.00", quantity: 1 },
        { id: 10022, price: "10.00", quantity: 3 },
        { id: 10023, price: "25.00", quantity: 1, gift_card: true },
      ],
      discountCodes: [
        { code: "SUMMER10", amount: "7.00" },
        { code: "LOYALTY-7QK2", amount: "5.00" },
      ],
      shipping: "4.99",
      createdAt: "2026-01-11T10:00:00Z",
    },
  ],
  [
    "a customer paying in another currency (only the shop side counts)",
    {
      id: 1003,
      currency: "EUR",
      presentmentCurrency: "USD",
      exchangeRate: 1.0831,
      customer: ada,
      lines: [{ id: 10031, price: "33.33", quantity: 3 }],
      discountCodes: [{ code: "WINTER", amount: "9.99" }],
      taxes: "2.10",
      createdAt: "2026-01-12T11:00:00Z",
    },
  ],
  [
    "a zero-decimal currency",
    {
      id: 1004,
      currency: "JPY",
      customer: ada,
      lines: [{ id: 10041, price: "1500", quantity: 2 }],
      shipping: "600",
      createdAt: "2026-01-13T12:00:00Z",
    },
  ],
  [
    "a guest order",
    {
      id: 1005,
      currency: "USD",
      customer: null,
      email: "guest@example.org",
      lines: [{ id: 10051, price: "12.00", quantity: 1 }],
      createdAt: "2026-01-14T13:00:00Z",
    },
  ],
  [
    "a test order, later cancelled",
    {
      id: 1006,
      currency: "USD",
      customer: ada,
      test: true,
      lines: [{ id: 10061, price: "8.00", quantity: 1 }],
      createdAt: "2026-01-15T14:00:00Z",
      cancelledAt: "2026-01-16T08:00:00Z",
    },
  ],
];

describe("an order read back through the Admin API", () => {
  it.each(orders)(
    "%s maps to the PaidOrder its orders/paid webhook builds",
    (_name, input) => {
      const order = readBack(input);
      const paid = paidOrderFromGraphql(order, isAppCode);
      // Same ids (so `order:<id>:earn` dedupes against the webhook), customer, dates and money:
      // both paths earn the same points. The address is the webhook's alone: the Admin API shows
      // it only with protected customer data access.
      expect(paid).toEqual({ ...fromWebhook(input), shippingAddress: null });
      expect(paid.orderId).toBe(String(input.id));
      expect(paid.lineItemIds).toEqual(
        input.lines.map((line) => String(line.id)),
      );
    },
  );

  it("keeps this app's redemption code apart from the shop's discounts", () => {
    const [, input] = orders[1] ?? [];
    if (!input) throw new Error("fixture missing");
    const order = readBack(input);
    expect(discountCodesOf(order).sort()).toEqual(["LOYALTY-7QK2", "SUMMER10"]);
    const lines = paidOrderFromGraphql(order, isAppCode).forEarning.lines;
    expect(
      lines.reduce((sum, line) => sum + line.loyaltyDiscountMinor, 0),
    ).toBe(500);
    expect(lines.reduce((sum, line) => sum + line.discountMinor, 0)).toBe(700);
    expect(lines.map((line) => line.isGiftCard)).toEqual([false, false, true]);
  });

  it("maps a cancellation as the orders/cancelled route does", () => {
    const input: OrderInput = {
      id: 1010,
      currency: "USD",
      customer: ada,
      lines: [{ id: 10101, price: "30.00", quantity: 1 }],
      createdAt: "2026-01-10T09:00:00Z",
      cancelledAt: "2026-01-11T10:30:00Z",
    };
    const webhook = orderCancelledPayloadSchema.parse(orderPayload(input));
    expect(cancellationFromGraphql(readBack(input))).toEqual({
      orderId: webhook.id,
      currency: webhook.currency,
      customerId: webhook.customer?.id ?? null,
      cancelledAt: webhook.cancelled_at,
    });
    expect(
      cancellationFromGraphql(readBack({ ...input, cancelledAt: null })),
    ).toBeNull();
  });

  it("maps refunds as the refunds/create route does, money back or restock only", () => {
    const input: OrderInput = {
      id: 1020,
      currency: "USD",
      customer: ada,
      lines: [
        { id: 10201, price: "20.00", quantity: 3 },
        { id: 10202, price: "15.00", quantity: 1 },
      ],
      shipping: "5.00",
      createdAt: "2026-01-10T09:00:00Z",
    };
    const refunds: RefundInput[] = [
      {
        id: 7001,
        orderId: 1020,
        refundLineItems: [
          { line_item_id: 10201, quantity: 2, subtotal: "40.00" },
        ],
        shipping: "5.00",
        createdAt: "2026-01-12T10:00:00Z",
      },
      {
        id: 7002,
        orderId: 1020,
        refundLineItems: [
          { line_item_id: 10202, quantity: 1, subtotal: "15.00" },
        ],
        restockOnly: true,
        createdAt: "2026-01-13T10:00:00Z",
      },
    ];
    const fromWebhooks = refunds.map((refund) => {
      const payload = refundPayloadSchema.parse(
        refundPayload({ ...refund, order: input }),
      );
      return {
        ok: true,
        refund: {
          refundId: payload.id,
          orderId: payload.order_id,
          lines: payload.refund_line_items.map((line) => ({
            lineItemId: line.line_item_id,
            quantity: line.quantity,
          })),
          moneyRefunded: refundReturnedMoney(payload),
          refundedAt: payload.created_at,
        },
      };
    });
    const order = readBack(input, refunds);
    expect(order.displayFinancialStatus).toBe("PARTIALLY_REFUNDED");
    expect(wasPaid(order)).toBe(true);
    expect(refundsFromGraphql(order)).toEqual(fromWebhooks);
    expect(fromWebhooks.map((reading) => reading.refund.moneyRefunded)).toEqual(
      [true, false],
    );
  });
});

describe("what reconciliation will not guess at", () => {
  it.each([
    ["paid", true],
    ["partially_refunded", true],
    ["refunded", true],
    ["pending", false],
    ["authorized", false],
    ["partially_paid", false],
    ["voided", false],
    ["expired", false],
  ] as const)("financial status %s earns: %s", (financialStatus, earns) => {
    const order = readBack({
      id: 1030,
      currency: "USD",
      lines: [{ id: 10301, price: "1.00", quantity: 1 }],
      financialStatus,
    });
    expect(wasPaid(order)).toBe(earns);
  });

  it("reports an order longer than one page of line items instead of earning on part of it", () => {
    const order = readBack({
      id: 1040,
      currency: "USD",
      customer: ada,
      lines: Array.from({ length: 23 }, (_unused, index) => ({
        id: 104_000 + index,
        price: "1.00",
        quantity: 1,
      })),
    });
    expect(order.lineItems.nodes).toHaveLength(20);
    expect(truncatedPart(order)).toBe("LINE_ITEMS");
    expect(() => paidOrderFromGraphql(order, isAppCode)).toThrow(/LINE_ITEMS/);
  });

  it.each([
    [
      "an amount finer than the currency's minor unit",
      '"amount":"19.99"',
      '"amount":"19.991"',
      /TOO_PRECISE/,
    ],
    [
      "a line item id that is not a Shopify gid",
      '"id":"gid://shopify/LineItem/10011"',
      '"id":"10011"',
      /lineItems\.nodes\.0\.id/,
    ],
    [
      "an order without its processing time",
      '"processedAt":"2026-01-10T09:05:00Z",',
      "",
      /processedAt/,
    ],
  ])("refuses %s rather than guessing", (_name, from, to, problem) => {
    const [, input] = orders[0] ?? [];
    if (!input) throw new Error("fixture missing");
    const text = JSON.stringify(rawNode(input));
    expect(text).toContain(from);
    const result = reconcileOrderSchema.safeParse(
      JSON.parse(text.replace(from, to)),
    );
    expect(result.success).toBe(false);
    expect(
      result.error?.issues
        .map((issue) => `${issue.path.join(".")}: ${issue.message}`)
        .join("\n"),
    ).toMatch(problem);
  });
});
