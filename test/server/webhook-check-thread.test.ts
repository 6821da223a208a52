import { describe, expect, it } from "vitest";
import { signWebhookBody } from "../../simulator/webhooks";
import { WebhookCheckThread } from "../../server/webhook-check-thread";

const secret = "webhook-check-thread-secret";
const config = {
  apiKey: "webhook-check-thread-key",
  apiSecretKey: secret,
  apiVersion: "2025-10",
  hostName: "localhost",
  isEmbeddedApp: true,
};

function delivery(rawBody: string) {
  return {
    url: "http://localhost/webhooks/orders/paid",
    headers: [
      ["x-shopify-hmac-sha256", signWebhookBody(rawBody, secret)],
      ["x-shopify-topic", "orders/paid"],
      ["x-shopify-shop-domain", "thread.myshopify.com"],
      ["x-shopify-api-version", "2025-10"],
      ["x-shopify-webhook-id", `webhook-${rawBody.length}`],
    ] as [string, string][],
    rawBody,
  };
}

describe("the thread the server runs the library's webhook checks on", () => {
  it("answers each check with the library's verdict on it", async () => {
    const thread = new WebhookCheckThread(() => config);
    try {
      const [valid, forged] = await Promise.all([
        thread.check(delivery('{"id":1}')),
        thread.check({ ...delivery('{"id":2}'), rawBody: '{"id":3}' }),
      ]);
      expect(valid).toMatchObject({
        valid: true,
        domain: "thread.myshopify.com",
        topic: "ORDERS_PAID",
        webhookId: "webhook-8",
      });
      expect(forged).toMatchObject({ valid: false, reason: "invalid_hmac" });
    } finally {
      await thread.close();
    }
  });

  it("fails the checks of a thread that cannot set the library up, with the library's reason", async () => {
    const thread = new WebhookCheckThread(() => ({ ...config, apiKey: "" }));
    await expect(thread.check(delivery("{}"))).rejects.toThrow(
      /webhook check's thread ended: .*apiKey/,
    );
  });

  it("fails a check the thread had not answered when it ended, and starts a new thread for the next", async () => {
    const thread = new WebhookCheckThread(() => config);
    try {
      const unanswered = expect(
        thread.check(delivery('{"id":4}')),
      ).rejects.toThrow("the webhook check's thread ended: it was stopped");
      await thread.close();
      await unanswered;
      await expect(thread.check(delivery('{"id":5}'))).resolves.toMatchObject({
        valid: true,
      });
    } finally {
      await thread.close();
    }
  });
});
