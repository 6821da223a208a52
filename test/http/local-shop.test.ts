import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { programConfig } from "~/services/program.server";
import { startShopifySimulator, type Simulator } from "../../simulator/server";
import { registerLocalShop } from "../../scripts/lib/register-shop";
import { startTestApp, type RunningApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";

let db: TestDatabase;
let simulator: Simulator;
let app: RunningApp;

beforeAll(async () => {
  db = await createTestDatabase();
  simulator = await startShopifySimulator();
  app = await startTestApp({ database: db, adminApiOrigin: simulator.origin });
});
afterAll(async () => {
  await app?.close();
  await simulator?.close();
  await db?.destroy();
});

describe("registering a shop for local use", () => {
  it("stores an offline session the simulator accepts and creates the program from the shop's details", async () => {
    const shop = await registerLocalShop({
      shop: "euro-store.myshopify.com",
      accessToken: "shpat_euro",
      currencyCode: "EUR",
      ianaTimezone: "Europe/Tallinn",
    });
    expect(shop).toMatchObject({ currency: "EUR", timezone: "Europe/Tallinn" });

    // The app's own Admin client asked the simulator, with the stored token, at the pinned version.
    const call = simulator.calls.find(
      (entry) => entry.operationName === "LoyaltyShopDetails",
    );
    expect(call).toMatchObject({
      shop: "euro-store.myshopify.com",
      status: 200,
      apiVersion: "2026-10",
    });

    const session = await db.prisma.session.findUnique({
      where: { id: "offline_euro-store.myshopify.com" },
    });
    expect(session).toMatchObject({
      accessToken: "shpat_euro",
      isOnline: false,
    });

    const config = await db.sql.transaction((tx) =>
      programConfig(tx, "euro-store.myshopify.com"),
    );
    // PRODUCT.md defaults: off until the merchant switches it on, 1 point per 1 unit, 100 points = 1 unit.
    expect(config).toMatchObject({
      enabled: false,
      currency: "EUR",
      earn: { points: 1, perAmountMinor: 100 },
    });
    expect(config?.redemption).toMatchObject({ pointsPerUnit: 100 });
    expect(
      config?.tiers.levels.map((level) => [level.name, level.threshold]),
    ).toEqual([
      ["Bronze", 0],
      ["Silver", 500],
      ["Gold", 1500],
    ]);
  });
});

describe("npm run demo", () => {
  it("starts the app against the simulator, registers the demo shop, and round-trips signed webhooks", async () => {
    const { stdout } = await promisify(execFile)(
      "npx",
      [
        "tsx",
        "scripts/demo.ts",
        "--exit",
        "--port",
        "0",
        "--simulator-port",
        "0",
        "--customers",
        "15",
      ],
      {
        env: {
          ...process.env,
          DATABASE_URL: "",
          PGLITE_DATA_DIR: "memory://",
          LOYALTY_SKIP_BUILD: "1",
        },
        timeout: 120_000,
      },
    );
    expect(stdout).toContain("Registering loyalty-demo.myshopify.com");
    expect(stdout).toMatch(/\(0 refused\)/);
    // The demo's totals agree with its ledger: what members hold is the sum of the entries.
    expect(stdout).toMatch(
      /members hold (\d+) points; the ledger's entries sum to \1\b/,
    );
    expect(stdout).toMatch(/signed: +200/);
    expect(stdout).toMatch(/forged signature: +401/);
    expect(stdout).toMatch(/The admin: +http:\/\/localhost:\d+\/demo/);
    // The demo builds and replays in a child process: on a busy machine it takes longer than a test.
  }, 120_000);
});

describe("demo mode", () => {
  it.each([
    "/demo",
    "/demo/session-token?shop=loyalty-demo.myshopify.com",
    "/demo/app-bridge.js",
  ])("is off unless the demo switches it on: %s is not found", async (path) => {
    const response = await fetch(`${app.url}${path}`, { redirect: "manual" });
    expect(response.status).toBe(404);
  });
});
