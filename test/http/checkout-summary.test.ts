import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Tx } from "~/db/client.server";
import { earn } from "~/loyalty/ledger";
import { writeLedger, type MemberRef } from "~/services/ledger.server";
import { ensureMember } from "~/services/members.server";
import { memberSummary } from "~/services/member-summary.server";
import { ensureShop } from "~/services/program.server";
import { holdPoints } from "~/services/redemptions.server";
import {
  mintAdminSessionToken,
  mintCheckoutSessionToken,
  type SessionTokenFaults,
} from "../../simulator/session-tokens";
import { customersRedactPayload } from "../../simulator/webhooks";
import { startTestApp, testApp, type RunningApp } from "../support/app";
import { allowConsoleError } from "../support/console";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { sendWebhook } from "../support/webhooks";

const shopA = "summary-a.myshopify.com";
const shopB = "summary-b.myshopify.com";
const shopWithoutProgram = "summary-c.myshopify.com";

// Checkout UI extensions run in a web worker on Shopify's extensions CDN, so every call is
// cross-origin; the library only adds CORS headers when the Origin differs from the app's URL.
const extensionOrigin = "https://extensions.shopifycdn.com";
// Node's fetch says "node", which the library's bot filter answers with 410 before any auth.
const browserAgent =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

const corsHeaders = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "Authorization, Content-Type",
  "access-control-expose-headers":
    "X-Shopify-API-Request-Failure-Reauthorize-Url",
};

/** Shop A's member 7001: earned, pending and held points, all distinct numbers. */
const memberBalances = {
  available: 1145,
  pending: 567,
  held: 89,
  lifetimeEarned: 1234,
};
const zeros = { available: 0, pending: 0, held: 0, lifetimeEarned: 0 };

let db: TestDatabase;
let app: RunningApp;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startTestApp({ database: db });
  await seed();
});
afterAll(async () => {
  await app?.close();
  await db?.destroy();
});

const DAY = 86_400_000;

function earnPoints(
  tx: Tx,
  member: MemberRef,
  input: {
    key: string;
    points: number;
    occurredAt: Date;
    availableAt: Date;
    expiresAt?: Date;
    now: Date;
  },
) {
  return writeLedger(tx, member, {
    key: input.key,
    plan: (state) =>
      earn(state, { ...input, expiresAt: input.expiresAt ?? null }),
  });
}

async function seed() {
  const now = new Date();
  await db.sql.transaction(async (tx) => {
    await ensureShop(tx, { shop: shopA, currency: "EUR" });
    await ensureShop(tx, { shop: shopB, currency: "USD" });

    // 7001: 1234 earned, 567 still pending (returns window), 89 held by a redemption at checkout.
    const member = await ensureMember(tx, shopA, "7001");
    const earnedAt = new Date(now.getTime() - DAY);
    await earnPoints(tx, member, {
      key: "order:1:earn",
      points: 1234,
      occurredAt: earnedAt,
      availableAt: earnedAt,
      now: earnedAt,
    });
    await earnPoints(tx, member, {
      key: "order:2:earn",
      points: 567,
      occurredAt: now,
      availableAt: new Date(now.getTime() + 14 * DAY),
      now,
    });
    const held = await holdPoints(tx, member, {
      idempotencyKey: "checkout:hold-1",
      points: 89,
      valueMinor: 89,
      currency: "EUR",
      expiresAt: new Date(now.getTime() + 15 * 60_000),
      now,
    });
    expect(held).toMatchObject({ ok: true });

    // 7002: written to 20 days ago; since then 300 points matured and 50 expired, unwritten.
    const stale = await ensureMember(tx, shopA, "7002");
    const then = new Date(now.getTime() - 20 * DAY);
    await earnPoints(tx, stale, {
      key: "order:3:earn",
      points: 50,
      occurredAt: then,
      availableAt: then,
      expiresAt: new Date(now.getTime() - DAY),
      now: then,
    });
    await earnPoints(tx, stale, {
      key: "order:4:earn",
      points: 300,
      occurredAt: then,
      availableAt: new Date(now.getTime() - 6 * DAY),
      now: then,
    });

    // 7003: has points, then asks for their data to be erased.
    await earnPoints(tx, await ensureMember(tx, shopA, "7003"), {
      key: "order:5:earn",
      points: 400,
      occurredAt: earnedAt,
      availableAt: earnedAt,
      now: earnedAt,
    });

    // Shop B's customer 7002 is someone else than shop A's 7002 (customer ids are per shop).
    await earnPoints(tx, await ensureMember(tx, shopB, "7002"), {
      key: "order:1:earn",
      points: 42,
      occurredAt: earnedAt,
      availableAt: earnedAt,
      now: earnedAt,
    });
  });
}

