import { describe, expect, it } from "vitest";
import { programConfig, saveProgramConfig } from "~/services/program.server";
import { rebuildLedgerDays } from "~/services/ledger-days.server";
import { registerLocalShop } from "../../scripts/lib/register-shop";
import { orderPayload, refundPayload } from "../../simulator/webhooks";
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
