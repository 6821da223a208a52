import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tierStanding } from "~/loyalty/tiers";
import { memberMetafieldsPayload } from "~/services/member-metafields.server";
import { outboxHandlers, runOutboxOnce } from "~/services/outbox-worker.server";
import { programConfig, saveProgramConfig } from "~/services/program.server";
import { registerLocalShop } from "../../scripts/lib/register-shop";
import type { OrderInput } from "../../simulator/orders";
import { startShopifySimulator, type Simulator } from "../../simulator/server";
import { orderPayload, refundPayload } from "../../simulator/webhooks";
import { startTestApp, type RunningApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { sendWebhook } from "../support/webhooks";

// The member's loyalty metafields end to end: signed webhooks into the built app, the outbox
// drained into the simulator as the worker would, and what Shopify then holds for the customer.

let db: TestDatabase;
let simulator: Simulator;
let app: RunningApp;
let shopSeq = 0;

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

// `$app:loyalty` as the simulator resolves it for the test app.
const NAMESPACE = "app--1--loyalty";
const customer = { id: 8101, email: "mira@example.org" };
const customerGid = `gid://shopify/Customer/${customer.id}`;

/** A registered shop, program on, tiers Bronze 0 / Silver 500 / Gold 1,500, and the customer. */
async function openShop() {
  const shop = `metafields-${++shopSeq}.myshopify.com`;
  await registerLocalShop({ shop, accessToken: `shpat_metafields_${shopSeq}` });
  await db.sql.transaction(async (tx) => {
    const config = await programConfig(tx, shop);
    if (!config) throw new Error("no program");
    await saveProgramConfig(tx, shop, {
      ...config,
      enabled: true,
      programStartAt: new Date("2025-01-01T00:00:00Z"),
    });
  });
  simulator.addCustomer(shop, { id: customer.id, email: customer.email });
  return shop;
}

let orderSeq = 5000;
/** One order of the customer, 1 point per unit of `prices`. */
function order(...prices: string[]): OrderInput {
  const id = ++orderSeq;
  return {
    id,
    currency: "USD",
    customer,
    lines: prices.map((price, index) => ({
      id: id * 10 + index,
      price,
      quantity: 1,
    })),
    createdAt: new Date().toISOString(),
  };
}
const paid = (shop: string, input: OrderInput) =>
  sendWebhook(app, shop, "orders/paid", orderPayload(input));

async function drainOutbox() {
  const { unauthenticated } = await import("~/shopify.server");
  return runOutboxOnce({
    sql: db.sql,
    adminFor: async (shop) => (await unauthenticated.admin(shop)).admin,
    handlers: outboxHandlers,
    workerId: "metafields-test",
  });
}

/** The customer's app-owned loyalty metafields at Shopify, as `key: [type, value]`. */
function metafieldsAtShopify(shop: string) {
  return Object.fromEntries(
    [...simulator.state.require(shop).metafields.values()]
      .filter(
        (record) =>
          record.ownerId === customerGid && record.namespace === NAMESPACE,
      )
      .map((record) => [record.key, [record.type, record.value]]),
  );
}

const jobs = (shop: string) =>
  db.sql.query<{ status: string; payload: unknown }>(
    `SELECT status, payload FROM "OutboxJob"
     WHERE shop = $1 AND kind = 'MEMBER_METAFIELDS' ORDER BY id`,
    [shop],
  );

const callsOf = (shop: string, operationName: string) =>
  simulator.calls.filter(
    (call) => call.shop === shop && call.operationName === operationName,
  );

describe("member metafields", () => {
  it("show the tier, the available points and the points to the next tier after each change", async () => {
    const shop = await openShop();

    await paid(shop, order("120.00"));
    expect(await drainOutbox()).toMatchObject({ dead: 0, retrying: 0 });
    expect(metafieldsAtShopify(shop)).toEqual({
      tier: ["single_line_text_field", "Bronze"],
      available_points: ["number_integer", "120"],
      points_to_next_tier: ["number_integer", "380"],
    });

    // A partial refund takes points back: the balance and the distance to Silver follow.
    const refunded = order("200.00", "100.00");
    await paid(shop, refunded);
    await sendWebhook(
      app,
      shop,
      "refunds/create",
      refundPayload({
        id: 95_001,
        orderId: refunded.id,
        currency: "USD",
        createdAt: new Date().toISOString(),
        refundLineItems: [
          {
            line_item_id: refunded.id * 10 + 1,
            quantity: 1,
            subtotal: "100.00",
          },
        ],
      }),
    );
    await drainOutbox();
    expect(metafieldsAtShopify(shop)).toEqual({
      tier: ["single_line_text_field", "Bronze"],
      available_points: ["number_integer", "320"],
      points_to_next_tier: ["number_integer", "180"],
    });

    // Into Silver: the tier's name, and Gold's distance.
    const cancelledLater = order("250.00");
    await paid(shop, cancelledLater);
    await drainOutbox();
    expect(metafieldsAtShopify(shop)).toEqual({
      tier: ["single_line_text_field", "Silver"],
      available_points: ["number_integer", "570"],
      points_to_next_tier: ["number_integer", "930"],
    });

    // A cancellation takes the order's points back; Silver stays through its grace period.
    await sendWebhook(
      app,
      shop,
      "orders/cancelled",
      orderPayload({
        ...cancelledLater,
        cancelledAt: new Date().toISOString(),
      }),
    );
    await drainOutbox();
    expect(metafieldsAtShopify(shop)).toEqual({
      tier: ["single_line_text_field", "Silver"],
      available_points: ["number_integer", "320"],
      points_to_next_tier: ["number_integer", "1180"],
    });

    // At the top tier there is no next one: the metafield goes rather than showing a stale figure.
    await paid(shop, order("1300.00"));
    await drainOutbox();
    expect(metafieldsAtShopify(shop)).toEqual({
      tier: ["single_line_text_field", "Gold"],
      available_points: ["number_integer", "1620"],
    });
    expect(callsOf(shop, "LoyaltyMetafieldsDelete")).toHaveLength(1);
  });

  it("sends only the latest state when several orders come before the worker runs", async () => {
    const shop = await openShop();
    for (const price of ["10.00", "20.00", "30.00", "40.00", "50.00"])
      await paid(shop, order(price));

    expect((await jobs(shop)).map((job) => job.status)).toEqual([
      "SUPERSEDED",
      "SUPERSEDED",
      "SUPERSEDED",
      "SUPERSEDED",
      "PENDING",
    ]);
    await drainOutbox();

    const sets = callsOf(shop, "LoyaltyMetafieldsSet");
    expect(sets).toHaveLength(1);
    expect(sets[0]?.status).toBe(200);
    expect(metafieldsAtShopify(shop)).toEqual({
      tier: ["single_line_text_field", "Bronze"],
      available_points: ["number_integer", "150"],
      points_to_next_tier: ["number_integer", "350"],
    });
    expect((await jobs(shop)).at(-1)).toMatchObject({
      status: "DONE",
      payload: {
        customerId: String(customer.id),
        tierName: "Bronze",
        available: 150,
        pointsToNextTier: 350,
      },
    });
  });

  it("are declared at registration with read access for the extensions, and registering again is harmless", async () => {
    const shop = await openShop();
    const definitions = () =>
      [...simulator.state.require(shop).metafieldDefinitions.values()]
        .map((definition) => ({
          ownerType: definition.ownerType,
          namespace: definition.namespace,
          key: definition.key,
          type: definition.type,
          access: definition.access,
        }))
        .sort((a, b) => a.key.localeCompare(b.key));
    const access = {
      admin: "MERCHANT_READ",
      storefront: "PUBLIC_READ",
      customerAccount: "READ",
    };
    const expected = [
      ["available_points", "number_integer"],
      ["points_to_next_tier", "number_integer"],
      ["tier", "single_line_text_field"],
    ].map(([key, type]) => ({
      ownerType: "CUSTOMER",
      namespace: NAMESPACE,
      key,
      type,
      access,
    }));
    expect(definitions()).toEqual(expected);

    // A reinstall: the definitions exist, Shopify answers TAKEN, and registration goes through.
    await expect(
      registerLocalShop({ shop, accessToken: `shpat_metafields_${shopSeq}` }),
    ).resolves.toMatchObject({ currency: "USD" });
    expect(definitions()).toEqual(expected);
    const creates = callsOf(shop, "LoyaltyMetafieldDefinitionCreate");
    expect(creates).toHaveLength(6);
    expect(
      creates
        .slice(3)
        .map((call) => JSON.stringify(call.response).includes('"TAKEN"')),
    ).toEqual([true, true, true]);
  });
});

describe("points to the next tier", () => {
  const remaining = (tierHandle: string | null, qualifying: number) =>
    tierStanding(
      { basis: "POINTS_EARNED", window: "LIFETIME", levels },
      tierHandle,
      qualifying,
    )?.next?.remaining ?? null;
  const levels = [
    { name: "Bronze", threshold: 0 },
    { name: "Silver", threshold: 500 },
    { name: "Gold", threshold: 1500 },
  ];

  it("counts from the tier held, and is null at the top", () => {
    expect(remaining("bronze", 120)).toBe(380);
    // Held through a grace period below its threshold: still measured to the tier above it.
    expect(remaining("silver", 320)).toBe(1180);
    expect(remaining("gold", 900)).toBeNull();
    // No tier known: from where the points place the member, the first tier for a negative total.
    expect(remaining(null, 600)).toBe(900);
    expect(remaining(null, -40)).toBe(540);
  });

  it("is not shown when tiers are earned by amount spent", () => {
    expect(
      memberMetafieldsPayload(
        { basis: "AMOUNT_SPENT", window: "LIFETIME", levels },
        {
          customerId: "1",
          tierHandle: "silver",
          available: 70,
          qualifyingPoints: 70,
        },
      ),
    ).toEqual({
      customerId: "1",
      tierName: "Silver",
      available: 70,
      pointsToNextTier: null,
    });
  });
});
