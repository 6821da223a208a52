import { beforeAll, describe, expect, it } from "vitest";
import { programConfig, saveProgramConfig } from "~/services/program.server";
import { registerLocalShop } from "../../scripts/lib/register-shop";
import { orderPayload } from "../../simulator/webhooks";
import { adminRequest } from "../support/admin";
import { useTestStack } from "../support/stack";
import { sendWebhook } from "../support/webhooks";

const shop = "tier-rules.myshopify.com";
const route = { path: "/app/tiers", id: "routes/app.tiers" };
const stack = useTestStack();

// Three members: 100 points (Bronze), 600 (Silver), 1,600 (Gold).
const spenders = [
  { id: 501, email: "low@example.org", spent: "100.00" },
  { id: 502, email: "mid@example.org", spent: "600.00" },
  { id: 503, email: "high@example.org", spent: "1600.00" },
];

beforeAll(async () => {
  await registerLocalShop({ shop, accessToken: "shpat_tier_rules" });
  await stack.db.sql.transaction(async (tx) => {
    const config = await programConfig(tx, shop);
    if (!config) throw new Error("no program");
    await saveProgramConfig(tx, shop, {
      ...config,
      enabled: true,
      programStartAt: new Date("2025-01-01"),
    });
  });
  for (const [index, spender] of spenders.entries()) {
    await sendWebhook(
      stack.app,
      shop,
      "orders/paid",
      orderPayload({
        id: 8000 + index,
        currency: "USD",
        customer: { id: spender.id, email: spender.email },
        lines: [{ id: 80_000 + index, price: spender.spent, quantity: 1 }],
        createdAt: new Date().toISOString(),
      }),
    );
  }
});

const form = (intent: string, thresholds: string[], window = "LIFETIME") => ({
  intent,
  window,
  graceDays: "30",
  threshold: thresholds,
});

function post(fields: ReturnType<typeof form>) {
  const body = new URLSearchParams();
  body.append("intent", fields.intent);
  body.append("window", fields.window);
  body.append("graceDays", fields.graceDays);
  for (const threshold of fields.threshold) body.append("threshold", threshold);
  return adminRequest(stack.app, shop, route, { method: "POST", body });
}

const tierOf = async (customerId: number) =>
  (
    await stack.db.prisma.member.findUniqueOrThrow({
      where: { shop_customerId: { shop, customerId: String(customerId) } },
    })
  ).tierHandle;

describe("changing the tier rules", () => {
  it("previews who would move before anything is saved", async () => {
    const response = await post(form("preview", ["0", "500", "550"]));
    expect(response.status).toBe(200);
    const { preview } = await response.json();
    expect(preview.up.map((move: { email: string }) => move.email)).toEqual([
      "mid@example.org",
    ]);
    expect(preview.down).toEqual([]);
    expect(preview.unchanged).toBe(2);
    expect(await tierOf(502)).toBe("silver");

    const stricter = await (
      await post(form("preview", ["0", "700", "1500"]))
    ).json();
    expect(
      stricter.preview.down.map((move: { email: string }) => move.email),
    ).toEqual(["mid@example.org"]);
  });

  it("refuses rules that make no sense, with the reason, and saves nothing", async () => {
    const notIncreasing = await post(form("save", ["0", "900", "800"]));
    expect(notIncreasing.status).toBe(400);
    expect(JSON.stringify(await notIncreasing.json())).toContain(
      "strictly increase",
    );
    const notANumber = await post(form("save", ["0", "lots", "800"]));
    expect(notANumber.status).toBe(400);
    const config = await stack.db.sql.transaction((tx) =>
      programConfig(tx, shop),
    );
    expect(config?.tiers.levels.map((level) => level.threshold)).toEqual([
      0, 500, 1500,
    ]);
  });

  it("saving re-evaluates everyone in the background, with progress, and takes effect from now", async () => {
    const before = new Date();
    expect((await post(form("save", ["0", "500", "550"]))).status).toBe(200);
    let page: {
      reevaluation: {
        total: number;
        done: number;
        finishedAt: string | null;
      } | null;
    } = {
      reevaluation: null,
    };
    for (
      let attempt = 0;
      attempt < 50 && !page.reevaluation?.finishedAt;
      attempt++
    ) {
      page = await (await adminRequest(stack.app, shop, route)).json();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(page.reevaluation).toMatchObject({ total: 3, done: 3 });
    expect(await tierOf(502)).toBe("gold");
    const config = await stack.db.sql.transaction((tx) =>
      programConfig(tx, shop),
    );
    expect(config?.tiers.effectiveFrom?.getTime()).toBeGreaterThanOrEqual(
      before.getTime(),
    );
  });
});
