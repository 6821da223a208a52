import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { ProgramConfig } from "~/loyalty/program";
import { outboxHandlers, runOutboxOnce } from "~/services/outbox-worker.server";
import { programConfig, saveProgramConfig } from "~/services/program.server";
import { releaseExpiredRedemptions } from "~/services/redemption-codes.server";
import type { OrderInput } from "../../simulator/orders";
import { mintCheckoutSessionToken } from "../../simulator/session-tokens";
import { orderPayload, refundPayload } from "../../simulator/webhooks";
import { testApp } from "../support/app";
import { deliverPaidOrder } from "../support/orders";
import {
  checkedBalances,
  shopperCall,
  shopperToken as token,
  type Shopper as Shop,
} from "../support/shopper";
import { openProgramShop } from "../support/shops";
import { useTestStack } from "../support/stack";
import { sendWebhook } from "../support/webhooks";

// The shopper's side of redemption over HTTP, as the extensions call it: tokens signed as Shopify
// signs them, the simulator as Shopify recording every discount mutation, signed webhooks for the
// orders that use the codes.

const stack = useTestStack();

let shopSeq = 0;
let idSeq = 50_000;

/** A registered shop with the program on and a member holding `points` available. */
async function openShop(
  points: number,
  change?: (config: ProgramConfig) => ProgramConfig,
): Promise<Shop> {
  const shop = await openProgramShop(
    stack,
    `redeem-${++shopSeq}.myshopify.com`,
    { change },
  );
  const customerId = ++idSeq;
  if (points > 0) await payOrder(shop, customerId, `${points}.00`, [], [1]);
  return { shop, customerId };
}

/** An order placed at "Shopify" (the simulator counts code uses from it) and its orders/paid. */
async function payOrder(
  shop: string,
  customerId: number,
  price: string,
  codes: OrderInput["discountCodes"] = [],
  quantities = [2, 1],
) {
  const id = ++idSeq;
  const order: OrderInput = {
    id,
    currency: "USD",
    customer: { id: customerId, email: `shopper${customerId}@example.org` },
    lines: quantities.map((quantity, index) => ({
      id: id * 10 + index,
      price,
      quantity,
    })),
    discountCodes: codes,
    createdAt: new Date().toISOString(),
  };
  stack.simulator.state.addOrder(shop, order);
  await deliverPaidOrder(stack, shop, order);
  return order;
}

const call = (
  method: string,
  path: string,
  authorization: string | null,
  body?: unknown,
) => shopperCall(stack.app, method, path, authorization, body);

const redeem = ({ shop, customerId }: Shop, body: Record<string, unknown>) =>
  call("POST", "/api/checkout/redemptions", token(shop, customerId), {
    idempotencyKey: randomUUID(),
    ...body,
  });

const summary = ({ shop, customerId }: Shop, query = "") =>
  call("GET", `/api/checkout/loyalty${query}`, token(shop, customerId));

const balances = (shopper: Shop) => checkedBalances(stack, shopper);

const discountCodesAt = (shop: string) => [
  ...stack.simulator.state.require(shop).discountCodes.values(),
];

const mutationsAt = (shop: string, operation: string) =>
  stack.simulator.calls.filter(
    (entry) => entry.shop === shop && entry.operationName === operation,
  );

async function adminFor(shop: string) {
  const { unauthenticated } = await import("~/shopify.server");
  return (await unauthenticated.admin(shop)).admin;
}

const drainOutbox = (at = new Date()) =>
  runOutboxOnce({
    sql: stack.db.sql,
    adminFor,
    handlers: outboxHandlers,
    workerId: "redemptions-test",
    now: () => at,
  });

const redemptionRow = (id: string) =>
  stack.db.prisma.redemption.findUniqueOrThrow({ where: { id } });

