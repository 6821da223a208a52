import { beforeAll, describe, expect, it } from "vitest";
import { programConfig, saveProgramConfig } from "~/services/program.server";
import { registerLocalShop } from "../../scripts/lib/register-shop";
import { orderPayload } from "../../simulator/webhooks";
import { adminRequest } from "../support/admin";
import { useTestStack } from "../support/stack";
import { sendWebhook } from "../support/webhooks";

const shop = "activity-shop.myshopify.com";
const otherShop = "other-activity-shop.myshopify.com";
const route = { path: "/app/activity", id: "routes/app.activity" };

const stack = useTestStack();

beforeAll(async () => {
  for (const name of [shop, otherShop]) {
    await registerLocalShop({ shop: name, accessToken: `shpat_${name}` });
  }
  await stack.db.sql.transaction(async (tx) => {
    const config = await programConfig(tx, shop);
    if (!config) throw new Error("no program");
    await saveProgramConfig(tx, shop, {
      ...config,
      enabled: true,
      programStartAt: new Date("2025-01-01"),
    });
  });
});

const customer = { id: 42, email: "mira@example.org" };
const order = (id: number, extra = {}) => ({
  id,
  currency: "USD",
  customer,
  lines: [{ id: id * 10, price: "30.00", quantity: 1 }],
  createdAt: new Date().toISOString(),
  ...extra,
});

describe("the activity page", () => {
  it("shows each order's outcome with the reason it earned nothing, and the dead letters", async () => {
    await sendWebhook(stack.app, shop, "orders/paid", orderPayload(order(101)));
    await sendWebhook(
      stack.app,
      shop,
      "orders/paid",
      orderPayload(order(102, { test: true })),
    );
    await sendWebhook(stack.app, shop, "orders/paid", undefined, {
      rawBody: '{"id": "broken"',
    });

    const response = await adminRequest(stack.app, shop, route);
    expect(response.status).toBe(200);
    const page = await response.json();
    expect(page.orders).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          orderId: "101",
          outcome: "EARNED",
          points: 30,
        }),
        expect.objectContaining({
          orderId: "102",
          outcome: "IGNORED",
          reason: "TEST_ORDER",
        }),
      ]),
    );
    expect(page.deadLetters).toEqual([
      expect.objectContaining({
        topic: "ORDERS_PAID",
        replayedAt: null,
        error: expect.stringContaining("not JSON"),
      }),
    ]);
  });

  it("replays dead letters from the page; one that still cannot be read stays", async () => {
    const replay = await adminRequest(stack.app, shop, route, {
      method: "POST",
      form: { intent: "replay-dead-letters" },
    });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({
      report: { replayed: 0, stillFailing: 1 },
    });

    const unknown = await adminRequest(stack.app, shop, route, {
      method: "POST",
      form: { intent: "drop-tables" },
    });
    expect(unknown.status).toBe(400);
  });

  it("shows a shop only its own activity", async () => {
    const page = await (await adminRequest(stack.app, otherShop, route)).json();
    expect(page).toMatchObject({
      orders: [],
      deadLetters: [],
      outbox: { dead: [] },
    });
  });

  it("refuses a request without a valid session token", async () => {
    const response = await fetch(
      `${stack.app.url}${route.path}?_data=${encodeURIComponent(route.id)}`,
      {
        headers: {
          Authorization: "Bearer not-a-token",
          "User-Agent": "Mozilla/5.0 Chrome/156.0",
        },
      },
    );
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(await response.text()).not.toContain("orderId");
  });
});

describe("updates to Shopify on the activity page", () => {
  const deadJob = async (onShop: string) => {
    const [row] = await stack.db.sql.query<{ id: number }>(
      `INSERT INTO "OutboxJob" (shop, kind, "coalesceKey", payload, status, attempts, "lastError", "doneAt")
       VALUES ($1, 'CUSTOMER_TAGS', 'tags:42', $2, 'DEAD', 8, 'Customer does not exist', now())
       RETURNING id`,
      [onShop, { customerId: "42", add: ["loyalty-tier:gold"], remove: [] }],
    );
    if (!row) throw new Error("no job");
    return row.id;
  };

  it("shows dead jobs with their error, and retries one of the shop's own", async () => {
    const id = await deadJob(shop);
    const page = await (await adminRequest(stack.app, shop, route)).json();
    expect(page.outbox.counts.DEAD).toBe(1);
    expect(page.outbox.dead).toEqual([
      expect.objectContaining({
        id,
        kind: "CUSTOMER_TAGS",
        lastError: "Customer does not exist",
      }),
    ]);

    const retried = await adminRequest(stack.app, shop, route, {
      method: "POST",
      form: { intent: "retry-job", jobId: String(id) },
    });
    expect(await retried.json()).toEqual({ retried: id });
    const [job] = await stack.db.sql.query<{
      status: string;
      attempts: number;
    }>(`SELECT status, attempts FROM "OutboxJob" WHERE id = $1`, [id]);
    expect(job).toEqual({ status: "PENDING", attempts: 0 });
  });

  it("never retries another shop's job", async () => {
    const id = await deadJob(otherShop);
    const response = await adminRequest(stack.app, shop, route, {
      method: "POST",
      form: { intent: "retry-job", jobId: String(id) },
    });
    expect(response.status).toBe(409);
    const [job] = await stack.db.sql.query<{ status: string }>(
      `SELECT status FROM "OutboxJob" WHERE id = $1`,
      [id],
    );
    expect(job?.status).toBe("DEAD");
  });
});
