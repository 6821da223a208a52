import { z } from "zod";
import { sql } from "~/db.server";
import {
  convertToStoreCredit,
  type StoreCreditOutcome,
} from "~/services/store-credit.server";
import {
  createdOrReplayed,
  idempotencyKeySchema,
  notEnoughPoints,
  offlineAdmin,
  preflightOnly,
  programNotFound,
  refused,
  shopperPost,
} from "~/shopify/shopper-request.server";

export const loader = preflightOnly("POST");

const bodySchema = z
  .object({
    points: z.int().min(1).max(10_000_000),
    idempotencyKey: idempotencyKeySchema,
  })
  .strict();

/** POST: turn points into store credit for the signed-in shopper (docs/checkout-api.md). */
export const action = shopperPost(
  bodySchema,
  async ({ shop, customerId }, body) =>
    answer(
      await convertToStoreCredit(
        { sql, adminFor: offlineAdmin },
        {
          shop,
          customerId,
          points: body.points,
          idempotencyKey: body.idempotencyKey,
          now: new Date(),
        },
      ),
    ),
);

function answer(outcome: StoreCreditOutcome): Response {
  if (outcome.ok) return createdOrReplayed(outcome.replayed, outcome.credit);
  switch (outcome.code) {
    case "PROGRAM_NOT_FOUND":
      return programNotFound();
    case "PROGRAM_DISABLED":
    case "STORE_CREDIT_OFF":
      return refused(
        409,
        "Points cannot be turned into store credit in this shop.",
        outcome.code,
      );
    case "INSUFFICIENT_POINTS":
      return notEnoughPoints(outcome.available, "this");
    case "NOT_APPLICABLE":
      return refused(
        422,
        "This number of points cannot be turned into store credit.",
        outcome.code,
        { reason: outcome.reason },
      );
    case "SHOPIFY_REFUSED":
      return refused(
        502,
        "Shopify did not give the store credit, and your points were not used. Try again later.",
        outcome.code,
      );
    case "UNCONFIRMED":
      return refused(
        202,
        "Your store credit is being confirmed with Shopify; your points are set aside meanwhile.",
        outcome.code,
        outcome.credit,
      );
  }
}
