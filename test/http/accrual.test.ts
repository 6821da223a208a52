import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProgramConfig } from "~/loyalty/program";
import { orderPayloadSchema, toPaidOrder } from "~/shopify/order-payload";
import { replayDeadLetters } from "~/services/dead-letters.server";
import {
  cachedMemberState,
  rebuildMemberState,
} from "~/services/ledger.server";
import {
  ensureShop,
  programConfig,
  saveProgramConfig,
} from "~/services/program.server";
import { recordPaidOrder } from "~/services/accrual.server";
import { holdPoints, settleRedemption } from "~/services/redemptions.server";
import { settleDueLots } from "~/services/settlement.server";
import {
  customerPayload,
  orderPayload,
  refundPayload,
  type OrderPayloadInput,
} from "../../simulator/webhooks";
import { startTestApp, type RunningApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { sendWebhook } from "../support/webhooks";

let db: TestDatabase;
let app: RunningApp;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startTestApp({ database: db });
});
afterAll(async () => {
  await app?.close();
  await db?.destroy();
});

const day = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * day).toISOString();
let shopSeq = 0;

/** A shop of its own for each test, with the program switched on from 2025. */
async function openShop(
  overrides: Partial<ProgramConfig> = {},
  currency = "USD",
): Promise<string> {
  const shop = `accrual-${++shopSeq}.myshopify.com`;
  await db.sql.transaction(async (tx) => {
    await ensureShop(tx, { shop, currency });
    const config = await programConfig(tx, shop);
    if (!config) throw new Error("no program");
    await saveProgramConfig(tx, shop, {
      ...config,
      enabled: true,
      programStartAt: new Date("2025-01-01T00:00:00Z"),
      ...overrides,
    });
  });
  return shop;
}

async function changeProgram(
  shop: string,
  change: (config: ProgramConfig) => ProgramConfig,
) {
  await db.sql.transaction(async (tx) => {
    const config = await programConfig(tx, shop);
    if (!config) throw new Error("no program");
    await saveProgramConfig(tx, shop, change(config));
  });
}

const ada = {
  id: 501,
  email: "ada@example.org",
  first_name: "Ada",
  last_name: "Lovelace",
};

function order(
  id: number,
  input: Partial<OrderPayloadInput> = {},
): OrderPayloadInput {
  return {
    id,
    currency: "USD",
    customer: ada,
    lines: [
      { id: id * 10 + 1, price: "19.99", quantity: 2 },
      { id: id * 10 + 2, price: "5.00", quantity: 1 },
    ],
    shipping: "7.00",
    taxes: "3.20",
    createdAt: daysAgo(1),
    ...input,
  };
}

const paid = (shop: string, input: OrderPayloadInput, options = {}) =>
  sendWebhook(app, shop, "orders/paid", orderPayload(input), options);
const cancelled = (shop: string, input: OrderPayloadInput) =>
  sendWebhook(
    app,
    shop,
    "orders/cancelled",
    orderPayload({ ...input, cancelledAt: daysAgo(0) }),
  );
const refunded = (shop: string, refund: Parameters<typeof refundPayload>[0]) =>
  sendWebhook(app, shop, "refunds/create", refundPayload(refund));

async function memberOf(shop: string, customerId = ada.id) {
  return db.prisma.member.findUniqueOrThrow({
    where: { shop_customerId: { shop, customerId: String(customerId) } },
  });
}

async function balances(shop: string, customerId = ada.id) {
  const member = await memberOf(shop, customerId);
  const ref = { shop, memberId: member.id };
  const [cached, rebuilt] = await Promise.all([
    db.sql.transaction((tx) => cachedMemberState(tx, ref)),
    db.sql.transaction((tx) => rebuildMemberState(tx, ref)),
  ]);
  expect(cached.balances).toEqual(rebuilt.balances);
  return cached.balances;
}

const entries = (shop: string) =>
  db.prisma.ledgerEntry.findMany({ where: { shop }, orderBy: { id: "asc" } });
const orderRecord = (shop: string, orderId: number) =>
  db.prisma.orderRecord.findUniqueOrThrow({
    where: { shop_orderId: { shop, orderId: String(orderId) } },
  });

