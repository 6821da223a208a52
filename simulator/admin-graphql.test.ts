import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { callAdminGraphql } from "./client";
import { startShopifySimulator, type Simulator } from "./server";
import { fakeClock, pick } from "./test-support";
import { STORE_CREDIT_CREDIT_MUTATION } from "~/shopify/admin-operations";

const SHOP = "loyal-shop.myshopify.com";
const TOKEN = "shpat_loyal";
const CUSTOMER = "gid://shopify/Customer/501";
const clock = fakeClock();
let sim: Simulator;

async function gql(
  query: string,
  variables?: Record<string, unknown>,
  accessToken = TOKEN,
) {
  return callAdminGraphql(sim.origin, { accessToken, query, variables });
}

beforeAll(async () => {
  sim = await startShopifySimulator({ port: 0, now: clock.now });
  sim.registerShop({
    shop: SHOP,
    accessToken: TOKEN,
    currencyCode: "CAD",
    ianaTimezone: "America/Toronto",
    name: "Loyal Shop",
  });
});

afterAll(async () => {
  await sim.close();
});

beforeEach(() => {
  sim.reset();
  sim.addCustomer(SHOP, {
    id: 501,
    email: "ann@example.com",
    firstName: "Ann",
    lastName: "Lee",
    tags: ["newsletter"],
  });
  sim.addCustomer(SHOP, {
    id: 502,
    email: "bob@example.com",
    firstName: "Bob",
    tags: ["loyalty-tier:gold"],
  });
});

describe("requests Shopify would refuse", () => {
  it("answers an unknown field with a validation error and executes nothing", async () => {
    const { status, body } = await gql(`mutation LoyaltyTagsAdd {
      tagsAdd(id: "${CUSTOMER}", tags: ["vip"]) { node { id } userErrors { field message } notAField }
    }`);
    expect(status).toBe(200);
    expect(pick(body, "data")).toBeUndefined();
    expect(pick(body, "errors", 0)).toMatchObject({
      message: "Field 'notAField' doesn't exist on type 'TagsAddPayload'",
      locations: [{ line: 2, column: 107 }],
      extensions: {
        code: "undefinedField",
        typeName: "TagsAddPayload",
        fieldName: "notAField",
      },
    });
    expect(sim.state.require(SHOP).customers.get(CUSTOMER)?.tags).toEqual([
      "newsletter",
    ]);
  });

  it("refuses anonymous operations", async () => {
    const { status, body } = await gql("{ shop { name } }");
    expect(status).toBe(200);
    expect(pick(body, "data")).toBeUndefined();
    expect(pick(body, "errors", 0, "extensions", "code")).toBe(
      "ANONYMOUS_OPERATION",
    );
    expect(String(pick(body, "errors", 0, "message"))).toMatch(
      /name every operation/,
    );
  });

  it("answers 401 to an unknown access token, as Shopify does", async () => {
    const { status, body } = await gql(
      "query LoyaltyShop { shop { name } }",
      undefined,
      "shpat_wrong",
    );
    expect(status).toBe(401);
    expect(body).toEqual({
      errors:
        "[API] Invalid API key or access token (unrecognized login or wrong password)",
    });
  });

  it("answers 400 without a query", async () => {
    const response = await fetch(sim.graphqlUrl(), {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "X-Shopify-Access-Token": TOKEN,
      },
      body: JSON.stringify({ variables: {} }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: { query: "Required parameter missing or invalid" },
    });
  });

  it("reports variables that do not fit their types, before executing", async () => {
    const { body } = await gql(
      "query LoyaltyCustomer($id: ID!) { customer(id: $id) { id } }",
      {},
    );
    expect(pick(body, "errors", 0, "extensions", "code")).toBe(
      "INVALID_VARIABLE",
    );
    expect(pick(body, "data")).toBeUndefined();
  });

  it("uses graphql-ruby's codes for other invalid documents", async () => {
    const { body } = await gql("query LoyaltyCustomer { customer { id } }");
    expect(pick(body, "errors", 0, "extensions", "code")).toBe(
      "missingRequiredArguments",
    );
  });
});

