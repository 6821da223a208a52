import { z } from "zod";
import { sql } from "~/db.server";
import { calendarDateSchema } from "~/loyalty/engagement";
import { setBirthday } from "~/services/engagement.server";
import {
  json,
  preflightOnly,
  refused,
  shopperPost,
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
export const action = shopperPost(
  bodySchema,
  async ({ shop, customerId }, { birthday }) => {
    const outcome = await sql.transaction((tx) =>
      setBirthday(tx, { shop, customerId, birthday, now: new Date() }),
    );
    if (!outcome.ok)
      return refused(
        409,
        "Your loyalty data was erased at your request.",
        outcome.reason,
      );
    return json(200, { birthday });
  },
);
