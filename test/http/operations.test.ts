import { describe, expect, it } from "vitest";
import { runOutboxOnce } from "~/services/outbox-worker.server";
import { programConfig, saveProgramConfig } from "~/services/program.server";
import { registerLocalShop } from "../../scripts/lib/register-shop";
import { orderPayload } from "../../simulator/webhooks";
import { adminRequest } from "../support/admin";
import { useTestStack } from "../support/stack";
import { sendWebhook } from "../support/webhooks";

const stack = useTestStack();
const shop = "operations.myshopify.com";
const route = { path: "/app/activity", id: "routes/app.activity" };
const customer = { id: 8001, email: "kai@example.org" };
const order = (id: number) => ({
  id,
  currency: "USD",
  customer,
  lines: [{ id: id * 10, price: "40.00", quantity: 1 }],
  createdAt: new Date(Date.now() - 3_600_000).toISOString(),
});

describe("operations on the activity page", () => {
  it("shows each topic's last delivery, and reconciles recent orders on request in the background", async () => {
    // GIVEN a shop whose program is on, one order delivered and one whose webhook never came
    await registerLocalShop({ shop, accessToken: "shpat_operations" });
    await stack.db.sql.transaction(async (tx) => {
      const config = await programConfig(tx, shop);
      if (!config) throw new Error("no program");
      await saveProgramConfig(tx, shop, {
        ...config,
        enabled: true,
        programStartAt: new Date("2025-01-01T00:00:00Z"),
      });
    });
    stack.simulator.addCustomer(shop, {
      id: customer.id,
      email: customer.email,
    });
    stack.simulator.addOrder(shop, order(601));
    stack.simulator.addOrder(shop, order(602));
    const delivered = await sendWebhook(
      stack.app,
      shop,
      "orders/paid",
      orderPayload(order(601)),
    );
    expect(delivered.status).toBe(200);

    // WHEN the merchant opens the page
    const page = await (await adminRequest(stack.app, shop, route)).json();

    // THEN orders/paid has a last delivery and the other topics none yet
    const topics = Object.fromEntries(
      page.webhooks.map(
        (webhook: { topic: string; receivedAt: string | null }) => [
          webhook.topic,
          webhook.receivedAt,
        ],
      ),
    );
    expect(topics.ORDERS_PAID).toEqual(expect.any(String));
    expect(topics.REFUNDS_CREATE).toBeNull();
    expect(page.reconciliation).toBeNull();

    // WHEN they ask for a reconciliation, it is queued, not run inside the request
    const asked = await adminRequest(stack.app, shop, route, {
      method: "POST",
      form: { intent: "reconcile" },
    });
    expect(await asked.json()).toEqual({ reconciliationRequested: true });
    const queued = await (await adminRequest(stack.app, shop, route)).json();
    expect(queued.reconciliation).toMatchObject({ status: "PENDING" });

    // AND once a worker runs it, the missed order has earned
    const { unauthenticated } = await import("~/shopify.server");
    const { appOutboxHandlers } = await import("~/jobs.server");
    await runOutboxOnce({
      sql: stack.db.sql,
      adminFor: async (name) => (await unauthenticated.admin(name)).admin,
      handlers: appOutboxHandlers,
      workerId: "operations-test",
    });
    const done = await (await adminRequest(stack.app, shop, route)).json();
    expect(done.reconciliation).toMatchObject({
      status: "DONE",
      lastError: null,
    });
    const missed = await stack.db.sql.query<{ outcome: string }>(
      `SELECT outcome FROM "OrderRecord" WHERE shop = $1 AND "orderId" = '602'`,
      [shop],
    );
    expect(missed).toEqual([{ outcome: "EARNED" }]);
  });
});
