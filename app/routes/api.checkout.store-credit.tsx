import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { sql } from "~/db.server";
import { unauthenticated } from "~/shopify.server";
import {
  convertToStoreCredit,
  type StoreCreditOutcome,
} from "~/services/store-credit.server";
import {
  forShopper,
  invalidRequest,
  json,
  preflightOnly,
} from "~/shopify/shopper-request.server";

export const loader = preflightOnly("POST");

const bodySchema = z
  .object({
    points: z.int().min(1).max(10_000_000),
    idempotencyKey: z
      .string()
      .min(8)
      .max(100)
      .regex(/^[\w.:-]+$/),
  })
  .strict();

/** POST: turn points into store credit for the signed-in shopper (docs/checkout-api.md). */
export const action = ({ request }: ActionFunctionArgs) =>
  forShopper(request, async ({ shop, customerId }) => {
    if (request.method !== "POST")
      return json(405, { error: "Use POST.", code: "METHOD_NOT_ALLOWED" });
    const body = bodySchema.safeParse(await request.json().catch(() => null));
    if (!body.success) return invalidRequest(body.error);
    const outcome = await convertToStoreCredit(
      {
        sql,
        adminFor: async (forShop) =>
          (await unauthenticated.admin(forShop)).admin,
      },
      {
        shop,
        customerId,
        points: body.data.points,
        idempotencyKey: body.data.idempotencyKey,
        now: new Date(),
      },
    );
    return answer(outcome);
  });

function answer(outcome: StoreCreditOutcome): Response {
  if (outcome.ok) return json(outcome.replayed ? 200 : 201, outcome.credit);
  switch (outcome.code) {
    case "PROGRAM_NOT_FOUND":
      return json(404, {
        error: "This shop has no loyalty program.",
        code: outcome.code,
      });
    case "PROGRAM_DISABLED":
    case "STORE_CREDIT_OFF":
      return json(409, {
        error: "Points cannot be turned into store credit in this shop.",
        code: outcome.code,
      });
    case "INSUFFICIENT_POINTS":
      return json(409, {
        error: `You have ${outcome.available} points available, not enough for this.`,
        code: outcome.code,
        available: outcome.available,
      });
    case "NOT_APPLICABLE":
      return json(422, {
        error: "This number of points cannot be turned into store credit.",
        code: outcome.code,
        reason: outcome.reason,
      });
    case "SHOPIFY_REFUSED":
      return json(502, {
        error:
          "Shopify did not give the store credit, and your points were not used. Try again later.",
        code: outcome.code,
      });
    case "UNCONFIRMED":
      return json(202, {
        error:
          "Your store credit is being confirmed with Shopify; your points are set aside meanwhile.",
        code: outcome.code,
        ...outcome.credit,
      });
  }
}
