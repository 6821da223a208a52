import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";

/**
 * Sends every Admin API request, for whichever shop, to `origin` instead of the shop's own domain:
 * `https://{shop}/admin/api/{version}/graphql.json` becomes `{origin}/admin/api/{version}/graphql.json`.
 * The access token header still says which shop is asking, as it does at Shopify. Calling it again
 * replaces the previous origin rather than stacking a second rewrite.
 */
export function routeAdminApiTo(origin: string): void {
  const target = new URL(origin);
  setAbstractFetchFunc((input, init) => {
    const url = new URL(
      typeof input === "string"
        ? input
        : input instanceof URL
          ? input.href
          : input.url,
    );
    if (url.pathname.startsWith("/admin/")) {
      url.protocol = target.protocol;
      url.host = target.host;
    }
    return globalThis.fetch(
      input instanceof Request ? new Request(url, input) : url.href,
      init,
    );
  });
}
