import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { callAdminGraphql } from "./client";
import { startShopifySimulator, type Simulator } from "./server";
import { fakeClock, pick } from "./test-support";

const SHOP = "throttle-shop.myshopify.com";
const OTHER = "other-shop.myshopify.com";
const TOKEN = "shpat_throttle";
const CUSTOMER = "gid://shopify/Customer/1";
const clock = fakeClock();
let sim: Simulator;

const TAGS_ADD = `mutation LoyaltyTagsAdd($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) { node { id } userErrors { message } }
}`;
const SHOP_QUERY = "query LoyaltyShop { shop { name } }";

function tagsAdd(tag: string, accessToken = TOKEN) {
  return callAdminGraphql(sim.origin, {
    accessToken,
    query: TAGS_ADD,
    variables: { id: CUSTOMER, tags: [tag] },
  });
}

beforeAll(async () => {
  // A small bucket so a handful of mutations (10 points each) drains it.
  sim = await startShopifySimulator({
    port: 0,
    bucketSize: 50,
    restoreRate: 10,
    now: clock.now,
  });
  sim.registerShop({ shop: SHOP, accessToken: TOKEN });
  sim.registerShop({ shop: OTHER, accessToken: "shpat_other" });
});

afterAll(async () => {
  await sim.close();
});

beforeEach(() => {
  sim.reset();
  sim.addCustomer(SHOP, { id: 1, email: "ann@example.com" });
  sim.addCustomer(OTHER, { id: 1, email: "ann@example.com" });
});

describe("query cost and the leaky bucket", () => {
  it("reports the cost of every answer", async () => {
    const { body } = await tagsAdd("a");
    expect(pick(body, "extensions", "cost")).toEqual({
      requestedQueryCost: 10,
      actualQueryCost: 10,
      throttleStatus: {
        maximumAvailable: 50,
        currentlyAvailable: 40,
        restoreRate: 10,
      },
    });
  });

  it("charges connections by page size and refunds what a short page did not use", async () => {
    const { body } = await callAdminGraphql(sim.origin, {
      accessToken: TOKEN,
      query:
        "query LoyaltyCustomers { customers(first: 10) { nodes { id email } } }",
    });
    // 2 for the connection + 10 × 1 per node requested; one customer came back: 2 + 1.
    expect(pick(body, "extensions", "cost", "requestedQueryCost")).toBe(12);
    expect(pick(body, "extensions", "cost", "actualQueryCost")).toBe(3);
    expect(
      pick(body, "extensions", "cost", "throttleStatus", "currentlyAvailable"),
    ).toBe(47);
  });

  it("drains, answers THROTTLED without executing, then restores over time", async () => {
    for (const tag of ["t1", "t2", "t3", "t4", "t5"]) {
      const { body } = await tagsAdd(tag);
      expect(pick(body, "data", "tagsAdd", "userErrors")).toEqual([]);
    }
    const throttled = await tagsAdd("t6");
    expect(throttled.status).toBe(200);
    expect(throttled.body).toEqual({
      errors: [
        {
          message: "Throttled",
          extensions: {
            code: "THROTTLED",
            documentation: "https://shopify.dev/api/usage/rate-limits",
          },
        },
      ],
      extensions: {
        cost: {
          requestedQueryCost: 10,
          actualQueryCost: null,
          throttleStatus: {
            maximumAvailable: 50,
            currentlyAvailable: 0,
            restoreRate: 10,
          },
        },
      },
    });
    expect(sim.state.require(SHOP).customers.get(CUSTOMER)?.tags).not.toContain(
      "t6",
    );

    // The other shop has its own bucket.
    expect(
      pick(
        (await tagsAdd("other", "shpat_other")).body,
        "data",
        "tagsAdd",
        "userErrors",
      ),
    ).toEqual([]);

    clock.advance(500);
    expect(sim.throttleStatus(SHOP).currentlyAvailable).toBe(5);
    expect(
      pick((await tagsAdd("t6")).body, "errors", 0, "extensions", "code"),
    ).toBe("THROTTLED");
    clock.advance(500);
    const restored = await tagsAdd("t6");
    expect(pick(restored.body, "data", "tagsAdd", "userErrors")).toEqual([]);
    expect(
      pick(
        restored.body,
        "extensions",
        "cost",
        "throttleStatus",
        "currentlyAvailable",
      ),
    ).toBe(0);

    clock.advance(60_000);
    expect(sim.throttleStatus(SHOP).currentlyAvailable).toBe(50);
  });

  it("refuses a single query above the maximum cost", async () => {
    const { body } = await callAdminGraphql(sim.origin, {
      accessToken: TOKEN,
      query:
        "query LoyaltyOrders { orders(first: 250) { nodes { id lineItems(first: 250) { nodes { id } } } } }",
    });
    expect(pick(body, "errors", 0, "extensions", "code")).toBe(
      "MAX_COST_EXCEEDED",
    );
    expect(pick(body, "data")).toBeUndefined();
  });
});

