import { describe, expect, it } from "vitest";
import type { ProgramConfig } from "~/loyalty/program";
import { outboxHandlers, runOutboxOnce } from "~/services/outbox-worker.server";
import { completeDueReferrals } from "~/services/settlement.server";
import type { OrderInput } from "../../simulator/orders";
import { orderPayload, type OrderPayloadInput } from "../../simulator/webhooks";
import { adminRequest } from "../support/admin";
import { deliverPaidOrder } from "../support/orders";
import { shopperCall, shopperSummary, shopperToken } from "../support/shopper";
import { openProgramShop } from "../support/shops";
import { useTestStack } from "../support/stack";
import { sendWebhook } from "../support/webhooks";

// "Invite a friend" end to end: the advocate's code from the shopper API, the friend's discount
// created at Shopify by the outbox, signed orders/paid carrying the code, the fraud checks, and the
// settlement run on a fake clock moving the friend's order past the pending period.

const stack = useTestStack();
const day = 86_400_000;
let shopSeq = 0;
let idSeq = 80_000;

const homeOfAnn = {
  address1: "12 Harbour Street",
  city: "Leith",
  zip: "EH6 6AA",
  country_code: "GB",
};
const elsewhere = (n: number) => ({
  address1: `${n} Other Road`,
  city: "Glasgow",
  zip: `G${n} 1AB`,
  country_code: "GB",
});

const openShop = (
  change: (config: ProgramConfig) => ProgramConfig = (c) => c,
) =>
  openProgramShop(stack, `referrals-${++shopSeq}.myshopify.com`, {
    change: (config) =>
      change({
        ...config,
        pendingDays: 14,
        growth: {
          ...config.growth,
          referrals: {
            ...config.growth.referrals,
            enabled: true,
            advocatePoints: 500,
            friendMinimumSubtotalMinor: 2_000,
            weeklyLimit: 2,
          },
        },
      }),
  });

interface Buyer {
  id: number;
  email: string;
}

/** A signed orders/paid for an order placed `daysAgo` days ago. */
async function paid(
  shop: string,
  buyer: Buyer | null,
  options: {
    code?: string;
    daysAgo?: number;
    shippingAddress?: OrderPayloadInput["shippingAddress"];
    id?: number;
  } = {},
) {
  const id = options.id ?? ++idSeq;
  const order: OrderInput = {
    id,
    currency: "USD",
    customer: buyer,
    email: buyer?.email ?? "guest@example.org",
    lines: [{ id: id * 10, price: "40.00", quantity: 1 }],
    discountCodes: options.code ? [{ code: options.code, amount: "4.00" }] : [],
    createdAt: new Date(
      Date.now() - (options.daysAgo ?? 1) * day,
    ).toISOString(),
  };
  await deliverPaidOrder(stack, shop, {
    ...order,
    shippingAddress: options.shippingAddress ?? elsewhere(id),
  });
  return order;
}

const summary = (shop: string, customerId: number) =>
  shopperSummary<{
    points: { available: number };
    referral: { code: string; url: string } | null;
  }>(stack.app, { shop, customerId });

/** A shop whose advocate Ann has placed an order from home and has her code. */
async function annsCode(change?: (config: ProgramConfig) => ProgramConfig) {
  const shop = await openShop(change);
  const ann = { id: ++idSeq, email: "ann.lee@gmail.com" };
  await paid(shop, ann, { shippingAddress: homeOfAnn, daysAgo: 30 });
  const { referral } = await summary(shop, ann.id);
  if (!referral) throw new Error("Ann has no referral code");
  return { shop, ann, code: referral.code };
}

const referrals = (shop: string) =>
  stack.db.prisma.referral.findMany({
    where: { shop },
    orderBy: { createdAt: "asc" },
  });

const member = (shop: string, customerId: number) =>
  stack.db.prisma.member.findUniqueOrThrow({
    where: { shop_customerId: { shop, customerId: String(customerId) } },
  });

async function drainOutbox() {
  const { unauthenticated } = await import("~/shopify.server");
  return runOutboxOnce({
    sql: stack.db.sql,
    adminFor: async (shop) => (await unauthenticated.admin(shop)).admin,
    handlers: outboxHandlers,
    workerId: "referrals-test",
  });
}

