import { mkdir } from "node:fs/promises";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { ADMIN_API_VERSION } from "~/shopify/api-version";
import { startShopifySimulator, type Simulator } from "../../simulator/server";
import { replayHistory } from "../../scripts/lib/demo-history";
import { DEMO_SHOP, openDemoShop } from "../../scripts/lib/demo-shop";
import { startTestApp, testApp, type RunningApp } from "./app";
import { createTestDatabase, type TestDatabase } from "./database";

export const CHROMIUM = "/usr/bin/chromium";

// Chromium's warning when polaris-viz sizes a chart before its container has settled, which happens
// on a busy machine (the full suite on two cores) and is redrawn right after; not an app error.
const PROVISIONAL_CHART_LAYOUT =
  /^Error: <(svg|rect)> attribute (height|viewBox): A negative value is not valid/;
const SCREENSHOTS = new URL("../browser/screenshots/", import.meta.url);

// A desktop browser's user agent: authenticate.admin answers 410 to bots, and "HeadlessChrome" is one.
const USER_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";

export interface DemoBrowser {
  db: TestDatabase;
  simulator: Simulator;
  app: RunningApp;
  shop: string;
  /** Customers in the replayed history. */
  customers: number;
  /**
   * A new page logged in as the demo shop, on `path` (an /app page), once Polaris has rendered it.
   * Errors the page throws or logs fail the test that opened it.
   */
  openAdmin(path?: string): Promise<Page>;
  /** Saves a full-page screenshot as test/browser/screenshots/<name>.png. */
  screenshot(page: Page, name: string): Promise<void>;
}

/**
 * For a browser test file: a fresh database, the simulator, the app in demo mode (as `npm run
 * demo` serves it) with the demo shop's program on and `customers` customers' history replayed,
 * and one headless Chromium shared by the file's tests.
 */
export function useDemoBrowser(options: { customers?: number } = {}) {
  const stack = {
    shop: DEMO_SHOP,
    customers: options.customers ?? 12,
  } as DemoBrowser;
  let browser: Browser;
  let pageErrors: string[] = [];

  beforeAll(async () => {
    stack.db = await createTestDatabase();
    stack.simulator = await startShopifySimulator();
    stack.app = await startTestApp({
      database: stack.db,
      adminApiOrigin: stack.simulator.origin,
      demoMode: true,
    });
    const now = new Date();
    await openDemoShop(
      stack.db.sql,
      new Date(now.getTime() - 366 * 86_400_000),
    );
    const history = await replayHistory({
      appUrl: stack.app.url,
      shop: DEMO_SHOP,
      secret: testApp.apiSecret,
      apiKey: testApp.apiKey,
      apiVersion: ADMIN_API_VERSION,
      simulator: stack.simulator,
      customers: stack.customers,
      now,
    });
    if (history.failed > 0)
      throw new Error(`${history.failed} history deliveries were refused`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    await mkdir(SCREENSHOTS, { recursive: true });
  }, 120_000);

  afterEach(() => {
    const errors = pageErrors;
    pageErrors = [];
    expect(errors, "errors in the browser").toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await stack.app?.close();
    await stack.simulator?.close();
    await stack.db?.destroy();
  });

  stack.openAdmin = async (path = "/app") => {
    const context = await browser.newContext({
      userAgent: USER_AGENT,
      viewport: { width: 1280, height: 900 },
      // Charts drawn at once rather than animated, so a screenshot shows them whole.
      reducedMotion: "reduce",
    });
    const page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => {
      if (
        message.type() === "error" &&
        !PROVISIONAL_CHART_LAYOUT.test(message.text())
      )
        pageErrors.push(message.text());
    });
    // Nothing leaves the machine: the page may only talk to the app.
    await page.route(
      (url) => url.origin !== new URL(stack.app.url).origin,
      (route) => {
        pageErrors.push(`unexpected request to ${route.request().url()}`);
        return route.abort();
      },
    );
    await page.goto(`${stack.app.url}/demo?path=${encodeURIComponent(path)}`);
    await page.locator(".Polaris-Page").first().waitFor();
    return page;
  };

  stack.screenshot = async (page, name) => {
    await page.screenshot({
      path: new URL(`${name}.png`, SCREENSHOTS).pathname,
      fullPage: true,
    });
  };

  return stack;
}