describe("queries", () => {
  it("reads the shop", async () => {
    const { body } = await gql(
      "query LoyaltyShop { shop { id name myshopifyDomain currencyCode ianaTimezone email } }",
    );
    expect(pick(body, "data", "shop")).toEqual({
      id: "gid://shopify/Shop/1",
      name: "Loyal Shop",
      myshopifyDomain: SHOP,
      currencyCode: "CAD",
      ianaTimezone: "America/Toronto",
      email: "owner@loyal-shop.example",
    });
    expect(pick(body, "extensions", "cost", "requestedQueryCost")).toBe(1);
  });

  it("reads a customer with amounts, counts and metafields", async () => {
    sim.addOrder(SHOP, {
      id: 9001,
      currency: "CAD",
      customer: { id: 501, email: "ann@example.com" },
      lines: [{ id: 1, price: "40.00", quantity: 1 }],
    });
    await gql(
      `mutation LoyaltyMetafieldsSet($metafields: [MetafieldsSetInput!]!) {
        metafieldsSet(metafields: $metafields) { userErrors { message } }
      }`,
      {
        metafields: [
          {
            ownerId: CUSTOMER,
            namespace: "loyalty",
            key: "balance",
            type: "number_integer",
            value: "120",
          },
        ],
      },
    );
    const { body } = await gql(
      `query LoyaltyCustomer($id: ID!) {
        customer(id: $id) {
          id email firstName lastName displayName tags numberOfOrders
          amountSpent { amount currencyCode }
          metafield(namespace: "loyalty", key: "balance") { namespace key value type jsonValue }
          metafields(first: 10, namespace: "loyalty") { nodes { namespace key value type } }
          multipassIdentifier
        }
      }`,
      { id: CUSTOMER },
    );
    expect(pick(body, "errors")).toBeUndefined();
    expect(pick(body, "data", "customer")).toEqual({
      id: CUSTOMER,
      email: "ann@example.com",
      firstName: "Ann",
      lastName: "Lee",
      displayName: "Ann Lee",
      tags: ["newsletter"],
      numberOfOrders: "1",
      // The Admin API prints Decimal without trailing zeros.
      amountSpent: { amount: "40.0", currencyCode: "CAD" },
      metafield: {
        namespace: "loyalty",
        key: "balance",
        value: "120",
        type: "number_integer",
        jsonValue: 120,
      },
      metafields: {
        nodes: [
          {
            namespace: "loyalty",
            key: "balance",
            value: "120",
            type: "number_integer",
          },
        ],
      },
      multipassIdentifier: null,
    });
  });

  it("answers null for an unknown customer", async () => {
    const { body } = await gql(
      "query LoyaltyCustomer($id: ID!) { customer(id: $id) { id } }",
      {
        id: "gid://shopify/Customer/999",
      },
    );
    expect(body).toMatchObject({ data: { customer: null } });
  });

  it("searches customers by email and tag and pages through them", async () => {
    const query = `query LoyaltyCustomers($query: String, $after: String) {
      customers(first: 1, after: $after, query: $query) {
        nodes { id email }
        pageInfo { hasNextPage endCursor }
      }
    }`;
    const byEmail = await gql(query, { query: "email:bob@example.com" });
    expect(pick(byEmail.body, "data", "customers", "nodes")).toEqual([
      { id: "gid://shopify/Customer/502", email: "bob@example.com" },
    ]);
    const byTag = await gql(query, { query: "tag:'loyalty-tier:gold'" });
    expect(pick(byTag.body, "data", "customers", "nodes", 0, "id")).toBe(
      "gid://shopify/Customer/502",
    );

    const page1 = await gql(query, {});
    expect(pick(page1.body, "data", "customers", "nodes", 0, "id")).toBe(
      CUSTOMER,
    );
    expect(
      pick(page1.body, "data", "customers", "pageInfo", "hasNextPage"),
    ).toBe(true);
    const page2 = await gql(query, {
      after: pick(page1.body, "data", "customers", "pageInfo", "endCursor"),
    });
    expect(pick(page2.body, "data", "customers", "nodes", 0, "id")).toBe(
      "gid://shopify/Customer/502",
    );
    expect(
      pick(page2.body, "data", "customers", "pageInfo", "hasNextPage"),
    ).toBe(false);
  });

  it("warns about search fields it does not know, as Shopify does", async () => {
    const { body } = await gql(
      `query LoyaltyCustomers { customers(first: 5, query: "favourite_colour:blue") { nodes { id } } }`,
    );
    expect(pick(body, "extensions", "search", 0, "warnings", 0)).toEqual({
      field: "favourite_colour",
      message: "Invalid search field for this query.",
    });
  });

  it("lists orders by created_at and updated_at windows for reconciliation", async () => {
    const base = {
      currency: "CAD",
      customer: { id: 501, email: "ann@example.com" },
    };
    sim.addOrder(SHOP, {
      ...base,
      id: 1,
      createdAt: "2025-05-01T10:00:00Z",
      lines: [{ id: 11, price: "10.00", quantity: 1 }],
    });
    sim.addOrder(SHOP, {
      ...base,
      id: 2,
      createdAt: "2025-05-02T10:00:00Z",
      updatedAt: "2025-05-20T08:00:00Z",
      lines: [{ id: 21, price: "25.50", quantity: 2 }],
      shipping: "5.00",
      taxes: "3.32",
      discountCodes: [{ code: "LOYALTY-ABC", amount: "5.00" }],
      presentmentCurrency: "USD",
      exchangeRate: 0.75,
    });
    sim.addOrder(SHOP, {
      ...base,
      id: 3,
      createdAt: "2025-05-03T10:00:00Z",
      test: true,
      lines: [{ id: 31, price: "1.00", quantity: 1 }],
    });
    sim.updateOrder(SHOP, 3, {
      cancelledAt: "2025-05-04T00:00:00Z",
      updatedAt: "2025-05-04T00:00:00Z",
    });

    const query = `query LoyaltyOrders($query: String) {
      orders(first: 10, query: $query, sortKey: CREATED_AT) {
        nodes {
          id legacyResourceId name createdAt processedAt test cancelledAt displayFinancialStatus currencyCode
          customer { id email }
          totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
          subtotalPriceSet { shopMoney { amount currencyCode } }
          lineItems(first: 5) {
            nodes {
              id quantity isGiftCard
              originalUnitPriceSet { shopMoney { amount } }
              discountAllocations { allocatedAmountSet { shopMoney { amount } } discountApplication { ... on DiscountCodeApplication { code } } }
            }
          }
        }
      }
    }`;
    const window = await gql(query, {
      query: "created_at:>=2025-05-02 created_at:<=2025-05-03T10:00:00Z",
    });
    expect(pick(window.body, "data", "orders", "nodes")).toEqual([
      {
        id: "gid://shopify/Order/2",
        legacyResourceId: "2",
        name: "#1003",
        createdAt: "2025-05-02T10:00:00Z",
        processedAt: "2025-05-02T10:00:00Z",
        test: false,
        cancelledAt: null,
        displayFinancialStatus: "PAID",
        currencyCode: "CAD",
        customer: { id: CUSTOMER, email: "ann@example.com" },
        totalPriceSet: {
          shopMoney: { amount: "54.32", currencyCode: "CAD" },
          presentmentMoney: { amount: "40.75", currencyCode: "USD" },
        },
        subtotalPriceSet: {
          shopMoney: { amount: "46.0", currencyCode: "CAD" },
        },
        lineItems: {
          nodes: [
            {
              id: "gid://shopify/LineItem/21",
              quantity: 2,
              isGiftCard: false,
              originalUnitPriceSet: { shopMoney: { amount: "25.5" } },
              discountAllocations: [
                {
                  allocatedAmountSet: { shopMoney: { amount: "5.0" } },
                  discountApplication: { code: "LOYALTY-ABC" },
                },
              ],
            },
          ],
        },
      },
      expect.objectContaining({
        id: "gid://shopify/Order/3",
        test: true,
        cancelledAt: "2025-05-04T00:00:00Z",
      }),
    ]);

    const updated = await gql(
      `query LoyaltyOrders($query: String) {
      orders(first: 10, query: $query, sortKey: UPDATED_AT, reverse: true) { nodes { id } }
    }`,
      { query: "updated_at:>'2025-05-03T00:00:00Z'" },
    );
    expect(pick(updated.body, "data", "orders", "nodes")).toEqual([
      { id: "gid://shopify/Order/2" },
      { id: "gid://shopify/Order/3" },
    ]);
  });

  it("requires first or last on connections, as Shopify does", async () => {
    const { body } = await gql(
      "query LoyaltyOrders { orders { nodes { id } } }",
    );
    expect(pick(body, "errors", 0, "message")).toBe(
      "you must provide one of first or last",
    );
  });

  it("resolves valid fields it does not implement to null, or explains a non-null one", async () => {
    sim.addOrder(SHOP, {
      id: 7,
      currency: "CAD",
      lines: [{ id: 71, price: "1.00", quantity: 1 }],
    });
    const nullable = await gql(
      `query LoyaltyOrder { order(id: "gid://shopify/Order/7") { id app { name } customerJourneySummary { ready } } }`,
    );
    expect(pick(nullable.body, "data", "order")).toEqual({
      id: "gid://shopify/Order/7",
      app: null,
      customerJourneySummary: null,
    });
    const nonNull = await gql(
      `query LoyaltyOrder { order(id: "gid://shopify/Order/7") { id risk { recommendation } } }`,
    );
    expect(pick(nonNull.body, "errors", 0, "extensions", "code")).toBe(
      "NOT_IMPLEMENTED_IN_SIMULATOR",
    );
    const after = await gql("query LoyaltyShop { shop { name } }");
    expect(pick(after.body, "data", "shop", "name")).toBe("Loyal Shop");
  });
});

