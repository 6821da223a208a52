import { beforeAll, describe, expect, it } from "vitest";
import type { NegativeBalancePolicy } from "~/loyalty/ledger";
import { ensureMember } from "~/services/members.server";
import { programConfig, saveProgramConfig } from "~/services/program.server";
import { registerLocalShop } from "../../scripts/lib/register-shop";
import { orderPayload } from "../../simulator/webhooks";
import { adminRequest } from "../support/admin";
import { useTestStack } from "../support/stack";
import { sendWebhook } from "../support/webhooks";

const stack = useTestStack();

const list = { path: "/app/members", id: "routes/app.members._index" };
const memberRoute = (id: string) => ({
  path: `/app/members/${id}`,
  id: "routes/app.members.$id",
});
const exportRoute = (id: string) => ({
  path: `/app/members/${id}/export`,
  id: "routes/app.members.$id.export",
});

async function openShop(shop: string, policy: NegativeBalancePolicy) {
  await registerLocalShop({ shop, accessToken: `shpat_${shop.split(".")[0]}` });
  await stack.db.sql.transaction(async (tx) => {
    const config = await programConfig(tx, shop);
    if (!config) throw new Error("no program");
    await saveProgramConfig(tx, shop, {
      ...config,
      enabled: true,
      negativeBalancePolicy: policy,
      programStartAt: new Date("2025-01-01T00:00:00Z"),
    });
  });
}

let orderSeq = 70_000;
/** A paid order of `price` for a customer, so the member earns price × 1 point. */
function paid(
  shop: string,
  customer: { id: number; email: string; first: string; last: string },
  price: string,
) {
  const id = ++orderSeq;
  return sendWebhook(
    stack.app,
    shop,
    "orders/paid",
    orderPayload({
      id,
      currency: "USD",
      customer: {
        id: customer.id,
        email: customer.email,
        first_name: customer.first,
        last_name: customer.last,
      },
      lines: [{ id: id * 10, price, quantity: 1 }],
      createdAt: new Date().toISOString(),
    }),
  );
}

const shopA = "members-a.myshopify.com";
const shopB = "members-b.myshopify.com";
const strictShop = "members-strict.myshopify.com";

// Earners in shop A: available = lifetime = what they spent.
const earners = [
  {
    id: 9101,
    email: "zoe.adams@example.org",
    first: "Zoe",
    last: "Adams",
    spent: "300.00",
  },
  {
    id: 9102,
    email: "bo.nguyen@example.org",
    first: "Bo",
    last: "Nguyen",
    spent: "1700.00",
  },
  {
    id: 9103,
    email: "ana.lima@example.org",
    first: "Ana",
    last: "Lima",
    spent: "40.00",
  },
];

const memberIdOf = async (shop: string, customerId: number) =>
  (
    await stack.db.prisma.member.findUniqueOrThrow({
      where: { shop_customerId: { shop, customerId: String(customerId) } },
    })
  ).id;

beforeAll(async () => {
  await openShop(shopA, "ALLOW_NEGATIVE");
  await openShop(shopB, "ALLOW_NEGATIVE");
  await openShop(strictShop, "STOP_AT_ZERO");
  for (const earner of earners) await paid(shopA, earner, earner.spent);
  // Enough members without points to need more than one page of 50.
  await stack.db.sql.transaction(async (tx) => {
    for (let index = 0; index < 60; index += 1)
      await ensureMember(tx, shopA, String(20_000 + index), {
        email: `shopper${String(index).padStart(2, "0")}@example.net`,
        firstName: "Member",
        lastName: String(index).padStart(2, "0"),
      });
    await ensureMember(tx, shopB, "30001", {
      email: "other.shop@example.org",
      firstName: "Zoe",
      lastName: "Elsewhere",
    });
  });
  await paid(
    strictShop,
    { id: 9201, email: "kim@example.org", first: "Kim", last: "Ro" },
    "100.00",
  );
});

interface ListPage {
  members: {
    id: string;
    email: string;
    available: number;
    lifetimeEarned: number;
    tierHandle: string;
  }[];
  total: number;
  next: string | null;
  previous: string | null;
}

async function listPage(shop: string, query: Record<string, string>) {
  const params = new URLSearchParams(query).toString();
  const response = await adminRequest(stack.app, shop, {
    ...list,
    path: `${list.path}${params ? `?${params}` : ""}`,
  });
  expect(response.status).toBe(200);
  return (await response.json()) as ListPage;
}

