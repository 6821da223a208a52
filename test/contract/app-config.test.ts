import { access, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { topicHandlers, webhookPath } from "~/services/topic-handlers.server";

const root = fileURLToPath(new URL("../../", import.meta.url));

describe("shopify.app.toml webhook subscriptions", () => {
  it("each name the route that handles them, and that route serves the subscribed uri", async () => {
    const toml = await readFile(`${root}shopify.app.toml`, "utf8");
    const subscriptions = [
      ...toml.matchAll(
        /# Handled by: (\S+)\n\s*\[\[webhooks\.subscriptions\]\]\n\s*(?:compliance_)?topics = \["([^"]+)"\]\n\s*uri = "([^"]+)"/g,
      ),
    ];
    expect(subscriptions.length).toBe(
      (toml.match(/\[\[webhooks\.subscriptions\]\]/g) ?? []).length,
    );
    for (const [, routeFile = "", topic = "", uri = ""] of subscriptions) {
      await access(`${root}${routeFile}`);
      // Remix flat routes: app/routes/webhooks.orders.paid.tsx serves /webhooks/orders/paid.
      expect(routeFile).toBe(
        `app/routes${uri.replaceAll("/", ".")}.tsx`.replace(
          "routes.",
          "routes/",
        ),
      );
      expect(uri).toBe(`/webhooks/${topic}`);
    }
  });

  it("cover the topics the architecture requires", async () => {
    const toml = await readFile(`${root}shopify.app.toml`, "utf8");
    const topics = [...toml.matchAll(/topics = \["([^"]+)"\]/g)]
      .map((match) => match[1])
      .sort();
    expect(topics).toEqual(
      [
        "app/scopes_update",
        "app/uninstalled",
        "customers/create",
        "customers/data_request",
        "customers/redact",
        "customers/update",
        "orders/cancelled",
        "orders/paid",
        "refunds/create",
        "shop/redact",
      ].sort(),
    );
  });
});

describe("the webhook dispatch in front of Remix", () => {
  it("serves exactly the uris shopify.app.toml subscribes", async () => {
    const toml = await readFile(`${root}shopify.app.toml`, "utf8");
    const uris = [...toml.matchAll(/uri = "([^"]+)"/g)]
      .map((match) => match[1])
      .sort();
    const served = Object.values(topicHandlers)
      .map((handler) => webhookPath(handler.topic))
      .sort();
    expect(served).toEqual(uris);
  });
});