describe("faults", () => {
  it("answers the next call with an injected 5xx, then recovers", async () => {
    sim.faults.enqueue({ kind: "HTTP", status: 503 });
    const failed = await tagsAdd("x");
    expect(failed.status).toBe(503);
    expect(failed.body).toEqual({ errors: "Service Unavailable" });
    expect(sim.state.require(SHOP).customers.get(CUSTOMER)?.tags).toEqual([]);
    expect((await tagsAdd("x")).status).toBe(200);
  });

  it("applies a fault the given number of times, to the given shop only", async () => {
    sim.faults.enqueue({ kind: "HTTP", status: 502 }, { times: 2, shop: SHOP });
    expect((await tagsAdd("x", "shpat_other")).status).toBe(200);
    expect((await tagsAdd("x")).status).toBe(502);
    expect((await tagsAdd("x")).status).toBe(502);
    expect((await tagsAdd("x")).status).toBe(200);
    expect(sim.faults.pending).toBe(0);
  });

  it("answers an injected THROTTLED whatever the bucket holds", async () => {
    sim.faults.enqueue({ kind: "THROTTLED" });
    const { status, body } = await tagsAdd("x");
    expect(status).toBe(200);
    expect(pick(body, "errors", 0, "extensions", "code")).toBe("THROTTLED");
    expect(
      pick(body, "extensions", "cost", "throttleStatus", "currentlyAvailable"),
    ).toBe(50);
    expect(sim.state.require(SHOP).customers.get(CUSTOMER)?.tags).toEqual([]);
  });

  it("drops the connection after a TIMEOUT fault", async () => {
    sim.faults.enqueue({ kind: "TIMEOUT", ms: 20 });
    await expect(tagsAdd("x")).rejects.toThrow();
    expect(sim.state.require(SHOP).customers.get(CUSTOMER)?.tags).toEqual([]);
  });

  it("clears scheduled faults", async () => {
    sim.faults.enqueue({ kind: "HTTP", status: 500 }, { times: 3 });
    sim.faults.clear();
    expect((await tagsAdd("x")).status).toBe(200);
  });
});

describe("call log", () => {
  it("records every call with its shop, operation, variables, status, answer and time", async () => {
    sim.faults.enqueue({ kind: "HTTP", status: 500 });
    await tagsAdd("first");
    clock.advance(1_000);
    await tagsAdd("second");
    await callAdminGraphql(sim.origin, {
      accessToken: "shpat_nobody",
      query: SHOP_QUERY,
    });
    await callAdminGraphql(sim.origin, {
      accessToken: TOKEN,
      query: SHOP_QUERY,
      apiVersion: "2026-10",
    });

    expect(
      sim.calls.map((call) => [
        call.shop,
        call.operationName,
        call.status,
        call.fault,
        call.apiVersion,
      ]),
    ).toEqual([
      [SHOP, null, 500, "HTTP", "2025-04"],
      [SHOP, "LoyaltyTagsAdd", 200, null, "2025-04"],
      [null, null, 401, null, "2025-04"],
      [SHOP, "LoyaltyShop", 200, null, "2026-10"],
    ]);
    const second = sim.calls[1];
    expect(second?.variables).toEqual({ id: CUSTOMER, tags: ["second"] });
    expect(second?.query).toBe(TAGS_ADD);
    expect(second?.time).toBe((sim.calls[0]?.time ?? 0) + 1_000);
    expect(pick(second?.response, "data", "tagsAdd", "node", "id")).toBe(
      CUSTOMER,
    );
  });

  it("is emptied by reset", async () => {
    await tagsAdd("x");
    sim.reset();
    expect(sim.calls).toEqual([]);
    expect(sim.state.require(SHOP).customers.size).toBe(0);
  });
});