describe("orders/paid", () => {
  it("earns by the shop's rule on the subtotal after discounts, without shipping and tax, with a snapshot", async () => {
    const shop = await openShop();
    const response = await paid(shop, order(1001));
    expect(response.status).toBe(200);
    const [entry] = await entries(shop);
    // 2 × 19.99 + 5.00 = 44.98 → 44 points at 1 point per 1.00, rounded down.
    expect(entry).toMatchObject({
      kind: "EARN",
      idempotencyKey: "order:1001:earn",
      points: 44,
      orderId: "1001",
    });
    expect(entry?.snapshot).toMatchObject({
      baseMinor: 4498,
      points: 44,
      rule: { points: 1, perAmountMinor: 100 },
    });
    expect(await balances(shop)).toEqual({
      available: 44,
      pending: 0,
      held: 0,
      lifetimeEarned: 44,
    });
    expect(await memberOf(shop)).toMatchObject({
      email: ada.email,
      firstName: "Ada",
    });
  });

  it("reads the shop-currency side of money sets, never what the buyer saw in their currency", async () => {
    const shop = await openShop();
    // The buyer paid in EUR at 0.8 per USD: presentment amounts are smaller, shop amounts are USD.
    await paid(
      shop,
      order(1002, {
        presentmentCurrency: "EUR",
        exchangeRate: 0.8,
        lines: [{ id: 1, price: "50.00", quantity: 1 }],
      }),
    );
    const [entry] = await entries(shop);
    expect(entry?.points).toBe(50);
    expect(entry?.snapshot).toMatchObject({ currency: "USD", baseMinor: 5000 });
  });

  it("never earns on this app's points discount, whatever the discount setting", async () => {
    const shop = await openShop();
    const member = await db.prisma.member.create({
      data: { shop, customerId: String(ada.id) },
    });
    await db.prisma.redemption.create({
      data: {
        shop,
        memberId: member.id,
        // Settled already, so the orders below only test what is earned on, not the posting.
        status: "RELEASED",
        points: 1000,
        valueMinor: 1000n,
        currency: "USD",
        code: "LOYALTY-7Q2X",
        idempotencyKey: "checkout-1",
        expiresAt: new Date(Date.now() + day),
      },
    });
    const withCodes = (id: number) =>
      order(id, {
        lines: [{ id: id * 10, price: "100.00", quantity: 1 }],
        discountCodes: [
          { code: "loyalty-7q2x", amount: "10.00" },
          { code: "SUMMER", amount: "5.00" },
        ],
      });
    await paid(shop, withCodes(1003));
    await changeProgram(shop, (config) => ({
      ...config,
      earn: { ...config.earn, applyOrderDiscounts: false },
    }));
    await paid(shop, withCodes(1004));
    const [after, before] = await entries(shop);
    expect(after?.snapshot).toMatchObject({ baseMinor: 8500 }); // 100 − 5 shop discount − 10 points discount
    expect(before?.snapshot).toMatchObject({ baseMinor: 9000 }); // the shop discount ignored, the points discount still not earned on
  });

  it("leaves gift cards out of the base by default", async () => {
    const shop = await openShop();
    await paid(
      shop,
      order(1005, {
        lines: [
          { id: 1, price: "50.00", quantity: 1, gift_card: true },
          { id: 2, price: "20.00", quantity: 1 },
        ],
      }),
    );
    expect((await entries(shop))[0]?.points).toBe(20);
  });

  it.each([
    ["a test order", "TEST_ORDER", {}, { test: true }],
    [
      "an order while the program is off",
      "PROGRAM_OFF",
      { enabled: false },
      {},
    ],
    [
      "an order older than the program",
      "BEFORE_PROGRAM_START",
      { programStartAt: new Date(Date.now() - 2 * day) },
      { createdAt: daysAgo(3) },
    ],
  ] as const)(
    "ignores %s, and records why",
    async (_, reason, config, input) => {
      const shop = await openShop(config);
      const response = await paid(shop, order(1006, input));
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toEqual({ status: "ignored", reason });
      expect(await entries(shop)).toEqual([]);
      expect(await orderRecord(shop, 1006)).toMatchObject({
        outcome: "IGNORED",
        reason,
      });
    },
  );

  it("keeps a guest order, and grants its points when the buyer opens an account with that e-mail", async () => {
    const shop = await openShop();
    const guest = order(1007, { customer: null, email: "Grace@Example.org" });
    expect(JSON.parse((await paid(shop, guest)).body)).toEqual({
      status: "ignored",
      reason: "GUEST",
    });
    expect(await orderRecord(shop, 1007)).toMatchObject({
      reason: "GUEST",
      guestEmail: "grace@example.org",
      points: 44,
    });

    const grace = {
      id: 777,
      email: "grace@example.org",
      first_name: "Grace",
      last_name: "Hopper",
    };
    expect(
      (await sendWebhook(app, shop, "customers/create", customerPayload(grace)))
        .status,
    ).toBe(200);
    expect(await balances(shop, 777)).toMatchObject({
      available: 44,
      lifetimeEarned: 44,
    });
    expect(await orderRecord(shop, 1007)).toMatchObject({
      outcome: "EARNED",
      guestEmail: null,
      customerId: "777",
    });
  });

  it("does not keep guest orders when the shop turned matching off", async () => {
    const shop = await openShop({ guestOrderMatching: false });
    await paid(
      shop,
      order(1008, { customer: null, email: "someone@example.org" }),
    );
    expect(await orderRecord(shop, 1008)).toMatchObject({
      reason: "GUEST",
      guestEmail: null,
    });
  });
});

