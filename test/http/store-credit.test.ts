import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { ProgramConfig } from "~/loyalty/program";
import type { OrderInput } from "../../simulator/orders";
import { pointsWorth, type Loyalty } from "../../extensions/shared/api";
import { deliverPaidOrder } from "../support/orders";
import {
  checkedBalances,
  shopperCall,
  shopperSummary,
  shopperToken,
  type Shopper,
} from "../support/shopper";
import { openProgramShop } from "../support/shops";
import { useTestStack } from "../support/stack";

// Cashback as store credit over HTTP: the shopper's request, the simulator as Shopify keeping the
// customer's store credit balance, and the hold posted, released, or kept when the answer is lost.

const stack = useTestStack();
let shopSeq = 0;
let idSeq = 70_000;

async function openShop(
  points: number,
  change: (config: ProgramConfig) => ProgramConfig = (config) => config,
  atShopify = true,
): Promise<Shopper> {
  const shop = await openProgramShop(
    stack,
    `credit-${++shopSeq}.myshopify.com`,
    {
      change: (config) =>
        change({
          ...config,
          growth: {
            ...config.growth,
            storeCredit: {
              enabled: true,
              stepPoints: 100,
              minPoints: 100,
              maxPoints: 5_000,
            },
          },
        }),
    },
  );
  const customerId = ++idSeq;
  const id = ++idSeq;
  const order: OrderInput = {
    id,
    currency: "USD",
    customer: { id: customerId, email: `shopper${customerId}@example.org` },
    lines: [{ id: id * 10, price: `${points}.00`, quantity: 1 }],
    createdAt: new Date().toISOString(),
  };
  // The customer exists at Shopify only when the order was placed there.
  if (atShopify) stack.simulator.state.addOrder(shop, order);
  await deliverPaidOrder(stack, shop, order);
  return { shop, customerId };
}

const convert = (shopper: Shopper, body: Record<string, unknown>) =>
  shopperCall(
    stack.app,
    "POST",
    "/api/checkout/store-credit",
    shopperToken(shopper.shop, shopper.customerId),
    body,
  );

const offered = async (shopper: Shopper) =>
  (await shopperSummary<Loyalty>(stack.app, shopper)).storeCredit;

const balances = (shopper: Shopper) => checkedBalances(stack, shopper);

const credited = (shop: string) =>
  [...stack.simulator.state.require(shop).storeCreditAccounts.values()].map(
    (account) => ({
      balance: account.balance,
      transactions: account.transactions.length,
    }),
  );

const creditCalls = (shop: string) =>
  stack.simulator.calls.filter(
    (call) =>
      call.shop === shop && call.operationName === "LoyaltyStoreCreditCredit",
  ).length;

const redemptionsOf = (shop: string) =>
  stack.db.prisma.redemption.findMany({
    where: { shop },
    orderBy: { createdAt: "asc" },
  });

