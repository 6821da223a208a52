import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { earn } from "~/loyalty/ledger";
import { exportMemberData } from "~/services/compliance.server";
import {
  cachedMemberState,
  writeLedger,
  type MemberRef,
} from "~/services/ledger.server";
import { ensureMember } from "~/services/members.server";
import { ensureShop } from "~/services/program.server";
import {
  appUninstalledPayload,
  customersDataRequestPayload,
  customersRedactPayload,
  shopRedactPayload,
} from "../../simulator/webhooks";
import { startTestApp, type RunningApp } from "../support/app";
import { allowConsoleError } from "../support/console";
import { findTextAnywhere, rowsOfShop } from "../../scripts/lib/database-scan";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { sendWebhook } from "../support/webhooks";

const shop = "compliance-shop.myshopify.com";
const neighbour = "neighbour-shop.myshopify.com";
const shopId = 690933842;
const shopper = {
  id: 207119551,
  email: "ada.lovelace@example.org",
  // Not a word of hex digits: ids and keys in the scanned tables are hex, and must not match it.
  firstName: "Augusta",
  lastName: "Lovelace",
};

let db: TestDatabase;
let app: RunningApp;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startTestApp({ database: db });
});
afterAll(async () => {
  await app?.close();
  await db?.destroy();
});

async function seedShop(
  name: string,
  profile: { email: string; firstName: string; lastName: string },
): Promise<MemberRef> {
  await db.sql.transaction((tx) =>
    ensureShop(tx, { shop: name, currency: "EUR" }),
  );
  await db.prisma.session.create({
    data: {
      id: `offline_${name}`,
      shop: name,
      state: "local",
      accessToken: "shpat_test",
      isOnline: false,
    },
  });
  // A guest order kept for matching and an unreadable delivery: both carry the e-mail.
  await db.prisma.orderRecord.create({
    data: {
      shop: name,
      orderId: "450789470",
      outcome: "IGNORED",
      reason: "GUEST",
      guestEmail: profile.email,
    },
  });
  await db.prisma.refundRecord.create({
    data: {
      shop: name,
      refundId: "509562969",
      orderId: "450789469",
      lines: [],
      moneyRefunded: true,
      refundedAt: new Date(),
    },
  });
  await db.prisma.deadLetter.create({
    data: {
      shop: name,
      topic: "ORDERS_PAID",
      webhookId: `dead-${name}`,
      rawBody: JSON.stringify({ email: profile.email, line_items: "?" }),
      error: "line_items: expected array",
    },
  });
  return db.sql.transaction(async (tx) => {
    const member = await ensureMember(tx, name, String(shopper.id), profile);
    const at = new Date("2026-05-01T12:00:00Z");
    await writeLedger(tx, member, {
      key: "order:450789469:earn",
      plan: (state) =>
        earn(state, {
          key: "order:450789469:earn",
          points: 250,
          occurredAt: at,
          availableAt: at,
          expiresAt: null,
          now: at,
        }),
    });
    return member;
  });
}

async function resetDatabase() {
  for (const name of [shop, neighbour]) {
    await db.prisma.$transaction([
      db.prisma.lotAllocation.deleteMany({ where: { shop: name } }),
      db.prisma.lot.deleteMany({ where: { shop: name } }),
      db.prisma.ledgerEntry.deleteMany({ where: { shop: name } }),
      db.prisma.redemption.deleteMany({ where: { shop: name } }),
      db.prisma.orderRecord.deleteMany({ where: { shop: name } }),
      db.prisma.refundRecord.deleteMany({ where: { shop: name } }),
      db.prisma.member.deleteMany({ where: { shop: name } }),
      db.prisma.complianceRequest.deleteMany({ where: { shop: name } }),
      db.prisma.webhookEvent.deleteMany({ where: { shop: name } }),
      db.prisma.session.deleteMany({ where: { shop: name } }),
      db.prisma.deadLetter.deleteMany({ where: { shop: name } }),
      db.prisma.shop.deleteMany({ where: { shop: name } }),
    ]);
  }
}

let member: MemberRef;
beforeEach(async () => {
  await resetDatabase();
  member = await seedShop(shop, {
    email: shopper.email,
    firstName: shopper.firstName,
    lastName: shopper.lastName,
  });
  // Shopify customer ids are per shop: the neighbour's customer with the same id is someone else.
  await seedShop(neighbour, {
    email: "grace.hopper@example.org",
    firstName: "Grace",
    lastName: "Hopper",
  });
});

const compliance = { shopId, shopDomain: shop };
const customer = {
  id: shopper.id,
  email: shopper.email,
  phone: "+16135551111",
};