describe("the pending period", () => {
  it("keeps points pending until it passes, then the scheduled job makes them available once", async () => {
    const shop = await openShop({ pendingDays: 14 });
    await paid(shop, order(2001, { createdAt: daysAgo(1) }));
    expect(await balances(shop)).toEqual({
      available: 0,
      pending: 44,
      held: 0,
      lifetimeEarned: 0,
    });

    expect(await settleDueLots(db.sql, new Date(), { shop })).toEqual({
      members: 0,
      entries: 0,
    });
    // A run after downtime catches up on everything due by then.
    const later = new Date(Date.now() + 20 * day);
    expect(await settleDueLots(db.sql, later, { shop })).toEqual({
      members: 1,
      entries: 1,
    });
    expect(await settleDueLots(db.sql, later, { shop })).toEqual({
      members: 0,
      entries: 0,
    });
    expect(await balances(shop)).toEqual({
      available: 44,
      pending: 0,
      held: 0,
      lifetimeEarned: 44,
    });
  });
});

describe("what an earn settles", () => {
  // The earn path reads only the lots due at its time, however many the member holds: a later
  // order must still mature and expire exactly what fell due, and leave every other lot alone.
  // The app's clock cannot be moved over HTTP, so the later orders go to the accrual service with
  // their time: placed the day before `inDays`, paid on that day.
  const paidInDays = (shop: string, orderId: number, inDays: number) =>
    db.sql.transaction((tx) =>
      recordPaidOrder(
        tx,
        shop,
        toPaidOrder(
          orderPayloadSchema.parse(
            orderPayload(order(orderId, { createdAt: daysAgo(1 - inDays) })),
          ),
          () => false,
        ),
        { now: new Date(Date.now() + inDays * day) },
      ),
    );

  it("matures and expires the lots due when a later order earns, and nothing else", async () => {
    const shop = await openShop({ pendingDays: 14, expiryDays: 30 });
    await paid(shop, order(2101, { createdAt: daysAgo(1) }));
    await paid(shop, order(2102, { createdAt: daysAgo(1) }));

    // Twenty days on, the first two are due to mature; the new order's own points stay pending.
    await paidInDays(shop, 2103, 20);
    expect(await balances(shop)).toEqual({
      available: 88,
      pending: 44,
      held: 0,
      lifetimeEarned: 88,
    });

    // Forty days on, those two have expired and the third has matured.
    await paidInDays(shop, 2104, 40);
    expect(await balances(shop)).toEqual({
      available: 44,
      pending: 44,
      held: 0,
      lifetimeEarned: 132,
    });
    const settled = (await entries(shop))
      .filter((entry) => entry.kind === "MATURATION" || entry.kind === "EXPIRY")
      .map((entry) => entry.idempotencyKey)
      .sort();
    expect(settled).toEqual([
      "lot:order:2101:earn:expire",
      "lot:order:2101:earn:mature",
      "lot:order:2102:earn:expire",
      "lot:order:2102:earn:mature",
      "lot:order:2103:earn:mature",
    ]);
  });
});

describe("orders/cancelled", () => {
  it("takes back what the order still holds", async () => {
    const shop = await openShop();
    await paid(shop, order(3001));
    expect((await cancelled(shop, order(3001))).status).toBe(200);
    const reversal = (await entries(shop)).find(
      (entry) => entry.kind === "EARN_REVERSAL",
    );
    expect(reversal).toMatchObject({
      idempotencyKey: "order:3001:cancel",
      points: -44,
    });
    expect(await balances(shop)).toEqual({
      available: 0,
      pending: 0,
      held: 0,
      lifetimeEarned: 0,
    });
  });

  it("takes pending points back from pending", async () => {
    const shop = await openShop({ pendingDays: 30 });
    await paid(shop, order(3002));
    await cancelled(shop, order(3002));
    expect(await balances(shop)).toEqual({
      available: 0,
      pending: 0,
      held: 0,
      lifetimeEarned: 0,
    });
  });
});

