import { expect } from "vitest";
import { orderPayload, type OrderPayloadInput } from "../../simulator/webhooks";
import type { TestStack } from "./stack";
import { sendWebhook } from "./webhooks";

/** A signed orders/paid for `order`, which the app must accept. */
export async function deliverPaidOrder(
  stack: TestStack,
  shop: string,
  order: OrderPayloadInput,
) {
  const response = await sendWebhook(
    stack.app,
    shop,
    "orders/paid",
    orderPayload(order),
  );
  expect(response.status).toBe(200);
}