describe("tags", () => {
  const add = `mutation LoyaltyTagsAdd($id: ID!, $tags: [String!]!) {
    tagsAdd(id: $id, tags: $tags) { node { id ... on Customer { tags } } userErrors { field message } }
  }`;
  const remove = `mutation LoyaltyTagsRemove($id: ID!, $tags: [String!]!) {
    tagsRemove(id: $id, tags: $tags) { node { id ... on Customer { tags } } userErrors { field message } }
  }`;

  it("adds then removes tags, leaving the others alone", async () => {
    const added = await gql(add, {
      id: CUSTOMER,
      tags: ["loyalty-tier:gold", "loyalty-member"],
    });
    expect(pick(added.body, "data", "tagsAdd")).toEqual({
      node: {
        id: CUSTOMER,
        tags: ["loyalty-member", "loyalty-tier:gold", "newsletter"],
      },
      userErrors: [],
    });
    const removed = await gql(remove, {
      id: CUSTOMER,
      tags: ["loyalty-tier:gold"],
    });
    expect(pick(removed.body, "data", "tagsRemove", "node", "tags")).toEqual([
      "loyalty-member",
      "newsletter",
    ]);
    expect(sim.state.require(SHOP).customers.get(CUSTOMER)?.tags).toEqual([
      "loyalty-member",
      "newsletter",
    ]);
  });

  it("treats tags as a set without regard to case", async () => {
    await gql(add, { id: CUSTOMER, tags: ["Loyalty-Tier:Gold"] });
    await gql(add, {
      id: CUSTOMER,
      tags: ["loyalty-tier:gold", "NEWSLETTER", "a, b"],
    });
    expect(sim.state.require(SHOP).customers.get(CUSTOMER)?.tags).toEqual([
      "a",
      "b",
      "Loyalty-Tier:Gold",
      "newsletter",
    ]);
    await gql(remove, { id: CUSTOMER, tags: ["loyalty-tier:GOLD"] });
    expect(sim.state.require(SHOP).customers.get(CUSTOMER)?.tags).toEqual([
      "a",
      "b",
      "newsletter",
    ]);
  });

  it("answers a userError for a resource that does not exist", async () => {
    const { body } = await gql(add, {
      id: "gid://shopify/Customer/404",
      tags: ["x"],
    });
    expect(pick(body, "data", "tagsAdd")).toEqual({
      node: null,
      userErrors: [{ field: ["id"], message: "Resource does not exist" }],
    });
  });
});