describe("refunds/create", () => {
  const twoLines = (id: number) =>
    order(id, {
      lines: [
        { id: 11, price: "10.00", quantity: 3 },
        { id: 12, price: "25.99", quantity: 1 },
      ],
      shipping: "5.00",
    });

  it("claws back the refunded share by the rule in force when the points were earned", async () => {
    const shop = await openShop();
    await paid(shop, twoLines(4001)); // base 55.99 → 55 points
    await refunded(shop, {
      id: 41,
      orderId: 4001,
      refundLineItems: [{ line_item_id: 11, quantity: 1, subtotal: "10.00" }],
    });
    // 45.99 of the base remains → 45 points: 10 back.
    expect((await entries(shop)).at(-1)).toMatchObject({
      idempotencyKey: "refund:41",
      points: -10,
      refundId: "41",
    });

    // Today's rule is more generous; the clawback still follows the rule of the earn.
    await changeProgram(shop, (config) => ({
      ...config,
      earn: { ...config.earn, points: 5 },
    }));
    await refunded(shop, {
      id: 42,
      orderId: 4001,
      refundLineItems: [
        { line_item_id: 11, quantity: 2, subtotal: "20.00" },
        { line_item_id: 12, quantity: 1, subtotal: "25.99" },
      ],
    });
    expect((await entries(shop)).at(-1)).toMatchObject({
      idempotencyKey: "refund:42",
      points: -45,
    });
    expect(await balances(shop)).toEqual({
      available: 0,
      pending: 0,
      held: 0,
      lifetimeEarned: 0,
    });
  });

  it.each([
    [
      "a restock without money back",
      {
        restockOnly: true,
        refundLineItems: [{ line_item_id: 11, quantity: 1, subtotal: "10.00" }],
      },
    ],
    ["a shipping-only refund", { shipping: "5.00", refundLineItems: [] }],
  ])("claws back nothing for %s", async (_, refund) => {
    const shop = await openShop();
    await paid(shop, twoLines(4002));
    expect(
      (await refunded(shop, { id: 43, orderId: 4002, ...refund })).status,
    ).toBe(200);
    expect((await entries(shop)).map((entry) => entry.kind)).toEqual(["EARN"]);
    expect(await balances(shop)).toMatchObject({ available: 55 });
  });

  it.each([
    ["ALLOW_NEGATIVE", -80, undefined],
    ["STOP_AT_ZERO", 0, 80],
  ] as const)(
    "after the points were spent, follows the %s policy",
    async (policy, available, uncollected) => {
      const shop = await openShop({ negativeBalancePolicy: policy });
      await paid(
        shop,
        order(4003, { lines: [{ id: 31, price: "100.00", quantity: 1 }] }),
      );
      const member = await memberOf(shop);
      const now = new Date();
      const hold = await db.sql.transaction((tx) =>
        holdPoints(
          tx,
          { shop, memberId: member.id },
          {
            idempotencyKey: "spend",
            points: 80,
            valueMinor: 80,
            currency: "USD",
            expiresAt: now,
            now,
          },
        ),
      );
      if (!hold.ok) throw new Error("hold failed");
      await db.sql.transaction((tx) =>
        settleRedemption(tx, shop, hold.redemptionId, "POST", now),
      );

      await refunded(shop, {
        id: 44,
        orderId: 4003,
        refundLineItems: [
          { line_item_id: 31, quantity: 1, subtotal: "100.00" },
        ],
      });
      expect(await balances(shop)).toMatchObject({ available, held: 0 });
      const clawback = (await entries(shop)).at(-1);
      expect(clawback).toMatchObject({
        idempotencyKey: "refund:44",
        kind: "EARN_REVERSAL",
      });
      expect((clawback?.detail as { uncollected?: number }).uncollected).toBe(
        uncollected,
      );
    },
  );
});