function checkoutToken(
  shop: string,
  customerId?: number,
  faults: SessionTokenFaults = {},
): string {
  return mintCheckoutSessionToken({
    shop,
    customerId,
    apiKey: testApp.apiKey,
    secret: testApp.apiSecret,
    ...faults,
  });
}

async function request(
  options: { token?: string; authorization?: string; method?: string } = {},
) {
  const authorization =
    options.authorization ??
    (options.token === undefined ? undefined : `Bearer ${options.token}`);
  const response = await fetch(`${app.url}/api/checkout/loyalty`, {
    method: options.method ?? "GET",
    headers: {
      Origin: extensionOrigin,
      "User-Agent": browserAgent,
      ...(authorization === undefined ? {} : { Authorization: authorization }),
      ...(options.method === "OPTIONS"
        ? {
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
          }
        : {}),
    },
  });
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    text: await response.text(),
  };
}

const summary = (points: typeof zeros, currency: string) =>
  expect.objectContaining({ points, currency });

describe("a logged-in customer", () => {
  it("who is a member gets their available, pending, held and lifetime earned points", async () => {
    const response = await request({ token: checkoutToken(shopA, 7001) });
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(response.text)).toEqual(summary(memberBalances, "EUR"));
  });

  it("sees lots that matured or expired since the last write settled, and the read writes nothing", async () => {
    const entriesBefore = await db.prisma.ledgerEntry.count({
      where: { shop: shopA },
    });
    const response = await request({ token: checkoutToken(shopA, 7002) });
    expect(JSON.parse(response.text)).toEqual(
      summary(
        { available: 300, pending: 0, held: 0, lifetimeEarned: 350 },
        "EUR",
      ),
    );
    expect(
      await db.prisma.member.findUnique({
        where: { shop_customerId: { shop: shopA, customerId: "7002" } },
        select: { available: true, pending: true },
      }),
    ).toEqual({ available: 50, pending: 300 });
    expect(await db.prisma.ledgerEntry.count({ where: { shop: shopA } })).toBe(
      entriesBefore,
    );
  });

  it("who is not a member yet gets zeros, and no member is created", async () => {
    const response = await request({ token: checkoutToken(shopA, 9001) });
    expect({
      status: response.status,
      body: JSON.parse(response.text),
    }).toEqual({ status: 200, body: summary(zeros, "EUR") });
    expect(
      await db.prisma.member.count({
        where: { shop: shopA, customerId: "9001" },
      }),
    ).toBe(0);
  });

  it("whose data was redacted gets zeros", async () => {
    const redacted = await sendWebhook(
      app,
      shopA,
      "customers/redact",
      customersRedactPayload({
        shopId: 1,
        shopDomain: shopA,
        customer: { id: 7003, email: "erased@example.org" },
      }),
    );
    expect(redacted.status).toBe(200);
    const response = await request({ token: checkoutToken(shopA, 7003) });
    expect(JSON.parse(response.text)).toEqual(summary(zeros, "EUR"));
  });
});

describe("a guest", () => {
  it("is asked to sign in, with CORS headers so the extension can read why", async () => {
    const response = await request({ token: checkoutToken(shopA) });
    expect(response.status).toBe(401);
    expect(response.headers).toMatchObject(corsHeaders);
    expect(JSON.parse(response.text)).toEqual({
      error: "Sign in to use your points.",
      code: "CUSTOMER_REQUIRED",
    });
  });
});

describe("tokens the app must not trust", () => {
  // The library refuses these itself: 401 with no body (and no CORS headers, as it throws before
  // the app gets a cors() wrapper).
  it.each<[string, { token?: string; authorization?: string }]>([
    [
      "an expired token",
      { token: checkoutToken(shopA, 7001, { expired: true }) },
    ],
    [
      "a token signed with another secret",
      {
        token: checkoutToken(shopA, 7001, {
          signingSecret: "someone-elses-secret",
        }),
      },
    ],
    [
      "a token not valid yet",
      { token: checkoutToken(shopA, 7001, { notYetValid: true }) },
    ],
    ["no token", {}],
    ["a token that is not a JWT", { authorization: "Bearer not-a-jwt" }],
  ])("%s gets 401 and no data", async (_case, credentials) => {
    const response = await request(credentials);
    expect({ status: response.status, body: response.text }).toEqual({
      status: 401,
      body: "",
    });
  });

  it("an admin session token, whose subject is a staff user, gets 400", async () => {
    const token = mintAdminSessionToken({
      shop: shopA,
      apiKey: testApp.apiKey,
      secret: testApp.apiSecret,
      userId: "7001",
    });
    const response = await request({ token });
    expect(response.status).toBe(400);
    expect(response.headers).toMatchObject(corsHeaders);
    expect(JSON.parse(response.text)).toEqual({
      error: "The session token does not name a shop and customer.",
      code: "INVALID_SESSION_TOKEN",
    });
  });
});