describe("the members list", () => {
  it("searches by name or e-mail, case-insensitively, within the shop only", async () => {
    const byName = await listPage(shopA, { q: "zoe" });
    expect(byName.members.map((member) => member.email)).toEqual([
      "zoe.adams@example.org",
    ]);
    expect(byName.total).toBe(1);
    const byEmail = await listPage(shopA, { q: "NGUYEN@EX" });
    expect(byEmail.members.map((member) => member.email)).toEqual([
      "bo.nguyen@example.org",
    ]);
    // LIKE wildcards in the search are taken literally.
    expect((await listPage(shopA, { q: "%" })).total).toBe(0);
    expect(
      (await listPage(shopB, { q: "zoe" })).members.map(
        (member) => member.email,
      ),
    ).toEqual(["other.shop@example.org"]);
  });

  it("sorts by balance, lifetime earnings, tier and name, both ways", async () => {
    const richest = await listPage(shopA, {
      sort: "available",
      direction: "desc",
    });
    expect(
      richest.members
        .slice(0, 3)
        .map((member) => [member.email, member.available]),
    ).toEqual([
      ["bo.nguyen@example.org", 1700],
      ["zoe.adams@example.org", 300],
      ["ana.lima@example.org", 40],
    ]);
    const lifetime = await listPage(shopA, {
      sort: "lifetime",
      direction: "desc",
    });
    expect(lifetime.members[0]?.lifetimeEarned).toBe(1700);
    const tiers = await listPage(shopA, { sort: "tier", direction: "desc" });
    expect(tiers.members[0]).toMatchObject({
      email: "bo.nguyen@example.org",
      tierHandle: "gold",
    });
    const byName = await listPage(shopA, {
      sort: "name",
      direction: "asc",
      q: "example.org",
    });
    expect(byName.members.map((member) => member.email)).toEqual([
      "ana.lima@example.org",
      "bo.nguyen@example.org",
      "zoe.adams@example.org",
    ]);
    const byEmailDesc = await listPage(shopA, {
      sort: "email",
      direction: "desc",
      q: "example.org",
    });
    expect(byEmailDesc.members.map((member) => member.email)).toEqual([
      "zoe.adams@example.org",
      "bo.nguyen@example.org",
      "ana.lima@example.org",
    ]);
  });

  it("pages forwards and back without losing or repeating anyone", async () => {
    const query = { sort: "email", direction: "asc" };
    const first = await listPage(shopA, query);
    expect(first).toMatchObject({ total: 63, totalIsExact: true });
    expect(first.members).toHaveLength(50);
    expect(first.previous).toBeNull();
    if (!first.next) throw new Error("no next page");
    const second = await listPage(shopA, { ...query, after: first.next });
    expect(second.members).toHaveLength(13);
    expect(second.next).toBeNull();
    const emails = [...first.members, ...second.members].map(
      (member) => member.email,
    );
    expect(new Set(emails).size).toBe(63);
    expect(emails).toEqual([...emails].sort());
    if (!second.previous) throw new Error("no previous page");
    const back = await listPage(shopA, { ...query, before: second.previous });
    expect(back.members.map((member) => member.id)).toEqual(
      first.members.map((member) => member.id),
    );
    expect(back.previous).toBeNull();
  });
});

interface MemberPageData {
  member: {
    id: string;
    available: number;
    lifetimeEarned: number;
    tierHandle: string | null;
  };
  ledger: {
    kind: string;
    points: number;
    reason: string | null;
    orderId: string | null;
    actor: string | null;
  }[];
  olderThan: number | null;
  tierHistory: { toHandle: string; reason: string }[];
  openRedemptions: unknown[];
  requestId: string;
}

const readMember = async (shop: string, memberId: string) => {
  const response = await adminRequest(stack.app, shop, memberRoute(memberId));
  expect(response.status).toBe(200);
  return (await response.json()) as MemberPageData;
};

const adjust = (
  shop: string,
  memberId: string,
  form: Record<string, string>,
  userId = "7301",
) =>
  adminRequest(stack.app, shop, memberRoute(memberId), {
    method: "POST",
    form,
    userId,
  });

const entryCount = (shop: string) =>
  stack.db.prisma.ledgerEntry.count({ where: { shop } });

