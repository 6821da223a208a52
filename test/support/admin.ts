import { mintAdminSessionToken } from "../../simulator/session-tokens";
import { testApp, type RunningApp } from "./app";

/**
 * A request from an embedded admin page as App Bridge makes it: the route's data with the
 * session token Shopify's admin hands the page, from a browser.
 */
export function adminRequest(
  app: RunningApp,
  shop: string,
  route: { path: string; id: string },
  init: {
    method?: string;
    form?: Record<string, string>;
    body?: URLSearchParams;
  } = {},
) {
  const token = mintAdminSessionToken({
    shop,
    apiKey: testApp.apiKey,
    secret: testApp.apiSecret,
  });
  const separator = route.path.includes("?") ? "&" : "?";
  const url = `${app.url}${route.path}${separator}_data=${encodeURIComponent(route.id)}`;
  return fetch(url, {
    method: init.method ?? "GET",
    headers: {
      Authorization: `Bearer ${token}`,
      "User-Agent":
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36",
      ...(init.form || init.body
        ? { "Content-Type": "application/x-www-form-urlencoded" }
        : {}),
    },
    body: (
      init.body ?? (init.form ? new URLSearchParams(init.form) : undefined)
    )?.toString(),
  });
}
