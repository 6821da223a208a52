import { describe, expect, it } from "vitest";
import type { OrderInput } from "../../simulator/orders";
import { orderPayload } from "../../simulator/webhooks";
import { deliverPaidOrder } from "../support/orders";
import { shopperSummary } from "../support/shopper";
import { openProgramShop } from "../support/shops";
import { useTestStack } from "../support/stack";
import { sendWebhook } from "../support/webhooks";

// Challenges over signed webhooks: orders placed at chosen instants around a challenge's period,
// the bonus written once per period, and the shopper's progress read back from the shopper API.

const stack = useTestStack();
const day = 86_400_000;
let shopSeq = 0;
let idSeq = 90_000;
const start = new Date(Date.now() - 10 * day);

const openShop = () =>
  openProgramShop(stack, `challenges-${++shopSeq}.myshopify.com`, {
    change: (config) => ({
      ...config,
      growth: {
        ...config.growth,
        challenges: [
          {
            id: "two-orders",
            title: "Two orders this month",
            kind: "ORDER_COUNT",
            target: 2,
            bonusPoints: 100,
            startsAt: start,
            endsAt: new Date(start.getTime() + 30 * day),
            everyDays: null,
          },
          {
            id: "spend-50",
            title: "Spend 50.00 in a week",
            kind: "SPEND",
            target: 5_000,
            bonusPoints: 150,
            startsAt: start,
            endsAt: null,
            everyDays: 7,
          },
        ],
      },
    }),
  });

const buyer = { id: 4242, email: "ines@example.org" };

async function paid(shop: string, at: Date, price = "30.00") {
  const id = ++idSeq;
  const order: OrderInput = {
    id,
    currency: "USD",
    customer: buyer,
    lines: [{ id: id * 10, price, quantity: 1 }],
    createdAt: at.toISOString(),
  };
  await deliverPaidOrder(stack, shop, order);
  return order;
}

async function challenges(shop: string) {
  const body = await shopperSummary<{
    challenges: Array<{
      id: string;
      progress: number;
      target: number;
      completed: boolean;
    }>;
  }>(stack.app, { shop, customerId: buyer.id });
  return body.challenges.map(({ id, progress, target, completed }) => ({
    id,
    progress,
    target,
    completed,
  }));
}

const bonuses = (shop: string) =>
  stack.db.prisma.ledgerEntry.findMany({
    where: { shop, idempotencyKey: { startsWith: "challenge:" } },
    orderBy: { id: "asc" },
  });

describe("challenges", () => {
  it("count the orders and spend of the period, and pay each bonus once when the target is reached", async () => {
    const shop = await openShop();
    // Before the challenges started: counts for neither.
    await paid(shop, new Date(start.getTime() - day), "90.00");
    expect(await challenges(shop)).toEqual([
      { id: "two-orders", progress: 0, target: 2, completed: false },
      { id: "spend-50", progress: 0, target: 5_000, completed: false },
    ]);

    const weekStart = new Date(start.getTime() + 7 * day);
    await paid(shop, new Date(weekStart.getTime() + day));
    expect(await challenges(shop)).toEqual([
      { id: "two-orders", progress: 1, target: 2, completed: false },
      { id: "spend-50", progress: 3_000, target: 5_000, completed: false },
    ]);
    expect(await bonuses(shop)).toEqual([]);

    const second = await paid(shop, new Date(weekStart.getTime() + 2 * day));
    // Delivered twice, and a third order in the same periods: still one bonus each.
    await sendWebhook(stack.app, shop, "orders/paid", orderPayload(second));
    await paid(shop, new Date(weekStart.getTime() + 2 * day + 60_000));
    expect(await challenges(shop)).toEqual([
      { id: "two-orders", progress: 2, target: 2, completed: true },
      { id: "spend-50", progress: 5_000, target: 5_000, completed: true },
    ]);
    const paidBonuses = await bonuses(shop);
    expect(
      paidBonuses.map((entry) => [entry.points, entry.idempotencyKey]),
    ).toEqual([
      [
        100,
        expect.stringMatching(/^challenge:two-orders:[\w-]+:\d{8}T\d{6}Z$/),
      ],
      [150, expect.stringMatching(/^challenge:spend-50:[\w-]+:\d{8}T\d{6}Z$/)],
    ]);

    // A bonus stays once paid, even when an order that counted is cancelled.
    const cancelled = await sendWebhook(
      stack.app,
      shop,
      "orders/cancelled",
      orderPayload({
        ...second,
        cancelledAt: new Date().toISOString(),
        cancelReason: "customer",
      }),
    );
    expect(cancelled.status).toBe(200);
    expect(await bonuses(shop)).toHaveLength(2);
    const member = await stack.db.prisma.member.findUniqueOrThrow({
      where: { shop_customerId: { shop, customerId: String(buyer.id) } },
    });
    // 90 + 30 + 30 (cancelled, taken back) + 30 earned, 250 of bonuses.
    expect(member.available).toBe(90 + 30 + 30 + 250);
  });

  it("in a repeating challenge, the next period starts from nothing and pays again", async () => {
    const shop = await openShop();
    await paid(shop, new Date(start.getTime() + day), "60.00");
    await paid(shop, new Date(start.getTime() + 8 * day), "60.00");
    const spend = (await bonuses(shop)).filter((entry) =>
      entry.idempotencyKey.startsWith("challenge:spend-50:"),
    );
    expect(spend).toHaveLength(2);
    expect(new Set(spend.map((entry) => entry.idempotencyKey)).size).toBe(2);
  });
});