describe("a member's referral code", () => {
  it("is given once, stable, unguessable, with a link that applies it; Shopify gets the friend's discount once", async () => {
    const { shop, ann, code } = await annsCode();
    // Her metafields go out in the same run as the discount.
    stack.simulator.addCustomer(shop, { id: ann.id, email: ann.email });
    expect(code).toMatch(/^REF-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2}$/);
    const again = await summary(shop, ann.id);
    expect(again.referral).toEqual({
      code,
      url: `https://${shop}/discount/${code}`,
    });

    expect(await drainOutbox()).toMatchObject({ dead: 0, retrying: 0 });
    const discounts = [
      ...stack.simulator.state.require(shop).discountCodes.values(),
    ];
    expect(discounts).toHaveLength(1);
    expect(discounts[0]).toMatchObject({
      code,
      customerSelection: { all: true },
      appliesOncePerCustomer: true,
      usageLimit: null,
      endsAt: null,
      customerGets: { value: { percentage: 0.1 } },
      minimumRequirement: {
        subtotal: { greaterThanOrEqualToSubtotal: "20.00" },
      },
    });
  });

  it("is not given while referrals are off, nor to a shopper who is not a member", async () => {
    const shop = await openShop((config) => ({
      ...config,
      growth: {
        ...config.growth,
        referrals: { ...config.growth.referrals, enabled: false },
      },
    }));
    const buyer = { id: ++idSeq, email: "noor@example.org" };
    await paid(shop, buyer);
    expect((await summary(shop, buyer.id)).referral).toBeNull();
    const onShop = await openShop();
    expect((await summary(onShop, ++idSeq)).referral).toBeNull();
    expect(
      await stack.db.prisma.member.count({ where: { shop: onShop } }),
    ).toBe(0);
  });
  it("is only given with the friend's discount asked of Shopify: a failed ask leaves no code, and the next look gives both", async () => {
    const shop = await openShop();
    const noor = { id: ++idSeq, email: "noor@example.org" };
    stack.simulator.addCustomer(shop, noor);
    await paid(shop, noor, { daysAgo: 30 });
    // The outbox refuses this shop's jobs, as a database that fails halfway would.
    await stack.db.sql.query(
      `CREATE FUNCTION refuse_outbox_job() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.shop = '${shop}' THEN RAISE EXCEPTION 'outbox unavailable'; END IF;
         RETURN NEW;
       END $$`,
    );
    await stack.db.sql.query(
      `CREATE TRIGGER refuse_outbox_job BEFORE INSERT ON "OutboxJob"
       FOR EACH ROW EXECUTE FUNCTION refuse_outbox_job()`,
    );
    try {
      const refused = await shopperCall(
        stack.app,
        "GET",
        "/api/checkout/loyalty",
        shopperToken(shop, noor.id),
      );
      expect(refused.status).toBe(500);
    } finally {
      await stack.db.sql.query(`DROP TRIGGER refuse_outbox_job ON "OutboxJob"`);
      await stack.db.sql.query(`DROP FUNCTION refuse_outbox_job()`);
    }
    expect((await member(shop, noor.id)).referralCode).toBeNull();

    const { referral } = await summary(shop, noor.id);
    await drainOutbox();
    const discounts = [
      ...stack.simulator.state.require(shop).discountCodes.values(),
    ];
    expect(discounts.map((discount) => discount.code)).toEqual([
      referral?.code,
    ]);
  });
});

describe("the advocate's reward", () => {
  it("waits for the friend's first order to pass the pending period, then is written once", async () => {
    const { shop, ann, code } = await annsCode();
    const before = (await member(shop, ann.id)).available;
    const friend = { id: ++idSeq, email: "bob@example.org" };
    const order = await paid(shop, friend, {
      code: code.toLowerCase(),
      daysAgo: 1,
    });
    // Delivered twice: one referral.
    await sendWebhook(
      stack.app,
      shop,
      "orders/paid",
      orderPayload({ ...order, shippingAddress: elsewhere(order.id) }),
    );
    expect(await referrals(shop)).toMatchObject([
      {
        status: "PENDING",
        reason: null,
        points: 500,
        orderId: String(order.id),
      },
    ]);
    expect((await member(shop, ann.id)).available).toBe(before);

    // Twelve days on, the order is still in its pending period.
    expect(
      await completeDueReferrals(
        stack.db.sql,
        new Date(Date.now() + 12 * day),
        { shop },
      ),
    ).toEqual({
      completed: 0,
      cancelled: 0,
    });
    const later = new Date(Date.now() + 14 * day);
    expect(await completeDueReferrals(stack.db.sql, later, { shop })).toEqual({
      completed: 1,
      cancelled: 0,
    });
    expect(await completeDueReferrals(stack.db.sql, later, { shop })).toEqual({
      completed: 0,
      cancelled: 0,
    });
    expect(await referrals(shop)).toMatchObject([
      { status: "COMPLETED", settledAt: later },
    ]);
    expect((await member(shop, ann.id)).available).toBe(before + 500);
    const entries = await stack.db.prisma.ledgerEntry.findMany({
      where: { shop, idempotencyKey: `referral:${order.id}:reward` },
    });
    expect(entries).toHaveLength(1);
    // The merchant's Flow workflows hear of it once, through the outbox.
    const triggers = await stack.db.sql.query<{ payload: { handle: string } }>(
      `SELECT payload FROM "OutboxJob" WHERE shop = $1 AND kind = 'FLOW_TRIGGER'
         AND payload->>'handle' = 'loyalty-referral-completed'`,
      [shop],
    );
    expect(triggers).toHaveLength(1);
  });

  it("is written at once for an order already past the pending period", async () => {
    const { shop, ann, code } = await annsCode((config) => ({
      ...config,
      pendingDays: 0,
    }));
    const before = (await member(shop, ann.id)).available;
    await paid(shop, { id: ++idSeq, email: "cleo@example.org" }, { code });
    expect(await referrals(shop)).toMatchObject([{ status: "COMPLETED" }]);
    expect((await member(shop, ann.id)).available).toBe(before + 500);
  });

  it("is never written when the friend's order is cancelled during the pending period", async () => {
    const { shop, ann, code } = await annsCode();
    const before = (await member(shop, ann.id)).available;
    const order = await paid(
      shop,
      { id: ++idSeq, email: "dan@example.org" },
      { code },
    );
    const cancelled = await sendWebhook(
      stack.app,
      shop,
      "orders/cancelled",
      orderPayload({
        ...order,
        cancelledAt: new Date().toISOString(),
        cancelReason: "customer",
      }),
    );
    expect(cancelled.status).toBe(200);
    await completeDueReferrals(stack.db.sql, new Date(Date.now() + 15 * day), {
      shop,
    });
    expect(await referrals(shop)).toMatchObject([
      { status: "CANCELLED", reason: "ORDER_CANCELLED" },
    ]);
    expect((await member(shop, ann.id)).available).toBe(before);
  });
});

