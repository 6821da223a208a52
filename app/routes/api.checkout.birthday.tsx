import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { sql } from "~/db.server";
import { calendarDateSchema } from "~/loyalty/engagement";
import { setBirthday } from "~/services/engagement.server";
import {
  forShopper,
  invalidRequest,
  json,
  preflightOnly,
} from "~/shopify/shopper-request.server";

export const loader = preflightOnly("POST");

const bodySchema = z
  .object({
    birthday: calendarDateSchema.refine(
      // Any zone's today is at most a day ahead of UTC's.
      (date) => date <= new Date(Date.now() + 86_400_000).toISOString(),
      "a birthday cannot be in the future",
    ),
  })
  .strict();

/** POST: the signed-in shopper's birthday, from the customer account (docs/checkout-api.md). */
export const action = ({ request }: ActionFunctionArgs) =>
  forShopper(request, async ({ shop, customerId }) => {
    if (request.method !== "POST")
      return json(405, { error: "Use POST.", code: "METHOD_NOT_ALLOWED" });
    const body = bodySchema.safeParse(await request.json().catch(() => null));
    if (!body.success) return invalidRequest(body.error);
    const outcome = await sql.transaction((tx) =>
      setBirthday(tx, {
        shop,
        customerId,
        birthday: body.data.birthday,
        now: new Date(),
      }),
    );
    if (!outcome.ok)
      return json(409, {
        error: "Your loyalty data was erased at your request.",
        code: outcome.reason,
      });
    return json(200, { birthday: body.data.birthday });
  });