describe("metafieldsSet", () => {
  const set = `mutation LoyaltyMetafieldsSet($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields { id namespace key value type }
      userErrors { field message code elementIndex }
    }
  }`;

  it("creates, then updates in place", async () => {
    const first = await gql(set, {
      metafields: [
        {
          ownerId: CUSTOMER,
          namespace: "loyalty",
          key: "balance",
          type: "number_integer",
          value: "250",
        },
        {
          ownerId: CUSTOMER,
          namespace: "loyalty",
          key: "tier",
          type: "single_line_text_field",
          value: "Gold",
        },
        {
          ownerId: CUSTOMER,
          namespace: "loyalty",
          key: "progress",
          type: "json",
          value: '{"next":"Platinum","missing":750}',
        },
      ],
    });
    expect(pick(first.body, "data", "metafieldsSet", "userErrors")).toEqual([]);
    const id = pick(first.body, "data", "metafieldsSet", "metafields", 0, "id");
    expect(id).toMatch(/^gid:\/\/shopify\/Metafield\/\d+$/);

    const second = await gql(set, {
      metafields: [
        {
          ownerId: CUSTOMER,
          namespace: "loyalty",
          key: "balance",
          type: "number_integer",
          value: "300",
        },
      ],
    });
    expect(pick(second.body, "data", "metafieldsSet", "metafields", 0)).toEqual(
      {
        id,
        namespace: "loyalty",
        key: "balance",
        value: "300",
        type: "number_integer",
      },
    );
    expect(sim.state.require(SHOP).metafields.size).toBe(3);
  });

  it.each([
    ["number_integer", "12.5", "INVALID_VALUE"],
    ["boolean", "yes", "INVALID_VALUE"],
    ["json", "{not json", "INVALID_VALUE"],
    ["single_line_text_field", "two\nlines", "INVALID_VALUE"],
    ["integer", "12", "INVALID_TYPE"],
    ["no_such_type", "12", "INVALID_TYPE"],
  ])(
    "refuses a %s value %j with %s, writing nothing",
    async (type, value, code) => {
      const { body } = await gql(set, {
        metafields: [
          {
            ownerId: CUSTOMER,
            namespace: "loyalty",
            key: "ok",
            type: "number_integer",
            value: "1",
          },
          { ownerId: CUSTOMER, namespace: "loyalty", key: "bad", type, value },
        ],
      });
      expect(pick(body, "data", "metafieldsSet", "metafields")).toBeNull();
      expect(
        pick(body, "data", "metafieldsSet", "userErrors", 0),
      ).toMatchObject({
        field: ["metafields", "1", code === "INVALID_TYPE" ? "type" : "value"],
        code,
        elementIndex: 1,
      });
      expect(sim.state.require(SHOP).metafields.size).toBe(0);
    },
  );

  it("refuses an owner that does not exist", async () => {
    const { body } = await gql(set, {
      metafields: [
        {
          ownerId: "gid://shopify/Customer/404",
          namespace: "loyalty",
          key: "balance",
          type: "number_integer",
          value: "1",
        },
      ],
    });
    expect(
      pick(body, "data", "metafieldsSet", "userErrors", 0, "field"),
    ).toEqual(["metafields", "0", "ownerId"]);
  });

  it("stores the app-reserved namespace under the app's name", async () => {
    await gql(set, {
      metafields: [
        {
          ownerId: CUSTOMER,
          namespace: "$app:loyalty",
          key: "balance",
          type: "number_integer",
          value: "5",
        },
      ],
    });
    const { body } = await gql(
      `query LoyaltyCustomer { customer(id: "${CUSTOMER}") { metafield(namespace: "$app:loyalty", key: "balance") { namespace value } } }`,
    );
    expect(pick(body, "data", "customer", "metafield")).toEqual({
      namespace: "app--1--loyalty",
      value: "5",
    });
  });
});