describe("points as store credit", () => {
  it("hold → store credit at Shopify → posted; the same request again credits nothing more", async () => {
    const shopper = await openShop(1_200);
    const idempotencyKey = randomUUID();
    const first = await convert(shopper, { points: 500, idempotencyKey });
    expect(first).toMatchObject({
      status: 201,
      body: {
        points: 500,
        amountMinor: 500,
        currency: "USD",
        status: "POSTED",
      },
    });
    expect(credited(shopper.shop)).toEqual([{ balance: 500, transactions: 1 }]);
    expect(await balances(shopper)).toMatchObject({ available: 700, held: 0 });
    const [redemption] = await redemptionsOf(shopper.shop);
    expect(redemption).toMatchObject({
      kind: "STORE_CREDIT",
      status: "POSTED",
      code: null,
      creditTransactionId: expect.stringMatching(
        /^gid:\/\/shopify\/StoreCreditAccountCreditTransaction\//,
      ),
    });
    const keys = await stack.db.prisma.ledgerEntry.findMany({
      where: { shop: shopper.shop, redemptionId: redemption?.id },
      orderBy: { id: "asc" },
    });
    expect(keys.map((entry) => entry.kind)).toEqual([
      "REDEMPTION_HOLD",
      "REDEMPTION_POST",
    ]);

    const again = await convert(shopper, { points: 500, idempotencyKey });
    expect(again).toMatchObject({
      status: 200,
      body: { id: first.body?.id, status: "POSTED" },
    });
    expect(creditCalls(shopper.shop)).toBe(1);
    expect(credited(shopper.shop)).toEqual([{ balance: 500, transactions: 1 }]);
  });

  it("hold → Shopify refuses → released, and the answer says so", async () => {
    const shopper = await openShop(800, (config) => config, false);
    const response = await convert(shopper, {
      points: 300,
      idempotencyKey: randomUUID(),
    });
    expect(response).toMatchObject({
      status: 502,
      body: { code: "SHOPIFY_REFUSED" },
    });
    expect(await balances(shopper)).toMatchObject({ available: 800, held: 0 });
    expect(await redemptionsOf(shopper.shop)).toMatchObject([
      { status: "RELEASED", releaseReason: "SHOPIFY_REFUSED" },
    ]);
    expect(credited(shopper.shop)).toEqual([]);
  });

  it("hold → no answer from Shopify → stays held, and a retry never sends it again", async () => {
    const shopper = await openShop(900);
    const idempotencyKey = randomUUID();
    stack.simulator.faults.enqueue(
      { kind: "HTTP", status: 503 },
      { shop: shopper.shop },
    );
    const lost = await convert(shopper, { points: 400, idempotencyKey });
    expect(lost).toMatchObject({
      status: 202,
      body: { code: "UNCONFIRMED", status: "HELD" },
    });
    const sent = creditCalls(shopper.shop);
    expect(await balances(shopper)).toMatchObject({
      available: 500,
      held: 400,
    });

    const retried = await convert(shopper, { points: 400, idempotencyKey });
    expect(retried).toMatchObject({
      status: 202,
      body: { code: "UNCONFIRMED", id: lost.body?.id },
    });
    expect(creditCalls(shopper.shop)).toBe(sent);
    expect(await balances(shopper)).toMatchObject({
      available: 500,
      held: 400,
    });
    expect(await redemptionsOf(shopper.shop)).toMatchObject([
      { status: "HELD", creditSentAt: expect.any(Date) },
    ]);
    // The shopper is told what the held points wait for: not a code, but this credit.
    expect(await shopperSummary<Loyalty>(stack.app, shopper)).toMatchObject({
      points: { held: 400 },
      heldForStoreCredit: 400,
      openRedemptions: [],
    });
  });

  it.each<[string, number, string, Record<string, unknown>]>([
    ["not a whole number of steps", 422, "NOT_APPLICABLE", { points: 250 }],
    ["more than the maximum", 422, "NOT_APPLICABLE", { points: 6_000 }],
    ["more than the balance", 409, "INSUFFICIENT_POINTS", { points: 1_000 }],
    ["a malformed body", 400, "INVALID_REQUEST", { points: "lots" }],
  ])(
    "%s: %d %s, nothing held or credited",
    async (_case, status, code, body) => {
      const shopper = await openShop(600);
      const response = await convert(shopper, {
        idempotencyKey: randomUUID(),
        ...body,
      });
      expect(response).toMatchObject({ status, body: { code } });
      expect(await balances(shopper)).toMatchObject({
        available: 600,
        held: 0,
      });
      expect(await redemptionsOf(shopper.shop)).toEqual([]);
      expect(credited(shopper.shop)).toEqual([]);
    },
  );

  it("is refused with 409 while the merchant has not turned it on", async () => {
    const shopper = await openShop(600, (config) => ({
      ...config,
      growth: {
        ...config.growth,
        storeCredit: { ...config.growth.storeCredit, enabled: false },
      },
    }));
    const response = await convert(shopper, {
      points: 100,
      idempotencyKey: randomUUID(),
    });
    expect(response).toMatchObject({
      status: 409,
      body: { code: "STORE_CREDIT_OFF" },
    });
    expect(await balances(shopper)).toMatchObject({ available: 600, held: 0 });
  });
});

describe("store credit in the shopper's summary", () => {
  it.each<[string, (config: ProgramConfig) => ProgramConfig]>([
    [
      "store credit is off",
      (config) => ({
        ...config,
        growth: {
          ...config.growth,
          storeCredit: { ...config.growth.storeCredit, enabled: false },
        },
      }),
    ],
    ["the program is paused", (config) => ({ ...config, enabled: false })],
  ])("is null while %s", async (_case, change) => {
    expect(await offered(await openShop(600, change))).toBeNull();
  });

  it("offers the steps the shopper's points allow, up to the merchant's maximum", async () => {
    expect(await offered(await openShop(1_250))).toEqual({
      stepPoints: 100,
      minPoints: 100,
      maxPoints: 1_200,
      price: { points: 100, amountMinor: 100 },
    });
    expect((await offered(await openShop(7_000)))?.maxPoints).toBe(5_000);
  });

  it("offers a maximum below the minimum while the shopper has too few points", async () => {
    expect(await offered(await openShop(60))).toMatchObject({
      minPoints: 100,
      maxPoints: 0,
    });
  });

  it("shows for the points chosen what converting them credits, and the balance left after", async () => {
    // At 300 points a dollar a step of 100 is worth 33 cents, but 300 points a whole dollar.
    const shopper = await openShop(1_250, (config) => ({
      ...config,
      redemption: { ...config.redemption, pointsPerUnit: 300 },
    }));
    for (const points of [400, 300]) {
      const offer = await offered(shopper);
      if (offer === null || offer === undefined) throw new Error("not offered");
      const shown = pointsWorth(offer.price, points);
      const response = await convert(shopper, {
        points,
        idempotencyKey: randomUUID(),
      });
      expect(response).toMatchObject({
        status: 201,
        body: { points, amountMinor: shown },
      });
    }
    expect(credited(shopper.shop)).toEqual([{ balance: 233, transactions: 2 }]);
    expect(await offered(shopper)).toMatchObject({ maxPoints: 500 });
  });

  it("names a conversion in the shopper's history as store credit, not as a discount code", async () => {
    const shopper = await openShop(1_000);
    expect(
      await convert(shopper, { points: 300, idempotencyKey: randomUUID() }),
    ).toMatchObject({ status: 201 });
    const { recent } = await shopperSummary<Loyalty>(stack.app, shopper);
    expect(recent.map((line) => [line.kind, line.points])).toEqual([
      ["STORE_CREDIT", -300],
      ["EARN", 1_000],
    ]);
  });
});
