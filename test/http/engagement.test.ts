import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { ProgramConfig } from "~/loyalty/program";
import {
  awardBirthdays,
  warnExpiringPoints,
} from "~/services/engagement.server";
import { memberSummary } from "~/services/member-summary.server";
import { outboxHandlers, runOutboxOnce } from "~/services/outbox-worker.server";
import { holdPoints, settleRedemption } from "~/services/redemptions.server";
import { settleDueLots } from "~/services/settlement.server";
import { mintCustomerAccountSessionToken } from "../../simulator/session-tokens";
import { customerPayload } from "../../simulator/webhooks";
import { testApp } from "../support/app";
import {
  triggerFields,
  triggerPayloadProblems,
} from "../support/flow-extensions";
import { openProgramShop, sendPaidOrder } from "../support/shops";
import { useTestStack } from "../support/stack";
import { sendWebhook } from "../support/webhooks";

const stack = useTestStack();
const DAY = 86_400_000;
let shopSeq = 0;

const customer = { id: 7001, email: "noor@example.org" };

async function openShop(
  change?: (config: ProgramConfig) => ProgramConfig,
  timezone?: string,
) {
  const shop = await openProgramShop(
    stack,
    `engage-${++shopSeq}.myshopify.com`,
    {
      change,
      timezone,
    },
  );
  stack.simulator.addCustomer(shop, { id: customer.id, email: customer.email });
  return shop;
}

let orderSeq = 5000;

async function paid(shop: string, price: string, createdAt: Date) {
  const response = await sendPaidOrder(stack, shop, {
    id: ++orderSeq,
    price,
    customer,
    createdAt,
  });
  expect(response.status).toBe(200);
}

const member = (shop: string) =>
  stack.db.prisma.member.findUniqueOrThrow({
    where: { shop_customerId: { shop, customerId: String(customer.id) } },
  });

const entries = (shop: string, kind: string) =>
  stack.db.prisma.ledgerEntry.findMany({
    where: { shop, kind },
    orderBy: { id: "asc" },
    select: { idempotencyKey: true, points: true, lotKey: true },
  });

async function hold(shop: string, points: number, now: Date) {
  const { id: memberId } = await member(shop);
  const outcome = await stack.db.sql.transaction((tx) =>
    holdPoints(
      tx,
      { shop, memberId },
      {
        idempotencyKey: `hold-${shop}-${now.getTime()}`,
        points,
        valueMinor: points,
        currency: "USD",
        expiresAt: new Date(now.getTime() + 30 * DAY),
        now,
      },
    ),
  );
  if (!outcome.ok) throw new Error("hold refused");
  return outcome.redemptionId;
}

/** Sends what the outbox holds to the simulator, as the worker would at `at`. */
async function drainOutbox(at?: Date) {
  const { unauthenticated } = await import("~/shopify.server");
  return runOutboxOnce({
    sql: stack.db.sql,
    adminFor: async (shop) => (await unauthenticated.admin(shop)).admin,
    handlers: outboxHandlers,
    workerId: "engagement-test",
    ...(at ? { now: () => at } : {}),
  });
}

/** The Flow triggers the shop received, each checked against its extension's declared fields. */
async function triggersAtShopify(shop: string) {
  const received = stack.simulator.state.require(shop).flowTriggers;
  for (const trigger of received)
    expect(
      triggerPayloadProblems(
        await triggerFields(trigger.handle),
        trigger.payload,
      ),
      trigger.handle,
    ).toEqual([]);
  return received.map(({ handle, payload }) => ({ handle, payload }));
}

