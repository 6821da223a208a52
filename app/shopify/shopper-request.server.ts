// The edge of the shopper API (docs/checkout-api.md): the extension's session token verified by the
// library, the shop and customer read from its claims, JSON answers that CORS lets the extension
// read, and unexpected errors answered here so the extension still sees a status it can show.
import { z } from "zod";
import { env } from "~/env.server";
import { log } from "~/logger.server";
import { authenticate } from "~/shopify.server";

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
    forShopper(request, async () =>
      json(405, { error: `Use ${allowed}.`, code: "METHOD_NOT_ALLOWED" }),
    );