describe("redeeming a reward", () => {
  it("holds the points and mints a single-use code bound to the shopper, ending with the hold", async () => {
    const shopper = await openShop(1_200);
    const response = await redeem(shopper, { rewardId: "fixed-500" });
    expect(response.status).toBe(201);
    expect(response.headers["access-control-allow-origin"]).toBe("*");
    const body = response.body as Record<string, string | number>;
    expect(body).toMatchObject({
      code: expect.stringMatching(/^LOYAL-[A-Z2-9]{4}-[A-Z2-9]{4}$/),
      points: 500,
      value: { kind: "FIXED_AMOUNT", amountMinor: 500 },
      currency: "USD",
    });
    const minutes = (Date.parse(String(body.expiresAt)) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(29);
    expect(minutes).toBeLessThanOrEqual(30);

    expect(await balances(shopper)).toMatchObject({
      available: 700,
      held: 500,
    });
    const [code] = discountCodesAt(shopper.shop);
    expect(code).toMatchObject({
      code: body.code,
      usageLimit: 1,
      appliesOncePerCustomer: true,
      customerSelection: {
        customers: [`gid://shopify/Customer/${shopper.customerId}`],
      },
      customerGets: { value: { amount: "5.00" } },
      endsAt: new Date(String(body.expiresAt))
        .toISOString()
        .replace(".000", ""),
      combinesWith: {
        orderDiscounts: false,
        productDiscounts: true,
        shippingDiscounts: true,
      },
    });

    // The extensions see the open code and the points as held.
    const after = await summary(shopper);
    expect(after.body).toMatchObject({
      points: { available: 700, held: 500 },
      openRedemptions: [{ id: body.id, code: body.code, points: 500 }],
      recent: [{ kind: "REDEEM", points: -500 }, { kind: "EARN" }],
    });
  });

  it("brings a tier the member no longer qualifies for up to date as the points are held", async () => {
    const shopper = await openShop(600, (config) => ({
      ...config,
      tiers: { ...config.tiers, graceDays: 0 },
    }));
    expect((await summary(shopper)).body).toMatchObject({
      tier: { handle: "silver" },
    });
    // The merchant raised Silver to 1,000 points; the re-evaluation of everyone has not reached
    // this member yet, so only their own next write can move them.
    await stack.db.sql.transaction(async (tx) => {
      const config = await programConfig(tx, shopper.shop);
      if (!config) throw new Error("no program");
      await saveProgramConfig(tx, shopper.shop, {
        ...config,
        tiers: {
          ...config.tiers,
          levels: config.tiers.levels.map((level) =>
            level.name === "Silver" ? { ...level, threshold: 1_000 } : level,
          ),
          effectiveFrom: new Date(Date.now() - 1_000),
        },
      });
    });

    expect((await redeem(shopper, { rewardId: "fixed-500" })).status).toBe(201);
    expect((await summary(shopper)).body).toMatchObject({
      tier: { handle: "bronze" },
      points: { held: 500 },
    });
    const changes = await stack.db.prisma.tierChange.findMany({
      where: { shop: shopper.shop },
      orderBy: { id: "asc" },
    });
    expect(changes.map((change) => [change.toHandle, change.reason])).toEqual([
      ["silver", "ENROLLED"],
      ["bronze", "RULES_CHANGED"],
    ]);
  });

  it("offers percentage, free shipping and a slider as the merchant configures them", async () => {
    const shopper = await openShop(3_000, (config) => ({
      ...config,
      redemption: {
        ...config.redemption,
        rewards: [
          { id: "pct-10", kind: "PERCENTAGE", points: 1_000, percentage: 10 },
          { id: "ship", kind: "FREE_SHIPPING", points: 800 },
        ],
        slider: {
          stepPoints: 100,
          minPoints: 100,
          maxPointsPerOrder: 2_000,
          maxSubtotalPercent: 50,
        },
      },
    }));
    const view = await summary(shopper, "?subtotal=4000");
    expect(view.body).toMatchObject({
      earnEstimate: { points: 40 },
      rewards: [
        { id: "pct-10", title: "10% off", affordable: true },
        { id: "ship", title: "Free shipping", affordable: true },
      ],
      slider: { stepPoints: 100, minPoints: 100, maxPoints: 2_000 },
    });

    const percent = await redeem(shopper, { rewardId: "pct-10" });
    const shipping = await redeem(shopper, { rewardId: "ship" });
    const slider = await redeem(shopper, { points: 700, subtotal: 4_000 });
    expect([percent.status, shipping.status, slider.status]).toEqual([
      201, 201, 201,
    ]);
    expect(slider.body).toMatchObject({
      points: 700,
      value: { kind: "FIXED_AMOUNT", amountMinor: 700 },
    });
    const byCode = new Map(
      discountCodesAt(shopper.shop).map((code) => [code.code, code]),
    );
    expect(byCode.get(String(percent.body?.code))).toMatchObject({
      kind: "BASIC",
      customerGets: { value: { percentage: 0.1 } },
    });
    expect(byCode.get(String(shipping.body?.code))).toMatchObject({
      kind: "FREE_SHIPPING",
      customerGets: null,
    });

    // Above the share of this cart: refused with the range, nothing held.
    const tooMuch = await redeem(shopper, { points: 2_100, subtotal: 4_000 });
    expect(tooMuch).toMatchObject({
      status: 422,
      body: { code: "REWARD_NOT_APPLICABLE", range: { maxPoints: 2_000 } },
    });
    expect(await balances(shopper)).toMatchObject({
      available: 3_000 - 2_500,
      held: 2_500,
    });
  });

  it("from the customer account, mints a code to copy that lives for days, not minutes", async () => {
    const shopper = await openShop(1_000);
    const response = await redeem(shopper, {
      rewardId: "fixed-500",
      surface: "account",
    });
    expect(response.status).toBe(201);
    const days =
      (Date.parse(String(response.body?.expiresAt)) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);
    expect((await summary(shopper)).body).toMatchObject({
      openRedemptions: [{ code: response.body?.code }],
    });
  });

  it("answers 409 with the available balance when the points do not cover it, holding nothing", async () => {
    const shopper = await openShop(450);
    const response = await redeem(shopper, { rewardId: "fixed-500" });
    expect(response).toMatchObject({
      status: 409,
      body: { code: "INSUFFICIENT_POINTS", available: 450 },
    });
    expect(String(response.body?.error)).toContain("450 points");
    expect(await balances(shopper)).toMatchObject({ available: 450, held: 0 });
    expect(discountCodesAt(shopper.shop)).toEqual([]);
  });

  it("returns the same redemption for the same idempotency key, holding once", async () => {
    const shopper = await openShop(1_000);
    const idempotencyKey = randomUUID();
    const first = await redeem(shopper, {
      rewardId: "fixed-500",
      idempotencyKey,
    });
    const again = await redeem(shopper, {
      rewardId: "fixed-500",
      idempotencyKey,
    });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body).toEqual(first.body);
    expect(await balances(shopper)).toMatchObject({
      available: 500,
      held: 500,
    });
    expect(discountCodesAt(shopper.shop)).toHaveLength(1);
  });

  it("of 20 concurrent redemptions on a balance good for 5, exactly 5 get a code and a hold", async () => {
    const shopper = await openShop(2_500);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        redeem(shopper, { rewardId: "fixed-500" }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(5);
    expect(statuses.filter((status) => status === 409)).toHaveLength(15);
    expect(await balances(shopper)).toMatchObject({
      available: 0,
      held: 2_500,
    });
    expect(discountCodesAt(shopper.shop)).toHaveLength(5);
    expect(
      await stack.db.prisma.redemption.count({
        where: { shop: shopper.shop, status: "HELD" },
      }),
    ).toBe(5);
  });

  it("a new code for the same checkout replaces the previous one, whose points come back", async () => {
    const shopper = await openShop(1_000);
    const checkoutToken = randomUUID();
    const first = await redeem(shopper, {
      rewardId: "fixed-500",
      checkoutToken,
    });
    const second = await redeem(shopper, {
      rewardId: "fixed-1000",
      checkoutToken,
    });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(await redemptionRow(String(first.body?.id))).toMatchObject({
      status: "RELEASED",
      releaseReason: "REPLACED",
    });
    expect(await balances(shopper)).toMatchObject({
      available: 0,
      held: 1_000,
    });
    await drainOutbox();
    expect(discountCodesAt(shopper.shop).map((code) => code.code)).toEqual([
      second.body?.code,
    ]);
  });

  it("when Shopify refuses or does not answer, no hold is left and the answer says so", async () => {
    const shopper = await openShop(1_000);
    stack.simulator.faults.enqueue(
      { kind: "HTTP", status: 503 },
      { shop: shopper.shop, times: 10 },
    );
    const response = await redeem(shopper, { rewardId: "fixed-500" });
    stack.simulator.faults.clear();
    expect(response).toMatchObject({
      status: 502,
      body: { code: "SHOPIFY_UNAVAILABLE" },
    });
    expect(String(response.body?.error)).toContain("points were not used");
    expect(await balances(shopper)).toMatchObject({
      available: 1_000,
      held: 0,
    });
    expect(
      await stack.db.prisma.redemption.findMany({
        where: { shop: shopper.shop },
        select: { status: true, releaseReason: true },
      }),
    ).toEqual([{ status: "RELEASED", releaseReason: "SHOPIFY_REFUSED" }]);
  });
});

describe("after the code is minted", () => {
  it("hold → paid order with the code → posted once, even when the order is delivered twice", async () => {
    const shopper = await openShop(1_000);
    const { body } = await redeem(shopper, { rewardId: "fixed-500" });
    const order = await payOrder(shopper.shop, shopper.customerId, "20.00", [
      { code: String(body?.code).toLowerCase(), amount: "5.00" },
    ]);
    await sendWebhook(
      stack.app,
      shopper.shop,
      "orders/paid",
      orderPayload(order),
    );
    expect(await redemptionRow(String(body?.id))).toMatchObject({
      status: "POSTED",
      orderId: String(order.id),
    });
    // 60.00 of lines less the 5.00 points discount earns 55 points.
    expect(await balances(shopper)).toMatchObject({
      available: 555,
      held: 0,
    });
    expect(
      await stack.db.prisma.ledgerEntry.count({
        where: { shop: shopper.shop, kind: "REDEMPTION_POST" },
      }),
    ).toBe(1);
    const removal = await call(
      "DELETE",
      `/api/checkout/redemptions/${String(body?.id)}`,
      token(shopper.shop, shopper.customerId),
    );
    expect(removal).toMatchObject({
      status: 409,
      body: { code: "ALREADY_USED" },
    });
  });

  it("hold → remove → released, and the code is deleted at Shopify through the outbox", async () => {
    const shopper = await openShop(1_000);
    const { body } = await redeem(shopper, { rewardId: "fixed-500" });
    const path = `/api/checkout/redemptions/${String(body?.id)}`;
    const preflight = await call("OPTIONS", path, null);
    expect(preflight.status).toBe(204);
    expect(preflight.headers["access-control-allow-methods"]).toContain(
      "DELETE",
    );
    const removed = await call(
      "DELETE",
      path,
      token(shopper.shop, shopper.customerId),
    );
    expect(removed).toMatchObject({
      status: 200,
      body: { status: "RELEASED", points: { available: 1_000, held: 0 } },
    });
    const again = await call(
      "DELETE",
      path,
      token(shopper.shop, shopper.customerId),
    );
    expect(again.status).toBe(200);
    expect(discountCodesAt(shopper.shop)).toHaveLength(1);
    await drainOutbox();
    expect(discountCodesAt(shopper.shop)).toEqual([]);
    expect(
      mutationsAt(shopper.shop, "LoyaltyRedemptionCodeDelete"),
    ).toHaveLength(1);
    expect(await balances(shopper)).toMatchObject({
      available: 1_000,
      held: 0,
    });
  });

  it("hold → code ends unused → the sweep releases it and deletes the code; a used one stays held", async () => {
    const shopper = await openShop(2_000);
    const unused = await redeem(shopper, { rewardId: "fixed-500" });
    const used = await redeem(shopper, { rewardId: "fixed-1000" });
    // An order placed with the code, not paid yet (e.g. a bank transfer).
    stack.simulator.state.addOrder(shopper.shop, {
      id: ++idSeq,
      currency: "USD",
      customer: { id: shopper.customerId, email: "later@example.org" },
      lines: [{ id: idSeq * 10, price: "50.00", quantity: 1 }],
      discountCodes: [{ code: String(used.body?.code), amount: "10.00" }],
      financialStatus: "pending",
    });
    const later = new Date(Date.now() + 40 * 60_000);
    const sweep = () =>
      releaseExpiredRedemptions({ sql: stack.db.sql, adminFor, now: later });
    // The sweep covers every shop; what matters here is this shopper's two codes.
    expect(await sweep()).toMatchObject({ stillInUse: 1, deferred: 0 });
    expect(await sweep()).toEqual({ released: 0, stillInUse: 1, deferred: 0 });
    expect(await redemptionRow(String(unused.body?.id))).toMatchObject({
      status: "RELEASED",
      releaseReason: "EXPIRED",
    });
    expect(await redemptionRow(String(used.body?.id))).toMatchObject({
      status: "HELD",
    });
    await drainOutbox(later);
    expect(discountCodesAt(shopper.shop).map((code) => code.code)).toEqual([
      used.body?.code,
    ]);
    expect(await balances(shopper)).toMatchObject({
      available: 1_000,
      held: 1_000,
    });
  });

  it("an order cancelled before payment gives the held points back", async () => {
    const shopper = await openShop(1_000);
    const { body } = await redeem(shopper, { rewardId: "fixed-500" });
    const order = orderPayload({
      id: ++idSeq,
      currency: "USD",
      customer: { id: shopper.customerId, email: "later@example.org" },
      lines: [{ id: idSeq * 10, price: "50.00", quantity: 1 }],
      discountCodes: [{ code: String(body?.code), amount: "5.00" }],
      cancelledAt: new Date().toISOString(),
      financialStatus: "voided",
    });
    const response = await sendWebhook(
      stack.app,
      shopper.shop,
      "orders/cancelled",
      order,
    );
    expect(response.status).toBe(200);
    expect(await redemptionRow(String(body?.id))).toMatchObject({
      status: "RELEASED",
      releaseReason: "ORDER_CANCELLED",
    });
    expect(await balances(shopper)).toMatchObject({
      available: 1_000,
      held: 0,
    });
  });

  it("a refund of an order paid with points returns the refunded share of them, all of them once all is refunded", async () => {
    const shopper = await openShop(1_000);
    const { body } = await redeem(shopper, { rewardId: "fixed-1000" });
    const order = await payOrder(shopper.shop, shopper.customerId, "20.00", [
      { code: String(body?.code), amount: "10.00" },
    ]);
    const [twoOf, oneOf] = order.lines;
    if (!twoOf || !oneOf) throw new Error("the order has two lines");
    const refund = (id: number, line_item_id: number, quantity: number) =>
      sendWebhook(
        stack.app,
        shopper.shop,
        "refunds/create",
        refundPayload({
          id,
          orderId: order.id,
          order,
          refundLineItems: [{ line_item_id, quantity, subtotal: "20.00" }],
        }),
      );
    // One of the three units: a third of the 1,000 points.
    expect((await refund(++idSeq, twoOf.id, 1)).status).toBe(200);
    const returned = () =>
      stack.db.prisma.ledgerEntry.findMany({
        where: {
          shop: shopper.shop,
          redemptionId: String(body?.id),
          kind: "ADJUSTMENT",
        },
        select: { points: true, refundId: true },
        orderBy: { id: "asc" },
      });
    expect((await returned()).map((entry) => entry.points)).toEqual([333]);
    await refund(++idSeq, twoOf.id, 1);
    await refund(++idSeq, oneOf.id, 1);
    expect((await returned()).map((entry) => entry.points)).toEqual([
      333, 333, 334,
    ]);
    // The shopper sees the points come back beside the points the refunds took from the earn.
    const recent = (await summary(shopper)).body?.recent as Array<{
      kind: string;
      points: number;
    }>;
    expect(
      recent
        .filter((entry) => entry.kind === "REFUND" && entry.points > 0)
        .map((entry) => entry.points),
    ).toEqual([334, 333, 333]);
  });

  it("under the keep policy a refund returns no redeemed points", async () => {
    const shopper = await openShop(1_000, (config) => ({
      ...config,
      redemption: { ...config.redemption, refundPolicy: "KEEP" },
    }));
    const { body } = await redeem(shopper, { rewardId: "fixed-500" });
    const order = await payOrder(shopper.shop, shopper.customerId, "20.00", [
      { code: String(body?.code), amount: "5.00" },
    ]);
    await sendWebhook(
      stack.app,
      shopper.shop,
      "refunds/create",
      refundPayload({
        id: ++idSeq,
        orderId: order.id,
        order,
        refundLineItems: order.lines.map((line) => ({
          line_item_id: line.id,
          quantity: line.quantity,
          subtotal: "20.00",
        })),
      }),
    );
    expect(
      await stack.db.prisma.ledgerEntry.count({
        where: {
          shop: shopper.shop,
          redemptionId: String(body?.id),
          kind: "ADJUSTMENT",
        },
      }),
    ).toBe(0);
  });
});

describe("who may redeem", () => {
  it("a guest gets 401 with the sentence the extension shows", async () => {
    const { shop } = await openShop(0);
    const response = await call(
      "POST",
      "/api/checkout/redemptions",
      token(shop),
      { rewardId: "fixed-500", idempotencyKey: randomUUID() },
    );
    expect(response).toMatchObject({
      status: 401,
      body: { code: "CUSTOMER_REQUIRED", error: "Sign in to use your points." },
    });
  });

  it("a token of shop B can neither read, redeem nor remove shop A's points", async () => {
    const shopA = await openShop(1_000);
    const shopB = await openShop(0);
    const { body } = await redeem(shopA, { rewardId: "fixed-500" });
    // Same customer id, other shop: that shop's member (none), never shop A's.
    const intruder = { shop: shopB.shop, customerId: shopA.customerId };
    expect((await summary(intruder)).body).toMatchObject({
      points: { available: 0, held: 0 },
      openRedemptions: [],
    });
    expect(await redeem(intruder, { rewardId: "fixed-500" })).toMatchObject({
      status: 409,
      body: { available: 0 },
    });
    const removal = await call(
      "DELETE",
      `/api/checkout/redemptions/${String(body?.id)}`,
      token(intruder.shop, intruder.customerId),
    );
    expect(removal.status).toBe(404);
    // Another customer of shop A cannot remove it either.
    const neighbour = await call(
      "DELETE",
      `/api/checkout/redemptions/${String(body?.id)}`,
      token(shopA.shop, shopA.customerId + 1),
    );
    expect(neighbour.status).toBe(404);
    expect(await balances(shopA)).toMatchObject({ available: 500, held: 500 });
  });

  it("a forged token is refused before anything is read", async () => {
    const shopper = await openShop(1_000);
    const forged = mintCheckoutSessionToken({
      shop: shopper.shop,
      customerId: shopper.customerId,
      apiKey: testApp.apiKey,
      secret: "not-the-app-secret",
    });
    const response = await call("POST", "/api/checkout/redemptions", forged, {
      rewardId: "fixed-500",
      idempotencyKey: randomUUID(),
    });
    expect(response.status).toBe(401);
    expect(await balances(shopper)).toMatchObject({
      available: 1_000,
      held: 0,
    });
  });

  it("a token for another app, signed with this app's secret, is refused before anything is read", async () => {
    const shopper = await openShop(1_000);
    const otherApp = mintCheckoutSessionToken({
      shop: shopper.shop,
      customerId: shopper.customerId,
      apiKey: testApp.apiKey,
      secret: testApp.apiSecret,
      audience: "another-app-api-key",
    });
    const response = await call("POST", "/api/checkout/redemptions", otherApp, {
      rewardId: "fixed-500",
      idempotencyKey: randomUUID(),
    });
    expect(response).toMatchObject({
      status: 401,
      body: { code: "INVALID_SESSION_TOKEN" },
    });
    expect((await call("GET", "/api/checkout/loyalty", otherApp)).status).toBe(
      401,
    );
    expect(await balances(shopper)).toMatchObject({
      available: 1_000,
      held: 0,
    });
  });

  it("a malformed body gets 400 with the fields at fault, and nothing is held", async () => {
    const shopper = await openShop(1_000);
    const response = await call(
      "POST",
      "/api/checkout/redemptions",
      token(shopper.shop, shopper.customerId),
      { rewardId: "fixed-500", points: 500, idempotencyKey: "short" },
    );
    expect(response).toMatchObject({
      status: 400,
      body: { code: "INVALID_REQUEST" },
    });
    expect(await balances(shopper)).toMatchObject({
      available: 1_000,
      held: 0,
    });
  });
});