describe("metafield definitions and metafieldsDelete", () => {
  const define = `mutation LoyaltyDefine($definition: MetafieldDefinitionInput!) {
    metafieldDefinitionCreate(definition: $definition) {
      createdDefinition {
        id namespace key ownerType type { name }
        access { admin storefront customerAccount }
      }
      userErrors { field message code }
    }
  }`;
  const tier = {
    ownerType: "CUSTOMER",
    namespace: "$app:loyalty",
    key: "tier",
    type: "single_line_text_field",
    name: "Loyalty tier",
    access: {
      admin: "MERCHANT_READ",
      storefront: "PUBLIC_READ",
      customerAccount: "READ",
    },
  };
  const set = (type: string, value: string) =>
    gql(
      `mutation LoyaltySet($metafields: [MetafieldsSetInput!]!) {
        metafieldsSet(metafields: $metafields) { userErrors { field message code } }
      }`,
      {
        metafields: [
          {
            ownerId: CUSTOMER,
            namespace: "$app:loyalty",
            key: "tier",
            type,
            value,
          },
        ],
      },
    );

  it("creates a definition with its access, then answers TAKEN for the same owner type, namespace and key", async () => {
    const first = await gql(define, { definition: tier });
    expect(pick(first.body, "data", "metafieldDefinitionCreate")).toEqual({
      createdDefinition: {
        id: expect.stringMatching(
          /^gid:\/\/shopify\/MetafieldDefinition\/\d+$/,
        ),
        namespace: "app--1--loyalty",
        key: "tier",
        ownerType: "CUSTOMER",
        type: { name: "single_line_text_field" },
        access: {
          admin: "MERCHANT_READ",
          storefront: "PUBLIC_READ",
          customerAccount: "READ",
        },
      },
      userErrors: [],
    });
    const again = await gql(define, { definition: tier });
    expect(pick(again.body, "data", "metafieldDefinitionCreate")).toEqual({
      createdDefinition: null,
      userErrors: [
        {
          field: ["definition", "key"],
          message: expect.stringContaining("in use"),
          code: "TAKEN",
        },
      ],
    });
    // Another owner type is another definition.
    const orders = await gql(define, {
      definition: { ...tier, ownerType: "ORDER" },
    });
    expect(
      pick(orders.body, "data", "metafieldDefinitionCreate", "userErrors"),
    ).toEqual([]);
    expect(sim.state.require(SHOP).metafieldDefinitions.size).toBe(2);
  });

  it("refuses admin access outside an app-reserved namespace, and unknown types", async () => {
    const merchant = await gql(define, {
      definition: { ...tier, namespace: "custom" },
    });
    expect(
      pick(
        merchant.body,
        "data",
        "metafieldDefinitionCreate",
        "userErrors",
        0,
        "code",
      ),
    ).toBe("ADMIN_ACCESS_INPUT_NOT_ALLOWED");
    const typo = await gql(define, {
      definition: { ...tier, type: "integer" },
    });
    expect(
      pick(
        typo.body,
        "data",
        "metafieldDefinitionCreate",
        "userErrors",
        0,
        "code",
      ),
    ).toBe("INCLUSION");
    expect(sim.state.require(SHOP).metafieldDefinitions.size).toBe(0);
  });

  it("makes metafieldsSet keep to the definition's type", async () => {
    await gql(define, { definition: tier });
    const wrong = await set("number_integer", "3");
    expect(pick(wrong.body, "data", "metafieldsSet", "userErrors")).toEqual([
      {
        field: ["metafields", "0", "type"],
        message: expect.stringContaining("single_line_text_field"),
        code: "INVALID_TYPE",
      },
    ]);
    const right = await set("single_line_text_field", "Gold");
    expect(pick(right.body, "data", "metafieldsSet", "userErrors")).toEqual([]);
  });

  it("deletes metafields by identifier, answering null for one that does not exist", async () => {
    await set("single_line_text_field", "Gold");
    const { body } = await gql(
      `mutation LoyaltyDelete($metafields: [MetafieldIdentifierInput!]!) {
        metafieldsDelete(metafields: $metafields) {
          deletedMetafields { ownerId namespace key }
          userErrors { field message }
        }
      }`,
      {
        metafields: [
          { ownerId: CUSTOMER, namespace: "$app:loyalty", key: "tier" },
          { ownerId: CUSTOMER, namespace: "$app:loyalty", key: "missing" },
        ],
      },
    );
    expect(pick(body, "data", "metafieldsDelete")).toEqual({
      deletedMetafields: [
        { ownerId: CUSTOMER, namespace: "app--1--loyalty", key: "tier" },
        null,
      ],
      userErrors: [],
    });
    expect(sim.state.require(SHOP).metafields.size).toBe(0);
  });
});

