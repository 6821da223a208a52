import { describe, expect, it } from "vitest";
import { programConfig } from "~/services/program.server";
import { useDemoBrowser } from "../support/browser";

const demo = useDemoBrowser();

describe("demo mode", () => {
  it("mints session tokens for the demo shop and refuses any other shop", async () => {
    const tokenFor = (shop: string) =>
      fetch(`${demo.app.url}/demo/session-token?shop=${shop}`);
    expect((await tokenFor(demo.shop)).status).toBe(200);
    const refused = await tokenFor("other-shop.myshopify.com");
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: "NOT_THE_DEMO_SHOP" });
  });
});

describe("the app's icon", () => {
  it("is declared by every page and served, so the browser tab shows it", async () => {
    const page = await fetch(`${demo.app.url}/demo`);
    expect(await page.text()).toContain(
      '<link rel="icon" href="/favicon.svg" type="image/svg+xml"/>',
    );
    const icon = await fetch(`${demo.app.url}/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toBe("image/svg+xml");
    expect(await icon.text()).toMatch(/^<svg /);
  });
});

describe("the admin in a browser", () => {
  it("shows the dashboard with its charts, and switches the period", async () => {
    const page = await demo.openAdmin();
    await page.locator('[data-chart="Members by tier"] svg').first().waitFor();
    const members = page.locator("h3", { hasText: "Members" }).first();
    await expect(members.isVisible()).resolves.toBe(true);
    await demo.screenshot(page, "dashboard-30-days");

    await page.getByRole("link", { name: "365 days" }).click();
    await page.waitForURL(/days=365/);
    const today = new Date().toISOString().slice(0, 10);
    const yearAgo = new Date(Date.now() - 364 * 86_400_000)
      .toISOString()
      .slice(0, 10);
    await page.getByText(`${yearAgo} to ${today} (UTC)`).waitFor();
    await page
      .locator('[data-chart="Points issued and redeemed"] svg')
      .first()
      .waitFor();
    await demo.screenshot(page, "dashboard-365-days");
    await page.context().close();
  });

  it("opens the tiers and activity pages from the navigation", async () => {
    const page = await demo.openAdmin();
    await page.locator("ui-nav-menu").getByText("Tiers").click();
    await page.waitForURL(/\/app\/tiers/);
    await page.getByRole("heading", { name: "Tiers" }).first().waitFor();
    await demo.screenshot(page, "tiers");

    await page.locator("ui-nav-menu").getByText("Activity").click();
    await page.waitForURL(/\/app\/activity/);
    await page.getByRole("heading", { name: "Activity" }).first().waitFor();
    await demo.screenshot(page, "activity");

    // A reload, as a person would press it, finds its way back through the bounce page.
    await page.reload();
    await page.getByRole("heading", { name: "Activity" }).first().waitFor();
    expect(new URL(page.url()).pathname).toBe("/app/activity");
    await page.context().close();
  });

  it("changes a setting and sees it saved", async () => {
    const page = await demo.openAdmin("/app/settings");
    const bonus = page.getByLabel("Signup bonus (points)");
    await bonus.fill("250");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Settings saved").waitFor();
    await demo.screenshot(page, "settings");

    await page.reload();
    await page.getByRole("heading", { name: "Program settings" }).waitFor();
    await expect(
      page.getByLabel("Signup bonus (points)").inputValue(),
    ).resolves.toBe("250");
    const config = await demo.db.sql.transaction((tx) =>
      programConfig(tx, demo.shop),
    );
    expect(config?.signupBonusPoints).toBe(250);
    await page.context().close();
  });
});
