import { describe, expect, it } from "vitest";
import { readSessionTokenClaims } from "../simulator/session-tokens";
import { mintDemoAdminToken } from "./demo-mode.server";
import { parseEnv } from "./env.server";

const keys = { apiKey: "demo-key", secret: "demo-secret" };
const demoShop = "loyalty-demo.myshopify.com";
const valid = {
  SHOPIFY_API_KEY: "key",
  SHOPIFY_API_SECRET: "secret",
  SHOPIFY_APP_URL: "http://localhost:3000",
};
const demo = {
  LOYALTY_DEMO_SHOP: demoShop,
  APP_BRIDGE_URL: "http://localhost:3000/demo/app-bridge.js",
};

describe("demo session tokens", () => {
  it("are minted for the demo shop only, short-lived, for this app", () => {
    const minted = mintDemoAdminToken(demoShop, { demoShop, ...keys });
    if (!minted.ok) throw new Error(minted.reason);
    const claims = readSessionTokenClaims(minted.token);
    expect(claims).toMatchObject({
      dest: `https://${demoShop}`,
      aud: "demo-key",
    });
    expect(Number(claims.exp) - Number(claims.iat)).toBeLessThanOrEqual(60);
  });

  it.each([
    "other-shop.myshopify.com",
    "loyalty-demo.myshopify.com.evil.example",
    "",
  ])("are refused for %j", (shop) => {
    expect(mintDemoAdminToken(shop, { demoShop, ...keys })).toEqual({
      ok: false,
      reason: "NOT_THE_DEMO_SHOP",
    });
  });

  it("are refused for every shop when no demo shop is configured", () => {
    expect(
      mintDemoAdminToken(demoShop, { demoShop: undefined, ...keys }),
    ).toEqual({ ok: false, reason: "DEMO_OFF" });
  });
});

describe("demo mode in the environment", () => {
  it("is accepted outside production", () => {
    expect(parseEnv({ ...valid, ...demo }).LOYALTY_DEMO_SHOP).toBe(demoShop);
  });

  it.each([
    [demo, /LOYALTY_DEMO_SHOP[\s\S]*cannot be used in production/],
    [{ LOYALTY_DEMO_SHOP: demoShop }, /LOYALTY_DEMO_SHOP/],
    [{ APP_BRIDGE_URL: demo.APP_BRIDGE_URL }, /APP_BRIDGE_URL/],
  ])("cannot be switched on in production (%j)", (variables, message) => {
    expect(() =>
      parseEnv({ ...valid, ...variables, NODE_ENV: "production" }),
    ).toThrow(message);
  });

  it("needs its App Bridge stand-in and a myshopify.com shop", () => {
    expect(() => parseEnv({ ...valid, LOYALTY_DEMO_SHOP: demoShop })).toThrow(
      /APP_BRIDGE_URL/,
    );
    expect(() =>
      parseEnv({ ...valid, ...demo, LOYALTY_DEMO_SHOP: "example.com" }),
    ).toThrow(/myshopify\.com/);
  });
});