describe("expiry per lot", () => {
  it("expires only unspent remainders, never held points, once per lot, catching up after downtime", async () => {
    const shop = await openShop((config) => ({ ...config, expiryDays: 365 }));
    const t0 = Date.now();
    await paid(shop, "100.00", new Date(t0 - 10 * DAY)); // lot A: 100, expires t0 + 355 d
    await paid(shop, "50.00", new Date(t0 - 5 * DAY)); // lot B: 50, expires t0 + 360 d
    // The hold takes the oldest points first: all of A, 20 of B.
    const redemptionId = await hold(shop, 120, new Date(t0));
    expect(await member(shop)).toMatchObject({ available: 30, held: 120 });

    // Nothing is due the day before A expires; after both dates (one run after a long pause)
    // only B's unspent 30 expire: A has nothing left, and the 120 held are in no lot.
    expect(
      await settleDueLots(stack.db.sql, new Date(t0 + 354 * DAY), { shop }),
    ).toEqual({
      members: 0,
      entries: 0,
    });
    expect(
      await settleDueLots(stack.db.sql, new Date(t0 + 361 * DAY), { shop }),
    ).toEqual({
      members: 1,
      entries: 1,
    });
    const [expiry] = await entries(shop, "EXPIRY");
    expect(expiry).toMatchObject({ points: -30 });
    expect(await member(shop)).toMatchObject({ available: 0, held: 120 });
    expect(
      await settleDueLots(stack.db.sql, new Date(t0 + 400 * DAY), { shop }),
    ).toEqual({
      members: 0,
      entries: 0,
    });

    // The code goes unused: the 20 returning to B (already swept) expire at once under the
    // release's key; the 100 returning to A expire at the next run, under A's own key.
    await stack.db.sql.transaction((tx) =>
      settleRedemption(
        tx,
        shop,
        redemptionId,
        "RELEASE",
        new Date(t0 + 401 * DAY),
      ),
    );
    await settleDueLots(stack.db.sql, new Date(t0 + 401 * DAY), { shop });
    expect(
      (await entries(shop, "EXPIRY")).map((entry) => entry.points),
    ).toEqual([-30, -20, -100]);
    expect(await member(shop)).toMatchObject({
      available: 0,
      pending: 0,
      held: 0,
    });
  });

  it("is off by default: points never expire", async () => {
    const shop = await openShop();
    await paid(shop, "10.00", new Date(Date.now() - DAY));
    const lot = await stack.db.prisma.lot.findFirstOrThrow({ where: { shop } });
    expect(lot.expiresAt).toBeNull();
    await settleDueLots(stack.db.sql, new Date(Date.now() + 5000 * DAY), {
      shop,
    });
    expect(await entries(shop, "EXPIRY")).toEqual([]);
  });
});

describe("expiry warnings", () => {
  it("warn once per lot, X days before in the shop's calendar, and the shopper's summary shows what expires when", async () => {
    const shop = await openShop(
      (config) => ({
        ...config,
        expiryDays: 365,
        engagement: { ...config.engagement, expiryWarningDays: 14 },
      }),
      "Asia/Tokyo",
    );
    const t0 = Date.now();
    await paid(shop, "200.00", new Date(t0));
    await hold(shop, 50, new Date(t0));
    const expiresAt = new Date(t0 + 365 * DAY).toISOString();

    expect(
      await warnExpiringPoints(stack.db.sql, new Date(t0 + 340 * DAY), {
        shop,
      }),
    ).toEqual({
      members: 0,
      warnings: 0,
    });
    // Downtime: the first run comes 13 days before, still inside the 14-day window.
    const warnedAt = new Date(t0 + 352 * DAY);
    expect(await warnExpiringPoints(stack.db.sql, warnedAt, { shop })).toEqual({
      members: 1,
      warnings: 1,
    });
    expect(
      await warnExpiringPoints(stack.db.sql, new Date(t0 + 353 * DAY), {
        shop,
      }),
    ).toEqual({
      members: 0,
      warnings: 0,
    });
    await drainOutbox(warnedAt);
    expect(
      (await triggersAtShopify(shop)).filter(
        (trigger) => trigger.handle === "loyalty-points-expiring",
      ),
    ).toEqual([
      {
        handle: "loyalty-points-expiring",
        payload: {
          customer_id: customer.id,
          points: 150, // the 50 held are not at risk
          "expires at": expiresAt,
          balance: 150,
        },
      },
    ]);

    const summary = await memberSummary(
      stack.db.sql,
      shop,
      String(customer.id),
      warnedAt,
    );
    expect(summary?.expiring).toEqual([{ points: 150, expiresAt }]);
  });
});