describe("discount codes", () => {
  const create = `mutation LoyaltyDiscountCreate($input: DiscountCodeBasicInput!) {
    discountCodeBasicCreate(basicCodeDiscount: $input) {
      codeDiscountNode {
        id
        codeDiscount { ... on DiscountCodeBasic { title codes(first: 1) { nodes { code } } startsAt endsAt status usageLimit } }
      }
      userErrors { field message code }
    }
  }`;
  const input = (code: string) => ({
    title: `Loyalty reward ${code}`,
    code,
    startsAt: "2025-06-01T11:00:00Z",
    endsAt: "2025-06-01T12:15:00Z",
    usageLimit: 1,
    appliesOncePerCustomer: true,
    customerSelection: { customers: { add: [CUSTOMER] } },
    customerGets: {
      value: { discountAmount: { amount: "5.00", appliesOnEachItem: false } },
      items: { all: true },
    },
    combinesWith: {
      orderDiscounts: false,
      productDiscounts: true,
      shippingDiscounts: true,
    },
  });

  it("creates a code bound to a customer and stores what the app sent", async () => {
    const { body } = await gql(create, { input: input("LOYALTY-7K2P") });
    expect(pick(body, "data", "discountCodeBasicCreate", "userErrors")).toEqual(
      [],
    );
    expect(
      pick(
        body,
        "data",
        "discountCodeBasicCreate",
        "codeDiscountNode",
        "codeDiscount",
      ),
    ).toEqual({
      title: "Loyalty reward LOYALTY-7K2P",
      codes: { nodes: [{ code: "LOYALTY-7K2P" }] },
      startsAt: "2025-06-01T11:00:00Z",
      endsAt: "2025-06-01T12:15:00Z",
      status: "ACTIVE",
      usageLimit: 1,
    });
    const [stored] = sim.state.require(SHOP).discountCodes.values();
    expect(stored).toMatchObject({
      code: "LOYALTY-7K2P",
      usageLimit: 1,
      appliesOncePerCustomer: true,
      customerSelection: { customers: [CUSTOMER] },
      customerGets: {
        value: { amount: "5.00", appliesOnEachItem: false },
        items: { all: true },
      },
      combinesWith: {
        orderDiscounts: false,
        productDiscounts: true,
        shippingDiscounts: true,
      },
    });
  });

  it("refuses a code already taken in the shop, whatever its case", async () => {
    await gql(create, { input: input("LOYALTY-DUP") });
    const { body } = await gql(create, { input: input("loyalty-dup") });
    expect(pick(body, "data", "discountCodeBasicCreate")).toEqual({
      codeDiscountNode: null,
      userErrors: [
        {
          field: ["basicCodeDiscount", "code"],
          message: "Code must be unique. Please try a different code.",
          code: "TAKEN",
        },
      ],
    });
    expect(sim.state.require(SHOP).discountCodes.size).toBe(1);
  });

  it("refuses a code for a customer the shop does not have", async () => {
    const { body } = await gql(create, {
      input: {
        ...input("LOYALTY-X"),
        customerSelection: {
          customers: { add: ["gid://shopify/Customer/404"] },
        },
      },
    });
    expect(
      pick(body, "data", "discountCodeBasicCreate", "userErrors", 0, "code"),
    ).toBe("INVALID");
  });

  it("deactivates, finds by code, and deletes", async () => {
    const created = await gql(create, { input: input("LOYALTY-END") });
    const id = pick(
      created.body,
      "data",
      "discountCodeBasicCreate",
      "codeDiscountNode",
      "id",
    );
    const deactivated = await gql(
      `mutation LoyaltyDiscountDeactivate($id: ID!) {
        discountCodeDeactivate(id: $id) { codeDiscountNode { codeDiscount { ... on DiscountCodeBasic { status endsAt } } } userErrors { message } }
      }`,
      { id },
    );
    expect(
      pick(
        deactivated.body,
        "data",
        "discountCodeDeactivate",
        "codeDiscountNode",
        "codeDiscount",
      ),
    ).toEqual({
      status: "EXPIRED",
      endsAt: "2025-06-01T12:00:00Z",
    });
    const found = await gql(
      `query LoyaltyDiscountByCode { codeDiscountNodeByCode(code: "loyalty-end") { id } }`,
    );
    expect(pick(found.body, "data", "codeDiscountNodeByCode", "id")).toBe(id);

    const remove = `mutation LoyaltyDiscountDelete($id: ID!) { discountCodeDelete(id: $id) { deletedCodeDiscountId userErrors { field message } } }`;
    const deleted = await gql(remove, { id });
    expect(pick(deleted.body, "data", "discountCodeDelete")).toEqual({
      deletedCodeDiscountId: id,
      userErrors: [],
    });
    expect(sim.state.require(SHOP).discountCodes.size).toBe(0);
    const again = await gql(remove, { id });
    expect(pick(again.body, "data", "discountCodeDelete")).toEqual({
      deletedCodeDiscountId: null,
      userErrors: [{ field: ["id"], message: "Discount does not exist" }],
    });
  });

  it("reports blank required inputs as userErrors", async () => {
    const { body } = await gql(create, {
      input: {
        title: "",
        customerGets: { value: { percentage: 1.5 }, items: { all: true } },
      },
    });
    const codes = pick(body, "data", "discountCodeBasicCreate", "userErrors");
    expect(codes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          field: ["basicCodeDiscount", "title"],
          code: "BLANK",
        }),
        expect.objectContaining({
          field: ["basicCodeDiscount", "code"],
          code: "BLANK",
        }),
        expect.objectContaining({
          field: ["basicCodeDiscount", "startsAt"],
          code: "BLANK",
        }),
        expect.objectContaining({
          field: ["basicCodeDiscount", "customerGets", "value"],
          code: "VALUE_OUTSIDE_RANGE",
        }),
      ]),
    );
  });
});