describe("referrals the checks stop", () => {
  it.each<
    [
      string,
      (ctx: { ann: Buyer; shop: string; code: string }) => Promise<unknown>,
    ]
  >([
    [
      "SELF_REFERRAL_CUSTOMER",
      ({ shop, ann, code }) => paid(shop, ann, { code }),
    ],
    [
      "SELF_REFERRAL_EMAIL",
      ({ shop, code }) =>
        paid(shop, { id: ++idSeq, email: "Ann.Lee@Gmail.com" }, { code }),
    ],
    [
      "SELF_REFERRAL_NORMALISED_EMAIL",
      ({ shop, code }) =>
        paid(
          shop,
          { id: ++idSeq, email: "annlee+friend@googlemail.com" },
          { code },
        ),
    ],
    [
      "SELF_REFERRAL_ADDRESS",
      ({ shop, code }) =>
        paid(
          shop,
          { id: ++idSeq, email: "eve@example.org" },
          {
            code,
            shippingAddress: {
              address1: "12, HARBOUR STREET",
              city: "leith",
              zip: "eh66aa",
              country_code: "GB",
            },
          },
        ),
    ],
    [
      "NOT_FIRST_ORDER",
      async ({ shop, code }) => {
        const friend = { id: ++idSeq, email: "finn@example.org" };
        await paid(shop, friend, { daysAgo: 3 });
        return paid(shop, friend, { code });
      },
    ],
    [
      "NOT_FIRST_ORDER",
      async ({ shop, code }) => {
        // A guest order first, then an account with the same e-mail.
        await paid(shop, null, { daysAgo: 3 });
        return paid(
          shop,
          { id: ++idSeq, email: "guest@example.org" },
          { code },
        );
      },
    ],
  ])(
    "%s: recorded as blocked with its reason, and no points ever",
    async (reason, place) => {
      const { shop, ann, code } = await annsCode();
      const before = (await member(shop, ann.id)).available;
      await place({ shop, ann, code });
      expect(await referrals(shop)).toMatchObject([
        { status: "BLOCKED", reason },
      ]);
      await completeDueReferrals(
        stack.db.sql,
        new Date(Date.now() + 30 * day),
        { shop },
      );
      expect((await member(shop, ann.id)).available).toBe(before);
    },
  );

  it("WEEKLY_LIMIT: beyond the limit in seven days the next friend is blocked, and counted again a week on", async () => {
    const { shop, code } = await annsCode();
    for (const [n, daysAgo] of [
      [1, 20],
      [2, 19],
      [3, 18],
      [4, 10],
    ] as const)
      await paid(
        shop,
        { id: ++idSeq, email: `friend${n}@example.org` },
        { code, daysAgo },
      );
    // Past the 14 pending days, the first two complete as they arrive; the last one waits.
    expect(
      (await referrals(shop)).map((referral) => [
        referral.status,
        referral.reason,
      ]),
    ).toEqual([
      ["COMPLETED", null],
      ["COMPLETED", null],
      ["BLOCKED", "WEEKLY_LIMIT"],
      ["PENDING", null],
    ]);
  });

  it("are listed for the merchant with the reason, only the shop's own", async () => {
    const { shop, ann, code } = await annsCode();
    await paid(shop, ann, { code });
    await paid(shop, { id: ++idSeq, email: "gus@example.org" }, { code });
    const other = await annsCode();
    await paid(other.shop, other.ann, { code: other.code });

    const response = await adminRequest(stack.app, shop, {
      path: "/app/referrals",
      id: "routes/app.referrals",
    });
    expect(response.status).toBe(200);
    const page = (await response.json()) as {
      enabled: boolean;
      referrals: Array<{
        status: string;
        reason: string | null;
        advocate: { email: string };
      }>;
    };
    expect(page.enabled).toBe(true);
    expect(
      page.referrals.map((referral) => [
        referral.status,
        referral.reason,
        referral.advocate.email,
      ]),
    ).toEqual([
      ["PENDING", null, "ann.lee@gmail.com"],
      ["BLOCKED", "SELF_REFERRAL_CUSTOMER", "ann.lee@gmail.com"],
    ]);
  });
});