describe("Flow triggers", () => {
  it("a paid order announces the points earned, the rewards now within reach and the tier reached", async () => {
    const shop = await openShop();
    await paid(shop, "450.00", new Date());
    await paid(shop, "120.00", new Date()); // 570: the 500-point reward and Silver
    expect(await drainOutbox()).toMatchObject({ dead: 0, retrying: 0 });
    expect(await triggersAtShopify(shop)).toEqual([
      {
        handle: "loyalty-points-earned",
        payload: {
          customer_id: customer.id,
          points: 450,
          balance: 450,
          reason: expect.stringMatching(/^order/),
        },
      },
      {
        handle: "loyalty-tier-changed",
        payload: {
          customer_id: customer.id,
          tier: "Bronze",
          "previous tier": "",
          direction: "UP",
        },
      },
      {
        handle: "loyalty-points-earned",
        payload: {
          customer_id: customer.id,
          points: 120,
          balance: 570,
          reason: expect.stringMatching(/^order/),
        },
      },
      {
        handle: "loyalty-reward-available",
        payload: {
          customer_id: customer.id,
          reward: "5.00 off",
          "reward points": 500,
          balance: 570,
        },
      },
      {
        handle: "loyalty-tier-changed",
        payload: {
          customer_id: customer.id,
          tier: "Silver",
          "previous tier": "Bronze",
          direction: "UP",
        },
      },
    ]);
  });
});

/** A request as Flow sends it: the body signed with the app secret. */
function flowRequest(
  body: unknown,
  options: { secret?: string; runId?: string } = {},
) {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  return fetch(`${stack.app.url}/api/flow/award-points`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Hmac-Sha256": createHmac(
        "sha256",
        options.secret ?? testApp.apiSecret,
      )
        .update(raw)
        .digest("base64"),
    },
    body: raw,
  });
}

const awardBody = (shop: string, runId: string, points: unknown = 75) => ({
  shop_id: 1,
  shopify_domain: shop,
  action_run_id: runId,
  action_definition_id: "award-loyalty-points",
  handle: "award-loyalty-points",
  properties: {
    customer_id: customer.id,
    points,
    reason: "Thanks for your review",
  },
});

describe("the Flow action Award loyalty points", () => {
  it("awards once per action run, however often Flow sends it", async () => {
    const shop = await openShop();
    const first = await flowRequest(awardBody(shop, "run-1"));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ ok: true, replayed: false });
    const replay = await flowRequest(awardBody(shop, "run-1"));
    expect(await replay.json()).toEqual({ ok: true, replayed: true });
    expect(await entries(shop, "ADJUSTMENT")).toEqual([
      { idempotencyKey: "flow:run-1:award", points: 75, lotKey: null },
    ]);
    expect(await member(shop)).toMatchObject({
      available: 75,
      lifetimeEarned: 0,
    });
  });

  it("refuses a forged signature with 401 and writes nothing", async () => {
    const shop = await openShop();
    const forged = await flowRequest(awardBody(shop, "run-2"), {
      secret: "not-the-secret",
    });
    expect(forged.status).toBe(401);
    const unsigned = await fetch(`${stack.app.url}/api/flow/award-points`, {
      method: "POST",
      body: JSON.stringify(awardBody(shop, "run-2")),
    });
    expect(unsigned.status).toBe(401);
    expect(await stack.db.prisma.ledgerEntry.count({ where: { shop } })).toBe(
      0,
    );
  });

  it.each([
    ["points that are not whole", 1.5],
    ["no points", 0],
    ["points as words", "many"],
  ])("answers 400 for %s", async (_, points) => {
    const shop = await openShop();
    const response = await flowRequest(awardBody(shop, "run-3", points));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "INVALID_REQUEST" });
    expect(await stack.db.prisma.ledgerEntry.count({ where: { shop } })).toBe(
      0,
    );
  });

  it("answers 400 for a signed body that is not JSON, and 409 while the program is off", async () => {
    const shop = await openShop((config) => ({ ...config, enabled: false }));
    expect((await flowRequest("{ not json")).status).toBe(400);
    const off = await flowRequest(awardBody(shop, "run-4"));
    expect(off.status).toBe(409);
    expect(await off.json()).toMatchObject({ code: "PROGRAM_DISABLED" });
  });
});

/** The shopper sets their birthday on the account page (customer account session token). */
function setBirthday(shop: string, birthday: string) {
  return fetch(`${stack.app.url}/api/checkout/birthday`, {
    method: "POST",
    headers: {
      Origin: "https://extensions.shopifycdn.com",
      "User-Agent":
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
      "Content-Type": "application/json",
      Authorization: `Bearer ${mintCustomerAccountSessionToken({
        shop,
        customerId: customer.id,
        apiKey: testApp.apiKey,
        secret: testApp.apiSecret,
      })}`,
    },
    body: JSON.stringify({ birthday }),
  });
}