describe("storeCreditAccountCredit", () => {
  const credit = (
    id: string,
    amount: string,
    currencyCode = "CAD",
    expiresAt?: string,
  ) =>
    gql(STORE_CREDIT_CREDIT_MUTATION, {
      id,
      creditInput: { creditAmount: { amount, currencyCode }, expiresAt },
    });

  it("opens the customer's account on the first credit and adds to it after", async () => {
    const first = await credit(CUSTOMER, "5.00");
    expect(pick(first.body, "data", "storeCreditAccountCredit")).toMatchObject({
      storeCreditAccountTransaction: {
        amount: { amount: "5.0", currencyCode: "CAD" },
        balanceAfterTransaction: { amount: "5.0", currencyCode: "CAD" },
      },
      userErrors: [],
    });
    const second = await credit(CUSTOMER, "2.50");
    expect(
      pick(
        second.body,
        "data",
        "storeCreditAccountCredit",
        "storeCreditAccountTransaction",
        "balanceAfterTransaction",
      ),
    ).toEqual({ amount: "7.5", currencyCode: "CAD" });
    const [account] = sim.state.require(SHOP).storeCreditAccounts.values();
    expect(account).toMatchObject({
      ownerId: CUSTOMER,
      currency: "CAD",
      balance: 750,
    });
    expect(account?.transactions).toHaveLength(2);
  });

  it.each([
    ["gid://shopify/Customer/999", "1.00", "CAD", undefined, "OWNER_NOT_FOUND"],
    [
      "gid://shopify/StoreCreditAccount/999",
      "1.00",
      "CAD",
      undefined,
      "ACCOUNT_NOT_FOUND",
    ],
    [CUSTOMER, "0.00", "CAD", undefined, "NEGATIVE_OR_ZERO_AMOUNT"],
    [CUSTOMER, "-1.00", "CAD", undefined, "NEGATIVE_OR_ZERO_AMOUNT"],
    [CUSTOMER, "1.00", "EUR", undefined, "UNSUPPORTED_CURRENCY"],
    [CUSTOMER, "1.00", "CAD", "2000-01-01T00:00:00Z", "EXPIRES_AT_IN_PAST"],
  ])(
    "refuses %s %s %s (expiring %s) with %s, crediting nothing",
    async (id, amount, currency, expiresAt, code) => {
      const { body } = await credit(id, amount, currency, expiresAt);
      expect(pick(body, "data", "storeCreditAccountCredit")).toMatchObject({
        storeCreditAccountTransaction: null,
        userErrors: [{ code }],
      });
      expect(sim.state.require(SHOP).storeCreditAccounts.size).toBe(0);
    },
  );

  it("refuses a currency other than the account's when the account is named", async () => {
    await credit(CUSTOMER, "1.00");
    const [account] = sim.state.require(SHOP).storeCreditAccounts.values();
    const { body } = await credit(account?.id ?? "", "1.00", "USD");
    expect(
      pick(body, "data", "storeCreditAccountCredit", "userErrors", 0, "code"),
    ).toBe("MISMATCHING_CURRENCY");
    expect(account?.balance).toBe(100);
  });
});
