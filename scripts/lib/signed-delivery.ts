import type { PreparedRequest } from "../bench/load";
import {
  buildWebhookRequest,
  type WebhookRequestOptions,
} from "../../simulator/webhooks";

/**
 * A webhook delivery signed as Shopify signs it, serialised once for the load generator: the
 * simulator's buildWebhookRequest holds the one copy of Shopify's header logic, and only its
 * headers and bytes are kept. `url` only contributes its path.
 */
export function signedDelivery(
  options: WebhookRequestOptions,
): PreparedRequest {
  const rawBody = options.rawBody ?? JSON.stringify(options.payload ?? {});
  const request = buildWebhookRequest({ ...options, rawBody });
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const url = new URL(options.url);
  return {
    method: "POST",
    path: `${url.pathname}${url.search}`,
    headers,
    body: Buffer.from(rawBody, "utf8"),
  };
}
