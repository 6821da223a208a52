// The offline demo in a normal browser: the app plays the part of Shopify's admin for one local
// shop, handing its pages the session tokens App Bridge would. Everything here answers only when
// the environment names a demo shop, which env.server.ts refuses under NODE_ENV=production, and
// only to requests addressed to this machine. docs/decisions/009-demo-mode-and-dashboard.md.
import { mintAdminSessionToken } from "../simulator/session-tokens";
import { env } from "./env.server";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export type DemoTokenOutcome =
  | { ok: true; token: string }
  | { ok: false; reason: "DEMO_OFF" | "NOT_THE_DEMO_SHOP" };

/** The demo's shop and App Bridge stand-in, or null when this is not a demo. */
export function demoMode(): { shop: string; appBridgeUrl: string } | null {
  const config = env();
  if (!config.LOYALTY_DEMO_SHOP || !config.APP_BRIDGE_URL) return null;
  return {
    shop: config.LOYALTY_DEMO_SHOP,
    appBridgeUrl: config.APP_BRIDGE_URL,
  };
}

/**
 * A demo route answers only in demo mode and only to a request for a loopback host: a page served
 * under another name (a tunnel, a LAN address) gets a 404, as in production.
 */
export function demoRequestAllowed(request: Request): boolean {
  return (
    demoMode() !== null && LOOPBACK_HOSTS.has(new URL(request.url).hostname)
  );
}

/**
 * The admin session token App Bridge would give the embedded page, signed with the app's secret so
 * `authenticate.admin` checks it exactly as it checks Shopify's. Short-lived, and never for a shop
 * other than the demo's.
 */
export function mintDemoAdminToken(
  shop: string,
  options: { demoShop: string | undefined; apiKey: string; secret: string },
): DemoTokenOutcome {
  if (!options.demoShop) return { ok: false, reason: "DEMO_OFF" };
  if (shop !== options.demoShop)
    return { ok: false, reason: "NOT_THE_DEMO_SHOP" };
  return {
    ok: true,
    token: mintAdminSessionToken({
      shop,
      apiKey: options.apiKey,
      secret: options.secret,
    }),
  };
}

/** `mintDemoAdminToken` with this process's configuration. */
export function demoAdminToken(shop: string): DemoTokenOutcome {
  const config = env();
  return mintDemoAdminToken(shop, {
    demoShop: demoMode()?.shop,
    apiKey: config.SHOPIFY_API_KEY,
    secret: config.SHOPIFY_API_SECRET,
  });
}

/**
 * The library preloads App Bridge from Shopify's CDN on every page it renders (a `Link` header);
 * in demo mode the preload names the local stand-in instead, so the page never reaches for the CDN.
 */
export function preloadDemoAppBridge(headers: Headers): void {
  const demo = demoMode();
  if (demo && headers.has("Link"))
    headers.set("Link", `<${demo.appBridgeUrl}>; rel="preload"; as="script";`);
}

/** Shopify's `host` parameter: the shop's admin, base64-encoded. */
export function demoHostParam(shop: string): string {
  const store = shop.replace(/\.myshopify\.com$/, "");
  return Buffer.from(`admin.shopify.com/store/${store}`).toString("base64");
}
