// The edge of the shopper API (docs/checkout-api.md): the extension's session token verified by the
// library, the shop and customer read from its claims, JSON answers that CORS lets the extension
// read, and unexpected errors answered here so the extension still sees a status it can show.
import { z } from "zod";
import { env } from "~/env.server";
import { log } from "~/logger.server";
import { authenticate, unauthenticated } from "~/shopify.server";
import type { AdminGraphqlApi } from "~/shopify/admin-client.server";

// Checkout and customer account extension tokens carry the shop as a bare domain in `dest`, `sub`
// only for a logged-in customer, and this app's client id in `aud`:
// https://shopify.dev/docs/api/checkout-ui-extensions/latest/apis/session-token
const claimsSchema = z.object({
  aud: z.string(),
  dest: z
    .string()
    .transform((dest) => dest.replace(/^https:\/\//, ""))
    .pipe(z.string().regex(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/i)),
  sub: z
    .string()
    .regex(/^gid:\/\/shopify\/Customer\/\d+$/)
    .transform((gid) => gid.slice(gid.lastIndexOf("/") + 1))
    .optional(),
});

/** The extension's key for one intent of the shopper's, so that a retry spends nothing twice. */
export const idempotencyKeySchema = z
  .string()
  .min(8)
  .max(100)
  .regex(/^[\w.:-]+$/);

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    // Balances are one shopper's data: no shared cache may keep them.
    headers: {
      "Content-Type": "application/json",
      "Cache-Control": "no-store",
    },
  });
}

export function invalidRequest(error: z.ZodError): Response {
  return json(400, {
    error: "The request is not valid.",
    code: "INVALID_REQUEST",
    issues: error.issues.map((issue) => ({
      path: issue.path.join("."),
      message: issue.message,
    })),
  });
}

/** A refusal the extension shows as it is: its sentence, its code, and what it needs to say more. */
export function refused(
  status: number,
  error: string,
  code: string,
  details?: object,
): Response {
  return json(status, { error, code, ...details });
}

export const programNotFound = (): Response =>
  refused(404, "This shop has no loyalty program.", "PROGRAM_NOT_FOUND");

/** `forWhat` finishes "not enough for …", so each way of spending says what it was short of. */
export const notEnoughPoints = (available: number, forWhat: string): Response =>
  refused(
    409,
    `You have ${available} points available, not enough for ${forWhat}.`,
    "INSUFFICIENT_POINTS",
    { available },
  );

/** A retry with the same idempotency key answers 200, so the extension can tell it made nothing new. */
export const createdOrReplayed = (replayed: boolean, body: unknown): Response =>
  json(replayed ? 200 : 201, body);

export const methodNotAllowed = (allowed: string): Response =>
  refused(405, `Use ${allowed}.`, "METHOD_NOT_ALLOWED");

/** Shopify's Admin API for a shop, through the offline session the app keeps for it. */
export const offlineAdmin = async (shop: string): Promise<AdminGraphqlApi> =>
  (await unauthenticated.admin(shop)).admin;

const ALLOWED_METHODS = "GET, POST, DELETE, OPTIONS";

export interface Shopper {
  shop: string;
  customerId: string;
}

/**
 * Runs `work` for the signed-in shopper the token names. The library answers OPTIONS preflights
 * (204) and missing, expired or forged tokens (401) itself by throwing; a guest gets 401 with the
 * sentence the extension shows.
 */
export async function forShopper(
  request: Request,
  work: (shopper: Shopper) => Promise<Response>,
): Promise<Response> {
  const { sessionToken, cors } = await authenticate.public
    .checkout(request)
    .catch((thrown: unknown) => {
      // The library's preflight answer names no methods; DELETE is not a simple method, so a
      // browser needs it named before it sends the shopper's "Remove".
      if (thrown instanceof Response && request.method === "OPTIONS")
        thrown.headers.set("Access-Control-Allow-Methods", ALLOWED_METHODS);
      throw thrown;
    });
  const claims = claimsSchema.safeParse(sessionToken);
  if (!claims.success) {
    return cors(
      json(400, {
        error: "The session token does not name a shop and customer.",
        code: "INVALID_SESSION_TOKEN",
      }),
    );
  }
  // The library decodes extension tokens without checking the audience; a token Shopify made for
  // another app is not this app's to act on.
  if (claims.data.aud !== env().SHOPIFY_API_KEY) {
    return cors(
      json(401, {
        error: "The session token is for another app.",
        code: "INVALID_SESSION_TOKEN",
      }),
    );
  }
  const { dest: shop, sub: customerId } = claims.data;
  if (customerId === undefined) {
    return cors(
      json(401, {
        error: "Sign in to use your points.",
        code: "CUSTOMER_REQUIRED",
      }),
    );
  }
  try {
    return cors(await work({ shop, customerId }));
  } catch (error) {
    log("error", "shopper request failed", {
      shop,
      path: new URL(request.url).pathname,
      error: error instanceof Error ? error.message : String(error),
    });
    return cors(
      json(500, {
        error: "Something went wrong with your points. Try again.",
        code: "UNAVAILABLE",
      }),
    );
  }
}

/**
 * For routes that only take a mutation: Remix hands OPTIONS preflights to the loader, which
 * answers them through the library; anything else reaching the loader is the wrong method.
 */
export const preflightOnly =
  (allowed: string) =>
  ({ request }: { request: Request }) =>
    forShopper(request, async () => methodNotAllowed(allowed));

/**
 * The action of a route that only takes a JSON POST: `work` runs for the signed-in shopper with
 * the body `bodySchema` accepted; anything else is answered here.
 */
export const shopperPost =
  <Body extends z.ZodType>(
    bodySchema: Body,
    work: (shopper: Shopper, body: z.output<Body>) => Promise<Response>,
  ) =>
  ({ request }: { request: Request }) =>
    forShopper(request, async (shopper) => {
      if (request.method !== "POST") return methodNotAllowed("POST");
      const body = bodySchema.safeParse(await request.json().catch(() => null));
      if (!body.success) return invalidRequest(body.error);
      return work(shopper, body.data);
    });
