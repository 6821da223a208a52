import { describe, expect, it } from "vitest";
import type { ProgramConfig } from "~/loyalty/program";
import { outboxHandlers, runOutboxOnce } from "~/services/outbox-worker.server";
import { programConfig, saveProgramConfig } from "~/services/program.server";
import { reviewTiers } from "~/services/settlement.server";
import { registerLocalShop } from "../../scripts/lib/register-shop";
import { orderPayload, refundPayload } from "../../simulator/webhooks";
import { useTestStack } from "../support/stack";
import { sendWebhook } from "../support/webhooks";

const stack = useTestStack();
let shopSeq = 0;

const day = 86_400_000;

/** A registered shop with the program on and tiers Bronze 0 / Silver 500 / Gold 1,500. */
async function openShop(
  change: (tiers: ProgramConfig["tiers"]) => ProgramConfig["tiers"] = (tiers) =>
    tiers,
) {
  const shop = `tiers-${++shopSeq}.myshopify.com`;
  await registerLocalShop({ shop, accessToken: `shpat_tiers_${shopSeq}` });
  await stack.db.sql.transaction(async (tx) => {
    const config = await programConfig(tx, shop);
    if (!config) throw new Error("no program");
    await saveProgramConfig(tx, shop, {
      ...config,
      enabled: true,
      programStartAt: new Date("2025-01-01T00:00:00Z"),
      tiers: change(config.tiers),
    });
  });
  return shop;
}

const customer = { id: 7001, email: "noor@example.org" };
let orderSeq = 1000;
const paid = (shop: string, price: string) => {
  const id = ++orderSeq;
  return sendWebhook(
    stack.app,
    shop,
    "orders/paid",
    orderPayload({
      id,
      currency: "USD",
      customer,
      lines: [{ id: id * 10, price, quantity: 1 }],
      createdAt: new Date().toISOString(),
    }),
  ).then(() => id);
};

const member = (shop: string) =>
  stack.db.prisma.member.findUniqueOrThrow({
    where: { shop_customerId: { shop, customerId: String(customer.id) } },
  });
const history = (shop: string) =>
  stack.db.prisma.tierChange.findMany({
    where: { shop },
    orderBy: { id: "asc" },
  });

/** Sends what the outbox holds to the simulator, as the worker would. */
async function drainOutbox() {
  const { unauthenticated } = await import("~/shopify.server");
  return runOutboxOnce({
    sql: stack.db.sql,
    adminFor: async (shop) => (await unauthenticated.admin(shop)).admin,
    handlers: outboxHandlers,
    workerId: "tiers-test",
  });
}

const tagsAtShopify = (shop: string) =>
  stack.simulator.state
    .require(shop)
    .customers.get(`gid://shopify/Customer/${customer.id}`)?.tags ?? [];

