import {
  shopifyApi,
  LogSeverity,
  WebhookValidationErrorReason,
} from "@shopify/shopify-api";
import { env } from "~/env.server";
import { ADMIN_API_VERSION } from "./api-version";

let api: ReturnType<typeof shopifyApi> | undefined;

/**
 * The library's own webhook check (headers present, HMAC of the raw body with the app secret),
 * without what `authenticate.webhook` adds on top: a session lookup per delivery, which the
 * handlers never use, and a JSON.parse that throws on a malformed body. See
 * docs/decisions/007-webhook-path.md.
 */
function webhookApi() {
  const config = env();
  api ??= shopifyApi({
    apiKey: config.SHOPIFY_API_KEY,
    apiSecretKey: config.SHOPIFY_API_SECRET,
    apiVersion: ADMIN_API_VERSION,
    hostName: new URL(config.SHOPIFY_APP_URL).host,
    isEmbeddedApp: true,
    logger: { level: LogSeverity.Error },
  });
  return api;
}

export type VerifiedDelivery = {
  shop: string;
  topic: string;
  webhookId: string;
  eventId: string | null;
  triggeredAt: Date | null;
  apiVersion: string;
};

export type Verification =
  | { ok: true; delivery: VerifiedDelivery }
  | { ok: false; status: 400 | 401; reason: string };

/**
 * The request as the library's checks read it, with Shopify's own headers only (`X-Shopify-*`, and
 * `Shopify-*` of event deliveries). The library canonicalises every header's name with a regex for
 * each header it looks up, so the dozen headers a proxy adds cost more than the HMAC itself
 * (measured: 390 µs a delivery with the bench's twelve headers, 250 µs with Shopify's seven), and
 * none of them takes part in the check.
 */
function withShopifyHeadersOnly(request: Request) {
  const headers = new Headers();
  request.headers.forEach((value, name) => {
    if (name.startsWith("x-shopify-") || name.startsWith("shopify-"))
      headers.append(name, value);
  });
  return { method: request.method, url: request.url, headers };
}

export async function verifyWebhook(
  request: Request,
  rawBody: string,
): Promise<Verification> {
  const check = await webhookApi().webhooks.validate({
    rawBody,
    rawRequest: withShopifyHeadersOnly(request),
  });
  if (!check.valid) {
    const forged =
      check.reason === WebhookValidationErrorReason.InvalidHmac ||
      check.reason === WebhookValidationErrorReason.MissingHmac;
    return { ok: false, status: forged ? 401 : 400, reason: check.reason };
  }
  const triggeredAt = check.triggeredAt ? new Date(check.triggeredAt) : null;
  return {
    ok: true,
    delivery: {
      shop: check.domain,
      topic: check.topic,
      webhookId: check.webhookId,
      eventId: "eventId" in check && check.eventId ? check.eventId : null,
      triggeredAt:
        triggeredAt && !Number.isNaN(triggeredAt.getTime())
          ? triggeredAt
          : null,
      apiVersion: check.apiVersion,
    },
  };
}

/**
 * A Shopify Flow action request: Flow signs the raw body with the app secret in
 * `X-Shopify-Hmac-Sha256`, as it does webhooks (the library compares in constant time). 401 for
 * a missing or wrong signature, 400 for an empty body.
 */
export async function verifyFlowRequest(
  request: Request,
  rawBody: string,
): Promise<{ ok: true } | { ok: false; status: 400 | 401; reason: string }> {
  const check = await webhookApi().flow.validate({
    rawBody,
    rawRequest: withShopifyHeadersOnly(request),
  });
  if (check.valid) return { ok: true };
  const forged =
    check.reason === WebhookValidationErrorReason.InvalidHmac ||
    check.reason === WebhookValidationErrorReason.MissingHmac;
  return { ok: false, status: forged ? 401 : 400, reason: check.reason };
}