describe("birthdays", () => {
  const birthdayShop = () =>
    openShop(
      (config) => ({
        ...config,
        engagement: {
          ...config.engagement,
          birthday: { enabled: true, points: 100 },
        },
      }),
      "Pacific/Auckland",
    );

  it("rewards on the birthday in the shop's time zone, catches up after downtime, and once a year whatever the birthday says", async () => {
    const shop = await birthdayShop();
    const set = await setBirthday(shop, "1990-03-15");
    expect(set.status).toBe(200);
    expect(await member(shop)).toMatchObject({ birthday: "1990-03-15" });

    // 14 March 10:00 UTC is still the 14th in Auckland (23:00): not yet.
    expect(
      await awardBirthdays(stack.db.sql, new Date("2026-03-14T10:00:00Z"), {
        shop,
      }),
    ).toEqual({
      rewarded: 0,
    });
    // The job was down over the birthday; three days later it catches up.
    expect(
      await awardBirthdays(stack.db.sql, new Date("2026-03-17T12:00:00Z"), {
        shop,
      }),
    ).toEqual({
      rewarded: 1,
    });
    expect(
      await awardBirthdays(stack.db.sql, new Date("2026-03-17T13:00:00Z"), {
        shop,
      }),
    ).toEqual({
      rewarded: 0,
    });
    // A new birthday later that year earns nothing more this year; next year it does.
    expect((await setBirthday(shop, "1990-06-01")).status).toBe(200);
    expect(
      await awardBirthdays(stack.db.sql, new Date("2026-06-01T00:00:00Z"), {
        shop,
      }),
    ).toEqual({
      rewarded: 0,
    });
    expect(
      await awardBirthdays(stack.db.sql, new Date("2027-06-01T00:00:00Z"), {
        shop,
      }),
    ).toEqual({
      rewarded: 1,
    });
    const { id } = await member(shop);
    expect(
      (await entries(shop, "EARN")).map((entry) => [
        entry.idempotencyKey,
        entry.points,
      ]),
    ).toEqual([
      [`birthday:${id}:2026`, 100],
      [`birthday:${id}:2027`, 100],
    ]);

    const summary = await memberSummary(
      stack.db.sql,
      shop,
      String(customer.id),
    );
    expect(summary?.birthday).toBe("1990-06-01");
    await drainOutbox();
    const metafield = [
      ...stack.simulator.state.require(shop).metafields.values(),
    ].find((candidate) => candidate.key === "birthday");
    expect(metafield).toMatchObject({ type: "date", value: "1990-06-01" });
  });

  it("waits for next year when the birthday is entered long after it passed", async () => {
    const shop = await birthdayShop();
    await setBirthday(shop, "1985-01-10");
    expect(
      await awardBirthdays(stack.db.sql, new Date("2026-02-10T00:00:00Z"), {
        shop,
      }),
    ).toEqual({
      rewarded: 0,
    });
  });

  it.each(["1990-02-30", "15/03/1990", "2999-01-01"])(
    "refuses the birthday %s with 400",
    async (birthday) => {
      const shop = await birthdayShop();
      expect((await setBirthday(shop, birthday)).status).toBe(400);
    },
  );

  it("celebrates an imported birthday across New Year in the shop's time zone", async () => {
    const shop = await birthdayShop();
    await sendWebhook(
      stack.app,
      shop,
      "customers/create",
      customerPayload({ ...customer, first_name: "Noor", last_name: "Haddad" }),
    );
    await stack.db.sql.query(
      `UPDATE "Member" SET birthday = '1970-12-31' WHERE shop = $1`,
      [shop],
    );
    // New Year in Auckland: the 31 December birthday of the year before is still caught up.
    expect(
      await awardBirthdays(stack.db.sql, new Date("2027-01-01T02:00:00Z"), {
        shop,
      }),
    ).toEqual({
      rewarded: 1,
    });
    const { id } = await member(shop);
    expect(
      (await entries(shop, "EARN")).map((entry) => entry.idempotencyKey),
    ).toEqual([`birthday:${id}:2026`]);
  });
});
