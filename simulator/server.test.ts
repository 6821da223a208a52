import "@shopify/shopify-api/adapters/web-api";
import {
  ApiVersion,
  GraphqlQueryError,
  LogSeverity,
  Session,
  shopifyApi,
} from "@shopify/shopify-api";
import {
  abstractFetch,
  setAbstractFetchFunc,
} from "@shopify/shopify-api/runtime";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseShopArguments } from "./main";
import { startShopifySimulator, type Simulator } from "./server";
import { pick } from "./test-support";

let sim: Simulator;

beforeAll(async () => {
  sim = await startShopifySimulator({ port: 0 });
});

afterAll(async () => {
  await sim.close();
});

beforeEach(() => {
  sim.reset();
});

async function control(method: string, path: string, body?: unknown) {
  const response = await fetch(`${sim.origin}${path}`, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

describe("control routes for other processes", () => {
  it("registers a shop that can then call the Admin API", async () => {
    const registered = await control("POST", "/__simulator/shops", {
      shop: "remote.myshopify.com",
      accessToken: "shpat_remote",
      currencyCode: "EUR",
    });
    expect(registered).toEqual({
      status: 201,
      body: {
        shop: "remote.myshopify.com",
        name: "remote",
        currencyCode: "EUR",
        ianaTimezone: "UTC",
      },
    });
    const response = await fetch(sim.graphqlUrl("2026-10"), {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "X-Shopify-Access-Token": "shpat_remote",
      },
      body: JSON.stringify({
        query: "query LoyaltyShop { shop { currencyCode } }",
      }),
    });
    expect(pick(await response.json(), "data", "shop", "currencyCode")).toBe(
      "EUR",
    );
  });

  it("refuses a registration without a token or with a bad domain", async () => {
    expect(
      (await control("POST", "/__simulator/shops", { shop: "x.myshopify.com" }))
        .status,
    ).toBe(400);
    expect(
      (
        await control("POST", "/__simulator/shops", {
          shop: "example.com",
          accessToken: "t",
        })
      ).status,
    ).toBe(400);
  });

  it("seeds customers and orders and shows a shop's state", async () => {
    sim.registerShop({
      shop: "seeded.myshopify.com",
      accessToken: "shpat_seeded",
    });
    expect(
      (
        await control("POST", "/__simulator/customers", {
          shop: "seeded.myshopify.com",
          customer: { id: 5, email: "e@example.com" },
        })
      ).status,
    ).toBe(201);
    const order = await control("POST", "/__simulator/orders", {
      shop: "seeded.myshopify.com",
      order: {
        id: 77,
        currency: "USD",
        customer: { id: 5, email: "e@example.com" },
        lines: [{ id: 1, price: "10.00", quantity: 3 }],
      },
    });
    expect(order).toEqual({
      status: 201,
      body: { id: "gid://shopify/Order/77", name: "#1078" },
    });
    expect(
      (
        await control("POST", "/__simulator/orders", {
          shop: "seeded.myshopify.com",
          order: { id: -1 },
        })
      ).status,
    ).toBe(400);

    const state = await control(
      "GET",
      "/__simulator/state?shop=seeded.myshopify.com",
    );
    expect(state.status).toBe(200);
    expect(state.body).toMatchObject({
      shop: "seeded.myshopify.com",
      customers: [
        {
          id: "gid://shopify/Customer/5",
          numberOfOrders: 1,
          amountSpent: 3000,
        },
      ],
      orders: [
        { gid: "gid://shopify/Order/77", totals: { total: { shop: 3000 } } },
      ],
    });
    expect((await control("GET", "/__simulator/state")).body).toEqual({
      shops: expect.arrayContaining(["seeded.myshopify.com"]),
    });
    expect(
      (await control("GET", "/__simulator/state?shop=missing.myshopify.com"))
        .status,
    ).toBe(404);
  });

  it("answers 404 elsewhere", async () => {
    expect((await control("GET", "/admin/oauth/authorize")).status).toBe(404);
  });
});

describe("the CLI's shop arguments", () => {
  it("reads --shop/--token pairs and SIMULATOR_SHOPS", () => {
    expect(
      parseShopArguments(
        [
          "--shop",
          "a.myshopify.com",
          "--token",
          "ta",
          "--shop",
          "b.myshopify.com",
          "--currency",
          "EUR",
          "--token",
          "tb",
        ],
        {
          SIMULATOR_SHOPS: "c.myshopify.com:tc:GBP, d.myshopify.com:td",
        },
      ),
    ).toEqual([
      { shop: "c.myshopify.com", accessToken: "tc", currencyCode: "GBP" },
      { shop: "d.myshopify.com", accessToken: "td", currencyCode: undefined },
      { shop: "a.myshopify.com", accessToken: "ta", currencyCode: undefined },
      { shop: "b.myshopify.com", accessToken: "tb", currencyCode: "EUR" },
    ]);
    expect(() => parseShopArguments(["--shop", "a.myshopify.com"], {})).toThrow(
      /--token/,
    );
  });
});

describe("Shopify's own Admin client against the simulator", () => {
  const shopify = shopifyApi({
    apiKey: "test-api-key",
    apiSecretKey: "shpss_test",
    scopes: ["read_customers"],
    hostName: "localhost:3000",
    hostScheme: "http",
    apiVersion: ApiVersion.October25,
    isEmbeddedApp: true,
    logger: { level: LogSeverity.Error, log: async () => {} },
  });
  const session = new Session({
    id: "offline_client.myshopify.com",
    shop: "client.myshopify.com",
    state: "",
    isOnline: false,
    accessToken: "shpat_client",
  });

  beforeAll(() => {
    // What the app does in development: send https://<shop>/admin/... to the simulator instead.
    const send = abstractFetch;
    setAbstractFetchFunc((input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const target = new URL(`${url.pathname}${url.search}`, sim.origin);
      return send(target.href, init);
    });
  });

  beforeEach(() => {
    sim.registerShop({
      shop: "client.myshopify.com",
      accessToken: "shpat_client",
    });
    sim.addCustomer("client.myshopify.com", {
      id: 1,
      email: "ann@example.com",
    });
  });

  it("reads data and the cost extension", async () => {
    const client = new shopify.clients.Graphql({ session });
    const response = await client.request(
      "query LoyaltyCustomer($id: ID!) { customer(id: $id) { email } }",
      {
        variables: { id: "gid://shopify/Customer/1" },
      },
    );
    expect(response.data).toEqual({ customer: { email: "ann@example.com" } });
    expect(
      pick(response.extensions, "cost", "throttleStatus", "maximumAvailable"),
    ).toBe(2000);
    expect(sim.calls.at(-1)?.apiVersion).toBe("2025-10");
  });

  it("surfaces THROTTLED as a GraphqlQueryError carrying Shopify's body", async () => {
    sim.faults.enqueue({ kind: "THROTTLED" });
    const client = new shopify.clients.Graphql({ session });
    const failure = await client
      .request("query LoyaltyShop { shop { name } }")
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GraphqlQueryError);
    if (failure instanceof GraphqlQueryError) {
      expect(
        pick(failure.body, "errors", "graphQLErrors", 0, "extensions", "code"),
      ).toBe("THROTTLED");
    }
  });

  it("retries an injected 503 when asked to", async () => {
    sim.faults.enqueue({ kind: "HTTP", status: 503 });
    const client = new shopify.clients.Graphql({ session });
    const response = await client.request(
      "query LoyaltyShop { shop { name } }",
      { retries: 1 },
    );
    expect(response.data).toEqual({ shop: { name: "client" } });
    expect(sim.calls.map((call) => call.status)).toEqual([503, 200]);
  });
});
