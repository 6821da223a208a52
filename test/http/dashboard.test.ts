import { describe, expect, it } from "vitest";
import type { ProgramConfig } from "~/loyalty/program";
import { programDashboard } from "~/services/dashboard.server";
import { programConfig, saveProgramConfig } from "~/services/program.server";
import { rebuildLedgerDays } from "~/services/ledger-days.server";
import { rebuildOrderRollups } from "~/services/order-rollups.server";
import { registerLocalShop } from "../../scripts/lib/register-shop";
import {
  customerPayload,
  customersRedactPayload,
  orderPayload,
  refundPayload,
  type OrderPayloadInput,
} from "../../simulator/webhooks";
import { adminRequest } from "../support/admin";
import { useTestStack } from "../support/stack";
import { sendWebhook } from "../support/webhooks";

const stack = useTestStack();
const shop = "dashboard.myshopify.com";
// `index` picks the index route's data rather than its layout's, as Remix's own requests do.
const route = { path: "/app?index", id: "routes/app._index" };
const day = 86_400_000;

let orderId = 5000;
async function paid(customerId: number, price: string, daysAgo: number) {
  const id = ++orderId;
  const order = {
    id,
    currency: "USD",
    customer: { id: customerId, email: `c${customerId}@example.org` },
    lines: [{ id: id * 10, price, quantity: 1 }],
    createdAt: new Date(Date.now() - daysAgo * day).toISOString(),
  };
  const response = await sendWebhook(
    stack.app,
    shop,
    "orders/paid",
    orderPayload(order),
  );
  expect(response.status).toBe(200);
  return order;
}

async function dashboard(days?: number) {
  const response = await adminRequest(stack.app, shop, {
    ...route,
    path: days ? `${route.path}&days=${days}` : route.path,
  });
  expect(response.status).toBe(200);
  return (await response.json()).dashboard;
}

describe("the dashboard", () => {
  it("sums the program's points, members, buyers and tiers for the period", async () => {
    // GIVEN a shop with the program on and three customers' orders over the last year
    await registerLocalShop({ shop, accessToken: "shpat_dashboard" });
    await stack.db.sql.transaction(async (tx) => {
      const config = await programConfig(tx, shop);
      if (!config) throw new Error("no program");
      await saveProgramConfig(tx, shop, {
        ...config,
        enabled: true,
        programStartAt: new Date(Date.now() - 400 * day),
      });
    });
    await paid(1, "120.00", 2);
    await paid(1, "80.00", 10);
    const refunded = await paid(2, "50.00", 5);
    await paid(3, "700.00", 200);
    const refund = await sendWebhook(
      stack.app,
      shop,
      "refunds/create",
      refundPayload({
        id: 9001,
        orderId: refunded.id,
        order: refunded,
        createdAt: new Date().toISOString(),
        refundLineItems: [
          { line_item_id: refunded.id * 10, quantity: 1, subtotal: "50.00" },
        ],
      }),
    );
    expect(refund.status).toBe(200);

    // WHEN the merchant opens the dashboard for 30 days, then for a year
    const month = await dashboard();
    const year = await dashboard(365);

    // THEN the month holds the three recent orders, the year all four
    expect(month.period.days).toBe(30);
    expect(month.members).toBe(3);
    expect(month.points).toMatchObject({
      issued: 120 + 80 + 50,
      reversed: 50,
      redeemed: 0,
      expired: 0,
      outstanding: 120 + 80 + 700,
    });
    expect(month.liability).toEqual({ minor: 900, currency: "USD" });
    expect(month.repeatPurchase.members).toEqual({
      buyers: 2,
      repeatBuyers: 1,
      rateBasisPoints: 5_000,
    });
    expect(year.points.issued).toBe(950);
    expect(year.repeatPurchase.members.buyers).toBe(3);
    expect(year.tiers).toEqual([
      { handle: "bronze", name: "Bronze", members: 2 },
      { handle: "silver", name: "Silver", members: 1 },
      { handle: "gold", name: "Gold", members: 0 },
      { handle: null, name: "No tier", members: 0 },
    ]);
    expect(year.series).toHaveLength(53);
    expect(
      year.series.reduce(
        (sum: number, point: { issued: number }) => sum + point.issued,
        0,
      ),
    ).toBe(950);

    // AND the daily totals written with the entries equal those rebuilt from the entries
    const before = await stack.db.sql.query(
      `SELECT day, sum(earned)::int8 AS earned, sum(reversed)::int8 AS reversed
       FROM "LedgerDay" WHERE shop = $1 GROUP BY day ORDER BY day`,
      [shop],
    );
    await stack.db.sql.transaction((tx) => rebuildLedgerDays(tx, shop));
    const after = await stack.db.sql.query(
      `SELECT day, sum(earned)::int8 AS earned, sum(reversed)::int8 AS reversed
       FROM "LedgerDay" WHERE shop = $1 GROUP BY day ORDER BY day`,
      [shop],
    );
    expect(after).toEqual(before);
    expect(before.length).toBeGreaterThan(0);
  });

  it("falls back to 30 days for a period it does not offer", async () => {
    expect((await dashboard(7)).period.days).toBe(30);
  });
});

