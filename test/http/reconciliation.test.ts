import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { programConfig, saveProgramConfig } from "~/services/program.server";
import {
  reconcileOrders,
  ReconciliationError,
  type ReconcileProgress,
} from "~/services/reconciliation.server";
import type { OrderInput, RefundInput } from "../../simulator/orders";
import { startShopifySimulator, type Simulator } from "../../simulator/server";
import { orderPayload, refundPayload } from "../../simulator/webhooks";
import { registerLocalShop } from "../../scripts/lib/register-shop";
import { startTestApp, type RunningApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { sendWebhook } from "../support/webhooks";

let db: TestDatabase;
let simulator: Simulator;
let app: RunningApp;

beforeAll(async () => {
  db = await createTestDatabase();
  simulator = await startShopifySimulator();
  app = await startTestApp({ database: db, adminApiOrigin: simulator.origin });
});
afterAll(async () => {
  await app?.close();
  await simulator?.close();
  await db?.destroy();
});

const DAY = 86_400_000;
const daysAgo = (days: number) =>
  new Date(Date.now() - days * DAY).toISOString().replace(/\.\d{3}Z$/, "Z");

const ada = {
  id: 601,
  email: "ada@example.org",
  first_name: "Ada",
  last_name: "Lovelace",
};
const grace = {
  id: 602,
  email: "grace@example.org",
  first_name: "Grace",
  last_name: "Hopper",
};

function order(id: number, input: Partial<OrderInput> = {}): OrderInput {
  return {
    id,
    currency: "USD",
    customer: ada,
    lines: [
      { id: id * 10 + 1, price: "20.00", quantity: 2 },
      { id: id * 10 + 2, price: "10.00", quantity: 1 },
    ],
    shipping: "5.00",
    taxes: "2.50",
    createdAt: daysAgo(3),
    ...input,
  };
}

/** A registered shop whose program is on, with the simulator as its Shopify and the app's client. */
async function openShop(name: string) {
  const shop = `${name}.myshopify.com`;
  await registerLocalShop({ shop, accessToken: `shpat_${name}` });
  await db.sql.transaction(async (tx) => {
    const config = await programConfig(tx, shop);
    if (!config) throw new Error("no program");
    await saveProgramConfig(tx, shop, {
      ...config,
      enabled: true,
      programStartAt: new Date("2025-01-01T00:00:00Z"),
    });
  });
  // Imported once startTestApp has set the app's environment, as the scripts do.
  const { unauthenticated } = await import("~/shopify.server");
  const { admin } = await unauthenticated.admin(shop);
  return { shop, admin };
}

const entries = (shop: string) =>
  db.prisma.ledgerEntry.findMany({ where: { shop }, orderBy: { id: "asc" } });

describe("reconciliation", () => {
  it("feeds the orders, refunds and cancellations webhooks missed, once, across pages and throttling", async () => {
    // GIVEN a shop whose orders reached the app only in part: some orders/paid deliveries were
    // missed, a refund and a cancellation were missed after their orders' webhooks arrived.
    const { shop, admin } = await openShop("reconcile-main");
    const delivered = {
      paid: [order(1101), order(1103), order(1105), order(1109)],
      missed: [
        order(1102, { customer: grace }),
        order(1104, { cancelledAt: daysAgo(2) }),
        order(1106, { test: true }),
        order(1107, { customer: null, email: "guest@example.org" }),
        // More lines than one page of the query: the rest are read before it is fed.
        order(1110, {
          lines: Array.from({ length: 23 }, (_unused, index) => ({
            id: 11_100 + index,
            price: "3.00",
            quantity: 1,
          })),
        }),
      ],
    };
    for (const input of [...delivered.paid, ...delivered.missed])
      simulator.addOrder(shop, input);
    simulator.addOrder(shop, order(1108, { financialStatus: "pending" }));
    // Outside the range read back: never fetched.
    simulator.addOrder(shop, order(1111, { createdAt: daysAgo(60) }));
    for (const input of delivered.paid) {
      const response = await sendWebhook(
        app,
        shop,
        "orders/paid",
        orderPayload(input),
      );
      expect(response.status).toBe(200);
    }
    const refund = (
      id: number,
      orderId: number,
      lineItemId: number,
    ): RefundInput => ({
      id,
      orderId,
      refundLineItems: [
        { line_item_id: lineItemId, quantity: 1, subtotal: "20.00" },
      ],
      createdAt: daysAgo(1),
    });
    const missedRefunds = [
      refund(7103, 1103, 11031),
      refund(7102, 1102, 11021),
    ];
    for (const missed of missedRefunds) simulator.addRefund(shop, missed);
    const knownRefund = refund(7109, 1109, 11091);
    simulator.addRefund(shop, knownRefund);
    expect(
      (
        await sendWebhook(
          app,
          shop,
          "refunds/create",
          refundPayload({ ...knownRefund, order: order(1109) }),
        )
      ).status,
    ).toBe(200);
    simulator.updateOrder(shop, 1105, { cancelledAt: daysAgo(1) });
    const before = await entries(shop);
    expect(before.filter((entry) => entry.kind === "EARN")).toHaveLength(4);

    // WHEN reconciliation reads the last 30 days, two orders a page, through two THROTTLED answers.
    simulator.faults.enqueue({ kind: "THROTTLED" }, { times: 2, shop });
    const progress: ReconcileProgress[] = [];
    const run = () =>
      reconcileOrders({
        database: db,
        admin,
        shop,
        from: new Date(Date.now() - 30 * DAY),
        to: new Date(),
        first: 2,
        onProgress: (event) => progress.push(event),
      });
    const report = await run();

    // THEN every paid order the ledger had not seen is fed, and only those.
    expect(report).toMatchObject({
      fetched: 10,
      paidFed: 5,
      refundsFed: 2,
      cancellationsFed: 1,
      leftOut: [],
    });
    expect(report.outcomes).toEqual({
      "paid:applied": 3,
      "paid:TEST_ORDER": 1,
      "paid:GUEST": 1,
      "paid:ALREADY_RECORDED": 4,
      "refund:applied": 2,
      "refund:ALREADY_RECORDED": 1,
      // 1104 came back cancelled: its paid order took the cancellation with it.
      "cancel:ALREADY_RECORDED": 1,
      "cancel:applied": 1,
      "unpaid:PENDING": 1,
    });
    const after = await entries(shop);
    const earns = after.filter((entry) => entry.kind === "EARN");
    // One earn per member order that earns: never a second one for a delivered webhook.
    expect(earns.map((entry) => entry.idempotencyKey).sort()).toEqual(
      [1101, 1102, 1103, 1104, 1105, 1109, 1110].map(
        (id) => `order:${id}:earn`,
      ),
    );
    // 23 lines × 3.00 earn 69 points at the default 1 point per 1.00: every line was read.
    expect(earns.find((entry) => entry.orderId === "1110")?.points).toBe(69);
    const reversals = after
      .filter((entry) => entry.kind === "EARN_REVERSAL")
      .map((entry) => entry.idempotencyKey)
      .sort();
    expect(reversals).toEqual(
      [
        "order:1104:cancel",
        "order:1105:cancel",
        "refund:7102",
        "refund:7103",
        "refund:7109",
      ].sort(),
    );

    // Pagination and throttling happened as Shopify would see them.
    // A faulted call is answered before the document is read, so it is found by its text.
    const pageCalls = simulator.calls.filter((call) =>
      call.query?.includes("query LoyaltyReconcileOrders("),
    );
    expect(report.pages).toBe(5);
    expect(pageCalls.filter((call) => call.fault === "THROTTLED")).toHaveLength(
      2,
    );
    expect(
      pageCalls.filter((call) => call.status === 200 && !call.fault),
    ).toHaveLength(5);
    expect(
      simulator.calls.filter(
        (call) => call.operationName === "LoyaltyReconcileOrderLineItems",
      ),
    ).toHaveLength(1);
    expect(progress.filter((event) => event.kind === "throttled")).toHaveLength(
      2,
    );
    expect(
      progress.flatMap((event) =>
        event.kind === "page" ? [[event.page, event.orders]] : [],
      ),
    ).toEqual([
      [1, 2],
      [2, 2],
      [3, 2],
      [4, 2],
      [5, 2],
    ]);

    // AND a second run finds nothing new.
    const again = await run();
    expect(again).toMatchObject({
      fetched: 10,
      paidFed: 0,
      refundsFed: 0,
      cancellationsFed: 0,
    });
    expect(
      Object.keys(again.outcomes).filter(
        (key) =>
          !key.endsWith(":ALREADY_RECORDED") && !key.startsWith("unpaid:"),
      ),
    ).toEqual([]);
    expect(await entries(shop)).toHaveLength(after.length);
  });

  it("gives up with a clear error when Shopify keeps throttling", async () => {
    const { shop, admin } = await openShop("reconcile-throttled");
    simulator.addOrder(shop, order(2001));
    simulator.faults.enqueue({ kind: "THROTTLED" }, { times: 3, shop });
    const run = reconcileOrders({
      database: db,
      admin,
      shop,
      from: new Date(Date.now() - 30 * DAY),
      to: new Date(),
      maxAttempts: 3,
    });
    await expect(run).rejects.toThrow(ReconciliationError);
    await expect(run).rejects.toThrow(/still throttling page 1 after 3 tries/);
    expect(await entries(shop)).toEqual([]);
  });

  it("asks for fewer orders a page when Shopify prices a page above its single-query limit", async () => {
    const { shop, admin } = await openShop("reconcile-costly");
    for (const id of [3001, 3002, 3003]) simulator.addOrder(shop, order(id));
    const report = await reconcileOrders({
      database: db,
      admin,
      shop,
      from: new Date(Date.now() - 30 * DAY),
      to: new Date(),
      // Five orders with their nested pages ask for more than 1,000 points.
      first: 5,
    });
    expect(report).toMatchObject({ pages: 2, fetched: 3, paidFed: 3 });
    const asked = simulator.calls
      .filter(
        (call) =>
          call.shop === shop &&
          call.query?.includes("query LoyaltyReconcileOrders("),
      )
      .map((call) => call.variables.first);
    expect(asked).toEqual([5, 2, 2]);
  });
});
