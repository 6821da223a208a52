import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { sql } from "~/db.server";
import { removeRedemption } from "~/services/shopper-redemptions.server";
import {
  forShopper,
  invalidRequest,
  json,
  preflightOnly,
} from "~/shopify/shopper-request.server";

export const loader = preflightOnly("DELETE");

const paramsSchema = z.object({ id: z.uuid() });

/** DELETE: give the held points back; the code is deleted at Shopify shortly after. */
export const action = ({ request, params }: ActionFunctionArgs) =>
  forShopper(request, async ({ shop, customerId }) => {
    if (request.method !== "DELETE")
      return json(405, { error: "Use DELETE.", code: "METHOD_NOT_ALLOWED" });
    const parsed = paramsSchema.safeParse(params);
    if (!parsed.success) return invalidRequest(parsed.error);
    const outcome = await sql.transaction((tx) =>
      removeRedemption(tx, {
        shop,
        customerId,
        redemptionId: parsed.data.id,
        now: new Date(),
      }),
    );
    if (outcome.ok) return json(200, outcome);
    return outcome.code === "ALREADY_USED"
      ? json(409, {
          error: "These points were already used on a paid order.",
          code: outcome.code,
        })
      : json(404, {
          error: "This redemption does not exist.",
          code: outcome.code,
        });
  });
