import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { sql } from "~/db.server";
import { log } from "~/logger.server";
import { memberSummary } from "~/services/member-summary.server";
import { authenticate } from "~/shopify.server";

// Checkout and customer account extension tokens carry the shop as a bare domain in `dest`, and
// `sub` only for a logged-in customer:
// https://shopify.dev/docs/api/checkout-ui-extensions/latest/apis/session-token
const claimsSchema = z.object({
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

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    // Balances are one shopper's data: no shared cache may keep them.
    headers: {
      "Content-Type": "application/json",
      "Cache-Control": "no-store",
    },
  });
}

/**
 * The shopper's points for the checkout, thank-you and customer account extensions. The library
 * answers OPTIONS preflights (204) and missing or invalid tokens (401) itself by throwing.
 */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { sessionToken, cors } = await authenticate.public.checkout(request);
  const claims = claimsSchema.safeParse(sessionToken);
  if (!claims.success) {
    return cors(
      json(400, {
        error: "The session token does not name a shop and customer.",
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
    const summary = await sql.transaction((tx) =>
      memberSummary(tx, shop, customerId, new Date()),
    );
    if (!summary) {
      return cors(
        json(404, {
          error: "This shop has no loyalty program.",
          code: "PROGRAM_NOT_FOUND",
        }),
      );
    }
    return cors(json(200, summary));
  } catch (error) {
    // Answered here rather than by Remix so the extension can still read the status through CORS.
    log("error", "member summary failed", {
      shop,
      error: error instanceof Error ? error.message : String(error),
    });
    return cors(
      json(500, {
        error: "Your points could not be loaded. Try again.",
        code: "UNAVAILABLE",
      }),
    );
  }
};