describe("tiers", () => {
  it("a member moves up when an order crosses a threshold, and Shopify gets exactly one tier tag", async () => {
    const shop = await openShop();
    stack.simulator.addCustomer(shop, {
      id: customer.id,
      email: customer.email,
      tags: ["wholesale"],
    });

    await paid(shop, "450.00");
    expect(await member(shop)).toMatchObject({ tierHandle: "bronze" });
    await paid(shop, "60.00"); // 510 points: Silver
    expect(await member(shop)).toMatchObject({ tierHandle: "silver" });
    expect(
      (await history(shop)).map((change) => [
        change.fromHandle,
        change.toHandle,
        change.reason,
      ]),
    ).toEqual([
      [null, "bronze", "ENROLLED"],
      ["bronze", "silver", "THRESHOLD_REACHED"],
    ]);

    const sent = await drainOutbox();
    expect(sent).toMatchObject({ retrying: 0, dead: 0 });
    // The older Bronze job was superseded by Silver's: the latest state is what reaches Shopify.
    expect(tagsAtShopify(shop).sort()).toEqual([
      "loyalty-tier:silver",
      "wholesale",
    ]);
  });

  it("skipping tiers pays each passed tier's entry reward once, and Gold's multiplier applies to the next order", async () => {
    const shop = await openShop((tiers) => ({
      ...tiers,
      levels: tiers.levels.map((level) =>
        level.name === "Silver"
          ? { ...level, entryRewardPoints: 50 }
          : level.name === "Gold"
            ? {
                ...level,
                entryRewardPoints: 100,
                earnMultiplierBasisPoints: 15_000,
              }
            : level,
      ),
    }));
    await paid(shop, "2000.00");
    const rewards = await stack.db.prisma.ledgerEntry.findMany({
      where: { shop, kind: "ADJUSTMENT" },
    });
    expect(
      rewards
        .map((entry) => [entry.idempotencyKey.split(":")[1], entry.points])
        .sort(),
    ).toEqual([
      ["gold", 100],
      ["silver", 50],
    ]);
    expect(await member(shop)).toMatchObject({
      tierHandle: "gold",
      lifetimeEarned: 2000,
      available: 2150,
    });

    await paid(shop, "10.00");
    const last = await stack.db.prisma.ledgerEntry.findFirstOrThrow({
      where: { shop, kind: "EARN" },
      orderBy: { id: "desc" },
    });
    expect(last.points).toBe(15);
    expect(last.snapshot).toMatchObject({
      multiplierBasisPoints: 15_000,
      sources: ["tier:gold"],
    });
  });

  it("a clawback demotes only after the grace period, by the scheduled review", async () => {
    const shop = await openShop();
    const orderId = await paid(shop, "1600.00");
    expect(await member(shop)).toMatchObject({ tierHandle: "gold" });

    await sendWebhook(
      stack.app,
      shop,
      "refunds/create",
      refundPayload({
        id: 90_001,
        orderId,
        currency: "USD",
        createdAt: new Date().toISOString(),
        refundLineItems: [
          { line_item_id: orderId * 10, quantity: 1, subtotal: "1600.00" },
        ],
      }),
    );
    expect(await member(shop)).toMatchObject({
      tierHandle: "gold",
      lifetimeEarned: 0,
    });
    expect(await reviewTiers(stack.db.sql, new Date(), { shop })).toEqual({
      reviewed: 1,
      changed: 0,
    });

    const afterGrace = new Date(Date.now() + 31 * day);
    expect(await reviewTiers(stack.db.sql, afterGrace, { shop })).toEqual({
      reviewed: 1,
      changed: 1,
    });
    expect(await member(shop)).toMatchObject({ tierHandle: "bronze" });
    expect((await history(shop)).at(-1)).toMatchObject({
      fromHandle: "gold",
      toHandle: "bronze",
      reason: "CLAWBACK",
    });
  });

  it("spending points never demotes", async () => {
    const shop = await openShop();
    await paid(shop, "600.00");
    const { id } = await member(shop);
    await stack.db.sql.transaction(async (tx) => {
      const { holdPoints, settleRedemption } =
        await import("~/services/redemptions.server");
      const hold = await holdPoints(
        tx,
        { shop, memberId: id },
        {
          idempotencyKey: "spend-all",
          points: 600,
          valueMinor: 600,
          currency: "USD",
          expiresAt: new Date(Date.now() + day),
          now: new Date(),
        },
      );
      if (!hold.ok) throw new Error("hold refused");
      await settleRedemption(tx, shop, hold.redemptionId, "POST", new Date());
    });
    expect(
      await reviewTiers(stack.db.sql, new Date(Date.now() + 400 * day), {
        shop,
      }),
    ).toMatchObject({ changed: 0 });
    expect(await member(shop)).toMatchObject({
      tierHandle: "silver",
      available: 0,
    });
  });
});

describe("tier segments", () => {
  it("installing creates a Shopify segment per tier on its tag; installing again changes nothing", async () => {
    const shop = await openShop();
    await drainOutbox();
    const segments = () =>
      [...stack.simulator.state.require(shop).segments.values()].map(
        (segment) => [segment.name, segment.query],
      );
    expect(segments()).toEqual([
      ["Loyalty tier: Bronze", "customer_tags CONTAINS 'loyalty-tier:bronze'"],
      ["Loyalty tier: Silver", "customer_tags CONTAINS 'loyalty-tier:silver'"],
      ["Loyalty tier: Gold", "customer_tags CONTAINS 'loyalty-tier:gold'"],
    ]);

    await registerLocalShop({ shop, accessToken: `shpat_again_${shop}` });
    expect(await drainOutbox()).toMatchObject({ dead: 0, retrying: 0 });
    expect(segments()).toHaveLength(3);
  });
});

describe("tiers on amount spent", () => {
  it("follow what was spent (in minor units), and a refund demotes after the grace period", async () => {
    const shop = await openShop((tiers) => ({
      ...tiers,
      basis: "AMOUNT_SPENT",
      levels: tiers.levels.map((level, index) => ({
        ...level,
        threshold: [0, 50_000, 150_000][index] ?? level.threshold,
      })),
    }));
    const orderId = await paid(shop, "600.00");
    expect(await member(shop)).toMatchObject({ tierHandle: "silver" });

    await sendWebhook(
      stack.app,
      shop,
      "refunds/create",
      refundPayload({
        id: 90_002,
        orderId,
        currency: "USD",
        createdAt: new Date().toISOString(),
        refundLineItems: [
          { line_item_id: orderId * 10, quantity: 1, subtotal: "600.00" },
        ],
      }),
    );
    expect(await member(shop)).toMatchObject({ tierHandle: "silver" });
    await reviewTiers(stack.db.sql, new Date(Date.now() + 31 * day), { shop });
    expect(await member(shop)).toMatchObject({ tierHandle: "bronze" });
  });
});