describe("webhook signatures", () => {
  it.each([
    [
      "app/uninstalled",
      appUninstalledPayload({ id: shopId, shopDomain: shop }),
    ],
    [
      "customers/data_request",
      customersDataRequestPayload({
        ...compliance,
        customer,
        dataRequestId: 9999,
      }),
    ],
    ["customers/redact", customersRedactPayload({ ...compliance, customer })],
    ["shop/redact", shopRedactPayload(compliance)],
    ["orders/paid", {}],
    ["refunds/create", {}],
  ])(
    "a forged %s delivery gets 401 and writes nothing",
    async (topic, payload) => {
      const before = await rowsOfShop(db.prisma, shop);
      const forged = await sendWebhook(app, shop, topic, payload, {
        secret: "not-the-app-secret",
      });
      expect(forged.status).toBe(401);
      expect(await rowsOfShop(db.prisma, shop)).toEqual(before);
    },
  );

  it("a delivery without Shopify's headers gets 400", async () => {
    const response = await sendWebhook(
      app,
      shop,
      "shop/redact",
      shopRedactPayload(compliance),
      {
        omitHeaders: ["X-Shopify-Topic"],
      },
    );
    expect(response.status).toBe(400);
    expect(await db.prisma.shop.count({ where: { shop } })).toBe(1);
  });
});

describe("app/uninstalled", () => {
  it("removes the shop's sessions and keeps its program data until shop/redact", async () => {
    const response = await sendWebhook(
      app,
      shop,
      "app/uninstalled",
      appUninstalledPayload({ id: shopId, shopDomain: shop }),
    );
    expect(response.status).toBe(200);
    expect(await db.prisma.session.count({ where: { shop } })).toBe(0);
    expect(await db.prisma.shop.findUnique({ where: { shop } })).toMatchObject({
      uninstalledAt: expect.any(Date),
    });
    expect(await db.prisma.ledgerEntry.count({ where: { shop } })).toBe(1);
    expect(await db.prisma.session.count({ where: { shop: neighbour } })).toBe(
      1,
    );
  });
});

describe("customers/data_request", () => {
  it("records the request, and the member's data can be exported as JSON", async () => {
    const payload = customersDataRequestPayload({
      ...compliance,
      customer,
      ordersRequested: [450789469],
      dataRequestId: 9999,
    });
    expect(
      (await sendWebhook(app, shop, "customers/data_request", payload)).status,
    ).toBe(200);
    const requests = await db.prisma.complianceRequest.findMany({
      where: { shop },
    });
    expect(requests).toEqual([
      expect.objectContaining({
        topic: "CUSTOMERS_DATA_REQUEST",
        customerId: String(shopper.id),
        detail: { dataRequestId: "9999", ordersRequested: ["450789469"] },
      }),
    ]);

    const exported = await exportMemberData(
      db.prisma,
      shop,
      String(shopper.id),
      new Date(),
    );
    expect(exported?.member).toMatchObject({
      email: shopper.email,
      points: { available: 250 },
    });
    expect(exported?.ledger).toEqual([
      expect.objectContaining({ kind: "EARN", points: 250 }),
    ]);
    expect(JSON.parse(JSON.stringify(exported))).toEqual(exported);
  });

  it("is recorded once when Shopify retries it or sends it through a second subscription", async () => {
    const payload = customersDataRequestPayload({
      ...compliance,
      customer,
      dataRequestId: 1234,
    });
    const first = await sendWebhook(
      app,
      shop,
      "customers/data_request",
      payload,
      { webhookId: "w-1", eventId: "e-1" },
    );
    const retry = await sendWebhook(
      app,
      shop,
      "customers/data_request",
      payload,
      { webhookId: "w-1", eventId: "e-1" },
    );
    const secondSubscription = await sendWebhook(
      app,
      shop,
      "customers/data_request",
      payload,
      {
        webhookId: "w-2",
        eventId: "e-1",
      },
    );
    expect([first.status, retry.status, secondSubscription.status]).toEqual([
      200, 200, 200,
    ]);
    expect(JSON.parse(retry.body)).toEqual({ status: "duplicate" });
    expect(JSON.parse(secondSubscription.body)).toEqual({
      status: "duplicate",
    });
    expect(await db.prisma.complianceRequest.count({ where: { shop } })).toBe(
      1,
    );
  });
});

describe("customers/redact", () => {
  it("leaves no personal data of the shopper anywhere, and the ledger's arithmetic unchanged", async () => {
    const before = await db.sql.transaction((tx) =>
      cachedMemberState(tx, member),
    );
    const payload = customersRedactPayload({
      ...compliance,
      customer,
      ordersToRedact: [450789469],
    });
    expect(
      (await sendWebhook(app, shop, "customers/redact", payload)).status,
    ).toBe(200);

    expect(
      await db.prisma.member.findFirst({ where: { id: member.memberId } }),
    ).toMatchObject({
      email: null,
      firstName: null,
      lastName: null,
      redactedAt: expect.any(Date),
    });
    expect(
      await db.sql.transaction((tx) => cachedMemberState(tx, member)),
    ).toEqual(before);
    expect(await db.prisma.ledgerEntry.count({ where: { shop } })).toBe(1);
    for (const value of [
      shopper.email,
      shopper.firstName,
      shopper.lastName,
      customer.phone,
    ]) {
      expect(await findTextAnywhere(db.prisma, value), value).toEqual([]);
    }
  });
});

