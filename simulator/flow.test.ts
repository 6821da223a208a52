import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { callAdminGraphql } from "./client";
import { FLOW_TRIGGER_PAYLOAD_MAX_BYTES } from "./admin-resolvers";
import { startShopifySimulator, type Simulator } from "./server";
import { fakeClock, pick } from "./test-support";

const SHOP = "flow-shop.myshopify.com";
const TOKEN = "shpat_flow";
const clock = fakeClock();
let sim: Simulator;

const RECEIVE = `mutation LoyaltyFlowTriggerReceive($handle: String!, $payload: JSON!) {
  flowTriggerReceive(handle: $handle, payload: $payload) { userErrors { field message } }
}`;

const receive = (handle: string, payload: unknown) =>
  callAdminGraphql(sim.origin, {
    accessToken: TOKEN,
    query: RECEIVE,
    variables: { handle, payload },
  });

beforeAll(async () => {
  sim = await startShopifySimulator({ port: 0, now: clock.now });
  sim.registerShop({ shop: SHOP, accessToken: TOKEN });
});

afterAll(async () => {
  await sim.close();
});

beforeEach(() => sim.reset());

describe("flowTriggerReceive", () => {
  it("records each trigger the app fires, in order, with its payload", async () => {
    for (const points of [120, 30]) {
      const { body } = await receive("loyalty-points-earned", {
        customer_id: 501,
        points,
      });
      expect(pick(body, "data", "flowTriggerReceive", "userErrors")).toEqual(
        [],
      );
    }
    expect(sim.state.require(SHOP).flowTriggers).toEqual([
      {
        handle: "loyalty-points-earned",
        payload: { customer_id: 501, points: 120 },
        receivedAt: "2025-06-01T12:00:00.000Z",
      },
      {
        handle: "loyalty-points-earned",
        payload: { customer_id: 501, points: 30 },
        receivedAt: "2025-06-01T12:00:00.000Z",
      },
    ]);
  });

  it.each([
    ["a handle longer than 30 characters", "x".repeat(31), { a: 1 }, "handle"],
    ["a handle with spaces", "points earned", { a: 1 }, "handle"],
    [
      "a payload that is not an object",
      "loyalty-points-earned",
      [1],
      "payload",
    ],
    [
      "a payload above 50 KB",
      "loyalty-points-earned",
      { note: "x".repeat(FLOW_TRIGGER_PAYLOAD_MAX_BYTES) },
      "payload",
    ],
  ])(
    "refuses %s with a userError and records nothing",
    async (_, handle, payload, field) => {
      const { body } = await receive(handle, payload);
      expect(
        pick(body, "data", "flowTriggerReceive", "userErrors", 0, "field"),
      ).toEqual([field]);
      expect(sim.state.require(SHOP).flowTriggers).toEqual([]);
    },
  );

  it("takes a payload just under the limit", async () => {
    const payload = { note: "x".repeat(FLOW_TRIGGER_PAYLOAD_MAX_BYTES - 20) };
    const { body } = await receive("loyalty-points-earned", payload);
    expect(pick(body, "data", "flowTriggerReceive", "userErrors")).toEqual([]);
    expect(sim.state.require(SHOP).flowTriggers).toHaveLength(1);
  });
});
