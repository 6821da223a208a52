import {
  mintAdminSessionToken,
  type SessionTokenFaults,
} from "../../simulator/session-tokens";

export interface AdminRequestInit {
  method?: string;
  form?: Record<string, string>;
  body?: URLSearchParams;
  /** Sent as multipart/form-data (file uploads); fetch sets the boundary. */
  multipart?: FormData;
  /** The staff member's Shopify user id (the token's `sub`). */
  userId?: string;
  /** A bad token instead of a good one (expired, forged, another app's). */
  tokenFaults?: SessionTokenFaults;
}

/**
 * A request from an embedded admin page as App Bridge makes it: the route's data with the
 * session token Shopify's admin hands the page, from a browser.
 */
export function adminDataRequest(
  app: { url: string; apiKey: string; apiSecret: string },
  shop: string,
  route: { path: string; id: string },
  init: AdminRequestInit = {},
) {
  const token = mintAdminSessionToken({
    shop,
    apiKey: app.apiKey,
    secret: app.apiSecret,
    userId: init.userId,
    ...init.tokenFaults,
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
    body:
      init.multipart ??
      (
        init.body ?? (init.form ? new URLSearchParams(init.form) : undefined)
      )?.toString(),
  });
}