describe("tenant isolation", () => {
  it.each([
    [
      "a shop where the customer is not a member",
      shopB,
      7001,
      { status: 200, body: summary(zeros, "USD") },
    ],
    [
      "a shop whose customer with the same id is someone else",
      shopB,
      7002,
      {
        status: 200,
        body: summary(
          { available: 42, pending: 0, held: 0, lifetimeEarned: 42 },
          "USD",
        ),
      },
    ],
    [
      "a shop without a program",
      shopWithoutProgram,
      7001,
      {
        status: 404,
        body: {
          error: "This shop has no loyalty program.",
          code: "PROGRAM_NOT_FOUND",
        },
      },
    ],
  ])(
    "a token of %s never shows shop A's balance",
    async (_case, shop, customerId, expected) => {
      const response = await request({
        token: checkoutToken(shop, customerId),
      });
      expect({
        status: response.status,
        body: JSON.parse(response.text),
      }).toEqual(expected);
      for (const points of [...Object.values(memberBalances), 300, 350]) {
        expect(response.text).not.toMatch(new RegExp(`\\b${points}\\b`));
      }
      // Reading created nothing: shop A's customer 7001 is still a member of shop A only.
      expect(
        await db.prisma.member.count({
          where: { customerId: "7001", shop: { not: shopA } },
        }),
      ).toBe(0);
    },
  );
});

describe("shoppers asking at the same moment", () => {
  // Summaries asked for together are read in one statement; each must still see only its own shop.
  it("each see their own shop's points, read together", async () => {
    const now = new Date();
    const summaries = await Promise.all(
      [
        [shopA, "7001"],
        [shopB, "7002"],
        [shopB, "7001"],
        [shopWithoutProgram, "7001"],
        [shopA, "7001"],
      ].map(([shop, customerId]) =>
        memberSummary(db.sql, shop ?? "", customerId ?? "", now),
      ),
    );
    expect(summaries.map((each) => each && each.points)).toEqual([
      memberBalances,
      { available: 42, pending: 0, held: 0, lifetimeEarned: 42 },
      zeros,
      null,
      memberBalances,
    ]);
    expect(summaries.map((each) => each?.currency)).toEqual([
      "EUR",
      "USD",
      "USD",
      undefined,
      "EUR",
    ]);
  });

  it("each get their own answer over HTTP", async () => {
    const answers = await Promise.all(
      [
        checkoutToken(shopB, 7002),
        checkoutToken(shopA, 7001),
        checkoutToken(shopB, 7001),
      ].map(async (token) => JSON.parse((await request({ token })).text)),
    );
    expect(answers).toEqual([
      summary(
        { available: 42, pending: 0, held: 0, lifetimeEarned: 42 },
        "USD",
      ),
      summary(memberBalances, "EUR"),
      summary(zeros, "USD"),
    ]);
  });
});

describe("CORS", () => {
  it("answers the preflight itself, with CORS headers and no body", async () => {
    const response = await request({ method: "OPTIONS" });
    expect(response.status).toBe(204);
    expect(response.headers).toMatchObject({
      ...corsHeaders,
      "access-control-max-age": "7200",
    });
    expect(response.text).toBe("");
  });

  it("a successful answer carries CORS headers and is not cached", async () => {
    const response = await request({ token: checkoutToken(shopA, 7001) });
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({
      ...corsHeaders,
      "cache-control": "no-store",
    });
  });

  it("says how long the server took, for the extension's network panel and load tests", async () => {
    const response = await request({ token: checkoutToken(shopA, 7001) });
    expect(response.headers["server-timing"]).toMatch(/^app;dur=\d+\.\d\d$/);
  });
});

describe("an unexpected failure", () => {
  it("answers 500 with CORS headers and no data", async () => {
    allowConsoleError();
    await db.prisma.$executeRawUnsafe(`ALTER TABLE "Lot" RENAME TO "LotAway"`);
    let response;
    try {
      response = await request({ token: checkoutToken(shopA, 7001) });
    } finally {
      await db.prisma.$executeRawUnsafe(
        `ALTER TABLE "LotAway" RENAME TO "Lot"`,
      );
    }
    expect(response.status).toBe(500);
    expect(response.headers).toMatchObject(corsHeaders);
    expect(JSON.parse(response.text)).toEqual({
      error: "Something went wrong with your points. Try again.",
      code: "UNAVAILABLE",
    });
  });
});
