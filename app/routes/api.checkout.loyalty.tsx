import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { sql } from "~/db.server";
import { memberSummary } from "~/services/member-summary.server";
import {
  forShopper,
  invalidRequest,
  json,
} from "~/shopify/shopper-request.server";

const querySchema = z.object({
  subtotal: z.coerce.number().int().min(0).max(1e12).optional(),
});

/** The shopper's points for the checkout, thank-you and customer account extensions. */
export const loader = ({ request }: LoaderFunctionArgs) =>
  forShopper(request, async ({ shop, customerId }) => {
    const query = querySchema.safeParse(
      Object.fromEntries(new URL(request.url).searchParams),
    );
    if (!query.success) return invalidRequest(query.error);
    // Two read-only statements: no transaction, so no BEGIN and COMMIT round trips on the
    // checkout's hottest call. A write landing between them changes nothing a shopper could act on.
    const summary = await memberSummary(sql, shop, customerId, new Date(), {
      subtotalMinor: query.data.subtotal ?? null,
    });
    if (!summary)
      return json(404, {
        error: "This shop has no loyalty program.",
        code: "PROGRAM_NOT_FOUND",
      });
    return json(200, summary);
  });
