import { describe, expect, it } from "vitest";
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

describe("the admin in a browser", () => {
  it("opens the dashboard with the demo shop's numbers", async () => {
    const page = await demo.openAdmin();
    await page.getByText("Loyalty program").first().waitFor();
    await demo.screenshot(page, "dashboard");
    await page.context().close();
  });
});
