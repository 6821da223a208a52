import {
  shopifyApi,
  LogSeverity,
  ShopifyEventsHeader,
  ShopifyHeader,
  WebhookValidationErrorReason,
  type WebhookValidation,
} from "@shopify/shopify-api";
import { env } from "~/env.server";
import { ADMIN_API_VERSION } from "./api-version";

let api: ReturnType<typeof shopifyApi> | undefined;

/**
 * How the library is set up for its webhook checks, here and on the thread the node server runs
 * them on (server/webhook-check-thread.ts): plain data, which a thread can be given.
 */
export function webhookLibraryConfig() {
  const config = env();
  return {
    apiKey: config.SHOPIFY_API_KEY,
    apiSecretKey: config.SHOPIFY_API_SECRET,
    apiVersion: ADMIN_API_VERSION,
    hostName: new URL(config.SHOPIFY_APP_URL).host,
    isEmbeddedApp: true,
    logger: { level: LogSeverity.Error },
  };
}

/**
 * The library's own webhook check (headers present, HMAC of the raw body with the app secret),
 * without what `authenticate.webhook` adds on top: a session lookup per delivery, which the
 * handlers never use, and a JSON.parse that throws on a malformed body. See
 * docs/decisions/007-webhook-path.md.
 */
function webhookApi() {
  api ??= shopifyApi(webhookLibraryConfig());
  return api;
}

/** What the library's webhook check is given of a delivery. */
export interface LibraryCheckInput {
  /** Absolute. */
  url: string;
  headers: [name: string, value: string][];
  rawBody: string;
}

export type LibraryCheck = (
  input: LibraryCheckInput,
) => Promise<WebhookValidation>;

/** The request as the library's checks take it, through the fetch adapter the app loads. */
const libraryRequest = (url: string, headers: [string, string][]) => ({
  method: "POST",
  url,
  headers: new Headers(headers),
});

const checkOnEventLoop: LibraryCheck = ({ url, headers, rawBody }) =>
  webhookApi().webhooks.validate({
    rawBody,
    rawRequest: libraryRequest(url, headers),
  });

let libraryCheck = checkOnEventLoop;

/**
 * Has the library's webhook check run elsewhere: the node server in front of the app runs it on a
 * thread of its own (server/webhook-check-thread.ts), and under Remix's dev server it runs here.
 */
export function checkWebhooksWith(check: LibraryCheck): void {
  libraryCheck = check;
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

/** What a webhook check reads of a request: its raw body, and its headers by lower-case name. */
export interface SignedRequest {
  /** Absolute. */
  url: string;
  header(name: string): string | undefined;
  rawBody: string;
}

const lowerCase = (names: string[]) => names.map((name) => name.toLowerCase());

/**
 * The headers the library requires of a delivery, by its kind: Shopify's webhooks, or the
 * `Shopify-*` headers of event deliveries, which the library tells apart by the HMAC header.
 */
const requiredHeaders = {
  webhooks: lowerCase([
    ShopifyHeader.Hmac,
    ShopifyHeader.Topic,
    ShopifyHeader.Domain,
    ShopifyHeader.ApiVersion,
    ShopifyHeader.WebhookId,
  ]),
  events: lowerCase([
    ShopifyEventsHeader.Hmac,
    ShopifyEventsHeader.Topic,
    ShopifyEventsHeader.Domain,
    ShopifyEventsHeader.ApiVersion,
    ShopifyEventsHeader.WebhookId,
  ]),
};
const isEventDelivery = (request: SignedRequest) =>
  request.header(ShopifyEventsHeader.Hmac) !== undefined;

/**
 * The headers the library's checks read: only those it requires. The library turns each header it
 * is given into a canonical name with a regex, once per header it looks up, and converts the
 * request twice; measured, seven headers made its check cost 171 µs and these five 132 µs
 * (docs/decisions/007-webhook-path.md). The optional headers (event id, trigger time) are read
 * directly: Shopify's HMAC covers the body alone, so no header is any more verified for having
 * passed through the library.
 */
function headersForLibrary(
  request: Pick<SignedRequest, "header">,
  names: readonly string[],
): [string, string][] {
  const headers: [string, string][] = [];
  for (const name of names) {
    const value = request.header(name);
    if (value !== undefined) headers.push([name, value]);
  }
  return headers;
}

function triggeredAt(request: SignedRequest, events: boolean): Date | null {
  const text = request.header(
    events
      ? ShopifyEventsHeader.TriggeredAt
      : ShopifyHeader.TriggeredAt.toLowerCase(),
  );
  const at = text ? new Date(text) : null;
  return at && !Number.isNaN(at.getTime()) ? at : null;
}

export async function verifyWebhook(
  request: SignedRequest,
): Promise<Verification> {
  const events = isEventDelivery(request);
  const check = await libraryCheck({
    url: request.url,
    headers: headersForLibrary(
      request,
      events ? requiredHeaders.events : requiredHeaders.webhooks,
    ),
    rawBody: request.rawBody,
  });
  if (!check.valid) {
    const forged =
      check.reason === WebhookValidationErrorReason.InvalidHmac ||
      check.reason === WebhookValidationErrorReason.MissingHmac;
    return { ok: false, status: forged ? 401 : 400, reason: check.reason };
  }
  return {
    ok: true,
    delivery: {
      shop: check.domain,
      topic: check.topic,
      webhookId: check.webhookId,
      // Event deliveries carry no event id the library names; webhooks carry Shopify's.
      eventId: events
        ? null
        : (request.header(ShopifyHeader.EventId.toLowerCase()) ?? null),
      triggeredAt: triggeredAt(request, events),
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
    rawRequest: libraryRequest(
      request.url,
      headersForLibrary(
        { header: (name) => request.headers.get(name) ?? undefined },
        [ShopifyHeader.Hmac.toLowerCase()],
      ),
    ),
  });
  if (check.valid) return { ok: true };
  const forged =
    check.reason === WebhookValidationErrorReason.InvalidHmac ||
    check.reason === WebhookValidationErrorReason.MissingHmac;
  return { ok: false, status: forged ? 401 : 400, reason: check.reason };
}