describe("late, repeated and out-of-order deliveries", () => {
  /** The order's entries without what differs between runs (ids, times). */
  const shapeOf = async (shop: string) =>
    (await entries(shop)).map((entry) => ({
      kind: entry.kind,
      key: entry.idempotencyKey,
      points: entry.points,
      available: entry.deltaAvailable,
      lifetime: entry.deltaLifetimeEarned,
    }));
  const refundOf = (id: number) => ({
    id: 51,
    orderId: id,
    refundLineItems: [
      { line_item_id: id * 10 + 1, quantity: 1, subtotal: "19.99" },
    ],
  });

  it("a refund and a cancellation before the payment end in the same ledger as the natural order", async () => {
    const natural = await openShop();
    await paid(natural, order(5001));
    await refunded(natural, refundOf(5001));
    await cancelled(natural, order(5001));

    const shuffled = await openShop();
    await cancelled(shuffled, order(5001));
    await refunded(shuffled, refundOf(5001));
    expect(await entries(shuffled)).toEqual([]);
    await paid(shuffled, order(5001));

    expect(await shapeOf(shuffled)).toEqual(await shapeOf(natural));
    expect(await balances(shuffled)).toEqual(await balances(natural));
    expect((await shapeOf(natural)).map((entry) => entry.points)).toEqual([
      44, -20, -24,
    ]);
  });

  it("a retry, a second subscription and a late re-send of the same order each change nothing", async () => {
    const shop = await openShop();
    const first = await paid(shop, order(5002), {
      webhookId: "w-1",
      eventId: "e-1",
    });
    const retry = await paid(shop, order(5002), {
      webhookId: "w-1",
      eventId: "e-1",
    });
    const secondSubscription = await paid(shop, order(5002), {
      webhookId: "w-2",
      eventId: "e-1",
    });
    const lateResend = await paid(shop, order(5002), {
      webhookId: "w-3",
      eventId: "e-3",
    });
    expect(
      [first, retry, secondSubscription, lateResend].map(
        (response) => response.status,
      ),
    ).toEqual([200, 200, 200, 200]);
    expect(JSON.parse(retry.body)).toEqual({ status: "duplicate" });
    expect(JSON.parse(secondSubscription.body)).toEqual({
      status: "duplicate",
    });
    expect(JSON.parse(lateResend.body)).toEqual({
      status: "ignored",
      reason: "ALREADY_RECORDED",
    });
    expect(await entries(shop)).toHaveLength(1);
  });

  it("orders of one customer paid at the same moment, some with a discount code, each earn, and the balance is their sum", async () => {
    const shop = await openShop();
    const orders = Array.from({ length: 24 }, (_, index) =>
      order(70_000 + index, {
        lines: [{ id: 1, price: "10.00", quantity: 1 }],
        shipping: undefined,
        discountCodes:
          index % 3 === 0 ? [{ code: "SUMMER1", amount: "1.00" }] : [],
      }),
    );
    const responses = await Promise.all(
      orders.map((input) => paid(shop, input)),
    );
    expect(responses.map((response) => response.status)).toEqual(
      orders.map(() => 200),
    );
    // 16 orders earn 10 points and the 8 with the code 9: written from one member row, a
    // balance computed from a stale read would lose some of them.
    expect(await entries(shop)).toHaveLength(24);
    expect(await balances(shop)).toMatchObject({
      available: 16 * 10 + 8 * 9,
      lifetimeEarned: 16 * 10 + 8 * 9,
    });
  });

  it("a duplicate storm — 1,000 orders each delivered 3 times at once — ends with exactly one earn per order", async () => {
    const shop = await openShop();
    const customers = Array.from({ length: 50 }, (_, index) => ({
      id: 9000 + index,
      email: `c${index}@example.org`,
    }));
    const deliveries = Array.from({ length: 1000 }, (_, index) => {
      const input = order(60_000 + index, {
        customer: customers[index % customers.length],
        lines: [{ id: 1, price: "12.00", quantity: 1 }],
      });
      return [
        { input, webhookId: `storm-${index}`, eventId: `event-${index}` },
        { input, webhookId: `storm-${index}`, eventId: `event-${index}` },
        {
          input,
          webhookId: `storm-${index}-second`,
          eventId: `event-${index}`,
        },
      ];
    }).flat();
    const statuses: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 24 }, async () => {
        while (next < deliveries.length) {
          const delivery = deliveries[next++];
          if (!delivery) break;
          const response = await paid(shop, delivery.input, {
            webhookId: delivery.webhookId,
            eventId: delivery.eventId,
          });
          statuses.push(response.status);
        }
      }),
    );
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    const earns = await db.prisma.ledgerEntry.groupBy({
      by: ["orderId"],
      where: { shop, kind: "EARN" },
      _count: true,
    });
    expect(earns).toHaveLength(1000);
    expect(earns.every((group) => group._count === 1)).toBe(true);
    const total = await db.prisma.member.aggregate({
      where: { shop },
      _sum: { available: true },
    });
    expect(total._sum.available).toBe(12_000);
  }, 180_000);
});