describe("shop/redact", () => {
  it("deletes every row of the shop and nothing of any other shop", async () => {
    // A tier change and a job for Shopify, as every shop whose members earn has them.
    for (const name of [shop, neighbour]) {
      await db.prisma.tierChange.create({
        data: {
          shop: name,
          memberId: member.memberId,
          toHandle: "silver",
          direction: "UP",
          reason: "EARNED",
          rewardedHandles: [],
          at: new Date(),
        },
      });
      await db.prisma.outboxJob.create({
        data: {
          shop: name,
          kind: "CUSTOMER_TAGS",
          payload: { customerId: String(shopper.id), add: [], remove: [] },
        },
      });
    }
    const neighbourBefore = await rowsOfShop(db.prisma, neighbour);
    expect(
      (
        await sendWebhook(
          app,
          shop,
          "shop/redact",
          shopRedactPayload(compliance),
        )
      ).status,
    ).toBe(200);
    const remaining = await rowsOfShop(db.prisma, shop);
    expect(Object.values(remaining).reduce((sum, n) => sum + n, 0)).toBe(0);
    expect(await rowsOfShop(db.prisma, neighbour)).toEqual(neighbourBefore);
  });
});

describe("bad input", () => {
  it("a signed delivery with a malformed payload gets 400, changes nothing, and is kept as a dead letter", async () => {
    const before = await rowsOfShop(db.prisma, shop);
    const response = await sendWebhook(app, shop, "customers/redact", {
      shop_id: shopId,
      customer: { id: "not-a-number" },
    });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).problems).toEqual(
      expect.arrayContaining([expect.stringContaining("customer.id")]),
    );
    expect(await rowsOfShop(db.prisma, shop)).toEqual({
      ...before,
      DeadLetter: (before.DeadLetter ?? 0) + 1,
    });
  });

  it("a signed body with a NUL byte gets 400 and is kept as a dead letter, not retried for ever", async () => {
    const before = await db.prisma.deadLetter.count({ where: { shop } });
    const response = await sendWebhook(
      app,
      shop,
      "customers/redact",
      undefined,
      { rawBody: `{"shop_id": ${shopId}, "customer": \u0000}` },
    );
    expect(response.status).toBe(400);
    expect(await db.prisma.deadLetter.count({ where: { shop } })).toBe(
      before + 1,
    );
  });

  it("an id beyond a JSON number's precision is refused rather than rounded onto another shopper", async () => {
    // Written into the raw body: as a JavaScript number it would already have lost its last digits.
    const rawBody = JSON.stringify({
      ...customersRedactPayload({ ...compliance, customer }),
      customer: { id: "ID" },
    }).replace('"ID"', "820982911946154508");
    const response = await sendWebhook(
      app,
      shop,
      "customers/redact",
      undefined,
      { rawBody },
    );
    expect(response.status).toBe(400);
  });

  it("a delivery of one topic to another topic's route gets 400", async () => {
    const response = await sendWebhook(
      app,
      shop,
      "customers/redact",
      customersRedactPayload({ ...compliance, customer }),
      {
        path: "shop/redact",
      },
    );
    expect(response.status).toBe(400);
    expect(await db.prisma.shop.count({ where: { shop } })).toBe(1);
  });
});

describe("an unexpected failure", () => {
  it("answers 500, rolls back the dedupe marker, and Shopify's retry then succeeds", async () => {
    allowConsoleError();
    const payload = customersDataRequestPayload({
      ...compliance,
      customer,
      dataRequestId: 77,
    });
    await db.prisma.$executeRawUnsafe(
      `ALTER TABLE "ComplianceRequest" RENAME TO "ComplianceRequestAway"`,
    );
    let failed;
    try {
      failed = await sendWebhook(app, shop, "customers/data_request", payload, {
        webhookId: "retry-me",
      });
    } finally {
      await db.prisma.$executeRawUnsafe(
        `ALTER TABLE "ComplianceRequestAway" RENAME TO "ComplianceRequest"`,
      );
    }
    expect(failed.status).toBe(500);
    expect(
      await db.prisma.webhookEvent.count({
        where: { shop, webhookId: "retry-me" },
      }),
    ).toBe(0);

    const retried = await sendWebhook(
      app,
      shop,
      "customers/data_request",
      payload,
      { webhookId: "retry-me" },
    );
    expect(retried.status).toBe(200);
    expect(await db.prisma.complianceRequest.count({ where: { shop } })).toBe(
      1,
    );
  });
});