describe("the dashboard's order rollups", () => {
  const rollupShop = "dashboard-rollups.myshopify.com";
  let nextId = 7000;
  const send = async (topic: string, payload: object) =>
    expect(
      (await sendWebhook(stack.app, rollupShop, topic, payload)).status,
    ).toBe(200);
  const changeProgram = (change: Partial<ProgramConfig>) =>
    stack.db.sql.transaction(async (tx) => {
      const config = await programConfig(tx, rollupShop);
      if (!config) throw new Error("no program");
      await saveProgramConfig(tx, rollupShop, { ...config, ...change });
    });
  const order = (
    buyer: number | string,
    daysAgo: number,
    extra: Partial<OrderPayloadInput> = {},
  ): OrderPayloadInput => {
    const id = ++nextId;
    return {
      id,
      currency: "USD",
      ...(typeof buyer === "number"
        ? { customer: { id: buyer, email: `c${buyer}@example.org` } }
        : { customer: null, email: buyer }),
      lines: [{ id: id * 10, price: "40.00", quantity: 1 }],
      createdAt: new Date(Date.now() - daysAgo * day).toISOString(),
      ...extra,
    };
  };
  const pointsCodeName = "LOYALTY-R0LL";
  const pointsCode = {
    discountCodes: [{ code: pointsCodeName, amount: "5.00" }],
  };
  const paidOrder = (input: OrderPayloadInput) =>
    send("orders/paid", orderPayload(input));
  const cancelledOrder = (input: OrderPayloadInput) =>
    send(
      "orders/cancelled",
      orderPayload({ ...input, cancelledAt: new Date().toISOString() }),
    );
  const refundedOrder = (input: OrderPayloadInput) =>
    send(
      "refunds/create",
      refundPayload({
        id: input.id + 100_000,
        orderId: input.id,
        order: input,
        createdAt: new Date().toISOString(),
        refundLineItems: [
          { line_item_id: input.id * 10, quantity: 1, subtotal: "40.00" },
        ],
      }),
    );

  /** A code of this app's, so orders using it count as orders that used points. */
  async function mintPointsCode(customerId: number) {
    const member = await stack.db.prisma.member.findFirstOrThrow({
      where: { shop: rollupShop, customerId: String(customerId) },
    });
    await stack.db.prisma.redemption.create({
      data: {
        shop: rollupShop,
        memberId: member.id,
        // Settled already: the orders only need the code to be the app's.
        status: "RELEASED",
        points: 500,
        valueMinor: 500n,
        currency: "USD",
        code: pointsCodeName,
        idempotencyKey: "rollups-1",
        expiresAt: new Date(Date.now() + day),
      },
    });
  }

  /** The figures counted straight from the orders and members, as the dashboard once did. */
  async function recounted(days: number) {
    const from = new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
    from.setUTCDate(from.getUTCDate() - (days - 1));
    const buyers = await stack.db.sql.query<{
      member: boolean;
      buyers: number;
      repeat: number;
    }>(
      `SELECT m.id IS NOT NULL AS member, count(*)::int AS buyers,
         count(*) FILTER (WHERE b.orders > 1)::int AS repeat
       FROM (
         SELECT coalesce(o."customerId", 'guest:' || o."guestEmail") AS buyer, count(*) AS orders
         FROM "OrderRecord" o
         WHERE o.shop = $1 AND o."processedAt" >= $2 AND o."paidAt" IS NOT NULL
           AND o."cancelledAt" IS NULL AND o.reason IS DISTINCT FROM 'TEST_ORDER'
           AND (o."customerId" IS NOT NULL OR o."guestEmail" IS NOT NULL)
         GROUP BY 1
       ) b
       LEFT JOIN "Member" m ON m.shop = $1 AND m."customerId" = b.buyer AND m."redactedAt" IS NULL
       GROUP BY 1`,
      [rollupShop, from],
    );
    const [pointsOrders] = await stack.db.sql.query<{
      orders: number;
      revenue: number;
    }>(
      `SELECT count(*)::int AS orders, coalesce(sum("totalMinor"), 0)::int8 AS revenue
       FROM "OrderRecord"
       WHERE shop = $1 AND "processedAt" >= $2 AND "pointsDiscountMinor" > 0
         AND "paidAt" IS NOT NULL AND "cancelledAt" IS NULL`,
      [rollupShop, from],
    );
    const rate = (member: boolean) => {
      const row = buyers.find((entry) => entry.member === member);
      const count = row?.buyers ?? 0;
      const repeatBuyers = row?.repeat ?? 0;
      return {
        buyers: count,
        repeatBuyers,
        rateBasisPoints:
          count > 0 ? Math.floor((repeatBuyers * 10_000) / count) : null,
      };
    };
    return {
      repeatPurchase: { members: rate(true), nonMembers: rate(false) },
      pointsOrders: {
        orders: pointsOrders?.orders ?? 0,
        revenue: pointsOrders?.revenue ?? 0,
      },
    };
  }

  const rollupRows = () =>
    stack.db.sql.query(
      `SELECT buyer, member, "orderTimes", "lastAt", "previousAt" FROM "Buyer"
       WHERE shop = $1 AND (member OR cardinality("orderTimes") > 0) ORDER BY buyer`,
      [rollupShop],
    );
  const orderDays = () =>
    stack.db.sql.query(
      `SELECT day, sum("pointsOrders")::int AS orders, sum("pointsRevenue")::int8 AS revenue
       FROM "OrderDay" WHERE shop = $1 GROUP BY day
       HAVING sum("pointsOrders") <> 0 OR sum("pointsRevenue") <> 0 ORDER BY day`,
      [rollupShop],
    );

  it("give the figures a recount from the orders gives, whatever order the deliveries came in", async () => {
    // GIVEN a shop whose program was off for a while: its buyers then are not members
    await registerLocalShop({ shop: rollupShop, accessToken: "shpat_rollups" });
    await changeProgram({ enabled: false });
    const whileOff = [order(31, 300), order(31, 20)];
    for (const input of whileOff) await paidOrder(input);
    await changeProgram({
      enabled: true,
      programStartAt: new Date(Date.now() - 400 * day),
    });

    // WHEN members, guests and test orders pay, some twice, some cancelled or refunded before or
    // after their payment, a guest opens an account and two shoppers are redacted
    const first = order(11, 2);
    const regular = [
      first,
      order(11, 40, pointsCode),
      order(11, 100),
      order(11, 200),
    ];
    await paidOrder(first);
    await mintPointsCode(11);
    for (const input of regular) await paidOrder(input); // the first a second time, as Shopify may
    await paidOrder(order(11, 1, { test: true }));
    const cancelledLatest = order(12, 5, pointsCode);
    for (const input of [cancelledLatest, order(12, 6), order(12, 80)])
      await paidOrder(input);
    await cancelledOrder(cancelledLatest);
    const cancelledFirst = order(13, 3);
    await cancelledOrder(cancelledFirst);
    await paidOrder(cancelledFirst);
    await paidOrder(order(13, 20));
    const refundedFirst = order(14, 4, pointsCode);
    await refundedOrder(refundedFirst);
    await paidOrder(refundedFirst);
    const refundedLater = order(14, 9);
    await paidOrder(refundedLater);
    await refundedOrder(refundedLater);
    const grace = [
      order("grace@example.org", 10, pointsCode),
      order("grace@example.org", 50),
    ];
    for (const input of grace) await paidOrder(input);
    const ghostCancelled = order("ghost@example.org", 8);
    for (const input of [ghostCancelled, order("ghost@example.org", 60)])
      await paidOrder(input);
    const gone = [order("gone@example.org", 7), order("gone@example.org", 7)];
    for (const input of gone) await paidOrder(input);
    await cancelledOrder(ghostCancelled);
    await send(
      "customers/create",
      customerPayload({
        id: 15,
        email: "grace@example.org",
        first_name: "Grace",
        last_name: "H",
      }),
    );
    await paidOrder(order(15, 1));
    const redact = (id: number, email: string) =>
      send(
        "customers/redact",
        customersRedactPayload({
          shopId: 1,
          shopDomain: rollupShop,
          customer: { id, email },
        }),
      );
    await redact(14, "c14@example.org");
    await redact(99, "gone@example.org");
    // Grace's guest orders went to her account: her guest row is empty but keyed by her e-mail.
    await redact(15, "grace@example.org");

    // THEN every period's buyers and points orders equal a recount from the orders
    for (const days of [30, 90, 365] as const) {
      const figures = await stack.db.sql.transaction((tx) =>
        programDashboard(tx, rollupShop, { days, now: new Date() }),
      );
      const recount = await recounted(days);
      expect({
        repeatPurchase: figures?.repeatPurchase,
        pointsOrders: {
          orders: figures?.pointsOrders.orders,
          revenue: figures?.pointsOrders.revenue.minor,
        },
      }).toEqual(recount);
    }
    const year = await recounted(365);
    expect(year.repeatPurchase.members.buyers).toBeGreaterThan(2);
    expect(year.repeatPurchase.nonMembers.repeatBuyers).toBeGreaterThan(0);
    expect(year.pointsOrders.orders).toBeGreaterThan(1);

    // AND no rollup row keeps a redacted e-mail (a rebuild would hide an emptied one)
    const keys = await stack.db.sql.query<{ buyer: string }>(
      `SELECT buyer FROM "Buyer" WHERE shop = $1`,
      [rollupShop],
    );
    expect(keys.filter(({ buyer }) => /grace@|gone@/.test(buyer))).toEqual([]);

    // AND the rollups kept with the writes equal those rebuilt from the orders and members
    const kept = { buyers: await rollupRows(), days: await orderDays() };
    await stack.db.sql.transaction((tx) => rebuildOrderRollups(tx, rollupShop));
    expect({ buyers: await rollupRows(), days: await orderDays() }).toEqual(
      kept,
    );
    expect(JSON.stringify(kept)).not.toContain("gone@example.org");
  });
});