describe("a member's page", () => {
  it("shows the ledger newest first with each entry's source order, and the tier history", async () => {
    const memberId = await memberIdOf(shopA, 9102);
    const page = await readMember(shopA, memberId);
    expect(page.member).toMatchObject({
      available: 1700,
      lifetimeEarned: 1700,
      tierHandle: "gold",
    });
    expect(page.ledger[0]).toMatchObject({ kind: "EARN", points: 1700 });
    expect(page.ledger[0]?.orderId).toMatch(/^\d+$/);
    expect(
      page.tierHistory.map((change) => [change.toHandle, change.reason]),
    ).toEqual([["gold", "ENROLLED"]]);
    expect(page.openRedemptions).toEqual([]);
    expect(page.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("records a manual adjustment with who, when and why; the balance and ledger grow; Shopify's metafields follow", async () => {
    const memberId = await memberIdOf(shopA, 9103);
    const { requestId } = await readMember(shopA, memberId);
    const before = new Date();
    const response = await adjust(shopA, memberId, {
      points: "+25",
      reason: "Goodwill for a late parcel",
      requestId,
    });
    expect(response.status).toBe(200);
    const page = await readMember(shopA, memberId);
    expect(page.member.available).toBe(65);
    // Adjustments are not earnings: tiers do not move on them.
    expect(page.member.lifetimeEarned).toBe(40);
    expect(page.ledger[0]).toMatchObject({
      kind: "ADJUSTMENT",
      points: 25,
      reason: "Goodwill for a late parcel",
      actor: "staff:7301",
    });
    const entry = await stack.db.prisma.ledgerEntry.findFirstOrThrow({
      where: { shop: shopA, memberId, kind: "ADJUSTMENT" },
    });
    expect(entry.idempotencyKey).toBe(`adjustment:${requestId}`);
    expect(entry.occurredAt.getTime()).toBeGreaterThanOrEqual(
      before.getTime() - 1000,
    );
    const metafields = await stack.db.prisma.outboxJob.findFirstOrThrow({
      where: { shop: shopA, kind: "MEMBER_METAFIELDS" },
      orderBy: { id: "desc" },
    });
    expect(metafields.payload).toMatchObject({
      customerId: "9103",
      available: 65,
    });
  });

  it("adds once when the same form is submitted twice", async () => {
    const memberId = await memberIdOf(shopA, 9101);
    const { requestId } = await readMember(shopA, memberId);
    const form = { points: "10", reason: "Birthday treat", requestId };
    const [one, two] = await Promise.all([
      adjust(shopA, memberId, form),
      adjust(shopA, memberId, form),
    ]);
    expect([one.status, two.status]).toEqual([200, 200]);
    expect((await adjust(shopA, memberId, form)).status).toBe(200);
    const page = await readMember(shopA, memberId);
    expect(page.member.available).toBe(310);
    expect(
      page.ledger.filter((entry) => entry.kind === "ADJUSTMENT"),
    ).toHaveLength(1);
  });

  it("refuses to take the balance below zero when the program does not allow it, writing nothing", async () => {
    const memberId = await memberIdOf(strictShop, 9201);
    const { requestId } = await readMember(strictShop, memberId);
    const entries = await entryCount(strictShop);
    const jobs = await stack.db.prisma.outboxJob.count({
      where: { shop: strictShop },
    });
    const response = await adjust(strictShop, memberId, {
      points: "-101",
      reason: "Returned gift",
      requestId,
    });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      errors: {
        points:
          "Only 100 points are available, and this program does not let a balance go below zero.",
      },
    });
    expect(await entryCount(strictShop)).toBe(entries);
    expect(
      await stack.db.prisma.outboxJob.count({ where: { shop: strictShop } }),
    ).toBe(jobs);
    expect((await readMember(strictShop, memberId)).member.available).toBe(100);

    const exactly = await adjust(strictShop, memberId, {
      points: "-100",
      reason: "Returned gift",
      requestId,
    });
    expect(exactly.status).toBe(200);
    expect((await readMember(strictShop, memberId)).member.available).toBe(0);
  });

  it("names each field that is wrong", async () => {
    const memberId = await memberIdOf(shopA, 9101);
    const entries = await entryCount(shopA);
    const response = await adjust(shopA, memberId, {
      points: "0",
      reason: " ",
      requestId: "a1b2c3d4",
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: {
        points: "must add or remove points",
        reason: "say why, so the shopper's history explains it",
      },
    });
    expect(await entryCount(shopA)).toBe(entries);
  });

  it("is not there for another shop's admin, who can neither read nor adjust it", async () => {
    const memberId = await memberIdOf(shopA, 9102);
    const entries = await entryCount(shopA);
    expect(
      (await adminRequest(stack.app, shopB, memberRoute(memberId))).status,
    ).toBe(404);
    const adjusted = await adjust(shopB, memberId, {
      points: "500",
      reason: "Not my member",
      requestId: "b1b2c3d4-0001",
    });
    expect(adjusted.status).toBe(404);
    expect(await entryCount(shopA)).toBe(entries);
    expect(
      (await adminRequest(stack.app, shopB, exportRoute(memberId))).status,
    ).toBe(404);
  });

  it("exports the member's data as JSON, every ledger entry included", async () => {
    const memberId = await memberIdOf(shopA, 9103);
    const response = await adminRequest(
      stack.app,
      shopA,
      exportRoute(memberId),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Disposition")).toBe(
      'attachment; filename="member-9103.json"',
    );
    const data = await response.json();
    expect(data).toMatchObject({
      shop: shopA,
      customerId: "9103",
      member: {
        email: "ana.lima@example.org",
        points: { available: 65 },
        tier: { handle: "bronze", credit: null },
      },
      tierChanges: [{ from: null, to: "bronze", reason: "ENROLLED" }],
    });
    expect(
      data.ledger.map((entry: { kind: string; points: number }) => [
        entry.kind,
        entry.points,
      ]),
    ).toEqual([
      ["EARN", 40],
      ["ADJUSTMENT", 25],
    ]);
  });
});
