// Session tokens signed the way Shopify signs them: HS256 JWTs keyed with the app's API secret.
// Claims per surface:
// - Admin (App Bridge), https://shopify.dev/docs/apps/build/authentication-authorization/session-tokens:
//   iss https://<shop>/admin, dest https://<shop>, aud <api key>, sub <staff user id>, exp (60 s),
//   nbf, iat, jti, sid.
// - Checkout UI and customer account UI extensions,
//   https://shopify.dev/docs/api/customer-account-ui-extensions/latest/apis/session-token:
//   dest <shop>.myshopify.com (a bare domain, no scheme), aud, exp (5 min), nbf, iat, jti, and
//   sub gid://shopify/Customer/<id> only when a customer is logged in (absent for guests).
//   No iss and no sid.
// @shopify/shopify-api's decodeSessionToken checks HS256, the signature, exp and nbf (with 10 s of
// clock tolerance) and, unless told not to, that aud is the API key; authenticate.public.checkout
// and .customerAccount call it with checkAudience: false.
import { createHmac, randomUUID } from "node:crypto";

export interface SessionTokenFaults {
  /** Sign with this secret instead of the app's (a forged token). */
  signingSecret?: string;
  /** Expired five minutes ago, well beyond the decoder's 10 s tolerance. */
  expired?: boolean;
  /** Not valid until five minutes from now. */
  notYetValid?: boolean;
  /** Another app's API key. */
  audience?: string;
}

interface CommonOptions extends SessionTokenFaults {
  shop: string;
  apiKey: string;
  secret: string;
  /** Milliseconds since the epoch (default: the real clock). */
  now?: number;
  ttlSeconds?: number;
  jti?: string;
}

export interface AdminSessionTokenOptions extends CommonOptions {
  userId?: string;
  sid?: string;
}

export interface ExtensionSessionTokenOptions extends CommonOptions {
  /** Logged-in customer: numeric id or gid. Absent for a guest. */
  customerId?: number | string;
}

export type SessionTokenClaims = Record<string, string | number>;

const FIVE_MINUTES = 300;

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString("base64url");
}

/** Encodes and signs `claims` as an HS256 JWT. */
export function signSessionToken(
  claims: SessionTokenClaims,
  secret: string,
): string {
  const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = base64url(JSON.stringify(claims));
  const signature = createHmac("sha256", secret)
    .update(`${header}.${payload}`)
    .digest("base64url");
  return `${header}.${payload}.${signature}`;
}

/** Reads a token's claims without checking anything (for assertions in tests). */
export function readSessionTokenClaims(token: string): Record<string, unknown> {
  const payload = token.split(".")[1];
  if (!payload) throw new Error("Not a JWT");
  const claims: unknown = JSON.parse(
    Buffer.from(payload, "base64url").toString("utf8"),
  );
  if (typeof claims !== "object" || claims === null || Array.isArray(claims))
    throw new Error("JWT payload is not an object");
  return Object.fromEntries(Object.entries(claims));
}

function timing(
  options: CommonOptions,
  defaultTtl: number,
): { iat: number; nbf: number; exp: number } {
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const ttl = options.ttlSeconds ?? defaultTtl;
  if (options.expired)
    return {
      iat: now - FIVE_MINUTES - ttl,
      nbf: now - FIVE_MINUTES - ttl,
      exp: now - FIVE_MINUTES,
    };
  if (options.notYetValid)
    return {
      iat: now + FIVE_MINUTES,
      nbf: now + FIVE_MINUTES,
      exp: now + FIVE_MINUTES + ttl,
    };
  return { iat: now, nbf: now, exp: now + ttl };
}

export function customerSubject(customerId: number | string): string {
  const id = String(customerId);
  return id.startsWith("gid://") ? id : `gid://shopify/Customer/${id}`;
}

/** The token App Bridge gives the embedded admin app. */
export function mintAdminSessionToken(
  options: AdminSessionTokenOptions,
): string {
  const { iat, nbf, exp } = timing(options, 60);
  const claims: SessionTokenClaims = {
    iss: `https://${options.shop}/admin`,
    dest: `https://${options.shop}`,
    aud: options.audience ?? options.apiKey,
    sub: options.userId ?? "1",
    exp,
    nbf,
    iat,
    jti: options.jti ?? randomUUID(),
    sid: options.sid ?? randomUUID(),
  };
  return signSessionToken(claims, options.signingSecret ?? options.secret);
}

function extensionToken(options: ExtensionSessionTokenOptions): string {
  const { iat, nbf, exp } = timing(options, FIVE_MINUTES);
  const claims: SessionTokenClaims = {
    dest: options.shop,
    aud: options.audience ?? options.apiKey,
    exp,
    nbf,
    iat,
    jti: options.jti ?? randomUUID(),
  };
  if (options.customerId !== undefined)
    claims.sub = customerSubject(options.customerId);
  return signSessionToken(claims, options.signingSecret ?? options.secret);
}

/** `shopify.sessionToken.get()` in a checkout UI extension. */
export function mintCheckoutSessionToken(
  options: ExtensionSessionTokenOptions,
): string {
  return extensionToken(options);
}

/** `shopify.sessionToken.get()` in a customer account UI extension. */
export function mintCustomerAccountSessionToken(
  options: ExtensionSessionTokenOptions,
): string {
  return extensionToken(options);
}