describe("customers/create and customers/update", () => {
  it("makes a member, gives the signup bonus once, and keeps the profile current", async () => {
    const shop = await openShop({ signupBonusPoints: 50 });
    const created = customerPayload({
      id: 888,
      email: "lin@example.org",
      first_name: "Lin",
      last_name: "Chen",
    });
    await sendWebhook(app, shop, "customers/create", created);
    await sendWebhook(app, shop, "customers/create", created); // Shopify may report it twice
    expect(await balances(shop, 888)).toMatchObject({
      available: 50,
      lifetimeEarned: 50,
    });
    expect(await db.prisma.ledgerEntry.count({ where: { shop } })).toBe(1);

    await sendWebhook(
      app,
      shop,
      "customers/update",
      customerPayload({
        id: 888,
        email: "lin.chen@example.org",
        first_name: "Lin",
        last_name: "Chen",
      }),
    );
    expect(await memberOf(shop, 888)).toMatchObject({
      email: "lin.chen@example.org",
    });
  });
});

describe("malformed and hostile deliveries", () => {
  it.each([
    ["missing fields", () => JSON.stringify({ id: 1 })],
    [
      "wrong types",
      () =>
        JSON.stringify({ ...orderPayload(order(7001)), line_items: "many" }),
    ],
    ["not JSON", () => "{ this is not json"],
    ["deeply nested", () => "[".repeat(200_000) + "]".repeat(200_000)],
    [
      "an amount with too many decimals",
      () =>
        JSON.stringify(orderPayload(order(7002))).replaceAll(
          '"19.99"',
          '"19.999"',
        ),
    ],
  ])(
    "%s: 400, nothing applied, the raw delivery kept as a dead letter",
    async (_, body) => {
      const shop = await openShop();
      const rawBody = body();
      const response = await sendWebhook(app, shop, "orders/paid", undefined, {
        rawBody,
        webhookId: `bad-${shopSeq}`,
      });
      expect(response.status).toBe(400);
      expect(await entries(shop)).toEqual([]);
      expect(await db.prisma.deadLetter.findMany({ where: { shop } })).toEqual([
        expect.objectContaining({
          topic: "ORDERS_PAID",
          webhookId: `bad-${shopSeq}`,
          rawBody,
        }),
      ]);
      // Still serving.
      expect((await paid(shop, order(7003))).status).toBe(200);
    },
  );

  it("a huge body is refused before it is read whole, and nothing is kept", async () => {
    const shop = await openShop();
    const response = await sendWebhook(app, shop, "orders/paid", undefined, {
      rawBody: `{"pad":"${"x".repeat(6 * 1024 * 1024)}"}`,
    });
    expect(response.status).toBe(413);
    expect(await db.prisma.deadLetter.count({ where: { shop } })).toBe(0);
    expect((await paid(shop, order(7004))).status).toBe(200);
  });

  it("a forged delivery is not kept: only what Shopify signed is worth replaying", async () => {
    const shop = await openShop();
    const response = await sendWebhook(app, shop, "orders/paid", undefined, {
      rawBody: "{}",
      secret: "forged",
    });
    expect(response.status).toBe(401);
    expect(await db.prisma.deadLetter.count({ where: { shop } })).toBe(0);
  });

  it("a dead letter is replayed once the app can read it, and only once", async () => {
    const shop = await openShop();
    // As an earlier version of the app would have left it: a delivery it could not read then.
    await db.prisma.deadLetter.create({
      data: {
        shop,
        topic: "ORDERS_PAID",
        webhookId: "kept-1",
        rawBody: JSON.stringify(orderPayload(order(7005))),
        error: "old parser",
      },
    });
    expect(await replayDeadLetters(db, { shop })).toEqual({
      replayed: 1,
      stillFailing: 0,
    });
    expect(await replayDeadLetters(db, { shop })).toEqual({
      replayed: 0,
      stillFailing: 0,
    });
    expect((await entries(shop)).map((entry) => entry.idempotencyKey)).toEqual([
      "order:7005:earn",
    ]);
  });
});
