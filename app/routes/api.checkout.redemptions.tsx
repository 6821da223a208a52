import { z } from "zod";
import { sql } from "~/db.server";
import {
  redeemPoints,
  type RedeemOutcome,
} from "~/services/shopper-redemptions.server";
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
    rewardId: z.string().min(1).max(40).optional(),
    points: z.int().min(1).max(10_000_000).optional(),
    idempotencyKey: idempotencyKeySchema,
    checkoutToken: z.string().min(1).max(255).nullish(),
    subtotal: z.int().min(0).max(1e12).nullish(),
    surface: z.enum(["checkout", "account"]).default("checkout"),
  })
  .strict()
  .refine(
    (body) => (body.rewardId === undefined) !== (body.points === undefined),
    {
      message: "name exactly one of rewardId or points",
    },
  );

/** POST: hold points and mint a single-use code for the signed-in shopper (docs/checkout-api.md). */
export const action = shopperPost(
  bodySchema,
  async ({ shop, customerId }, body) =>
    answer(
      await redeemPoints(
        { sql, adminFor: offlineAdmin },
        {
          shop,
          customerId,
          choice:
            body.rewardId !== undefined
              ? { rewardId: body.rewardId }
              : { points: body.points ?? 0 },
          idempotencyKey: body.idempotencyKey,
          checkoutToken: body.checkoutToken ?? null,
          subtotalMinor: body.subtotal ?? null,
          surface: body.surface,
          now: new Date(),
        },
      ),
    ),
);

function answer(outcome: RedeemOutcome): Response {
  if (outcome.ok)
    return createdOrReplayed(outcome.replayed, outcome.redemption);
  switch (outcome.code) {
    case "PROGRAM_NOT_FOUND":
      return programNotFound();
    case "PROGRAM_DISABLED":
      return refused(
        409,
        "Points cannot be used in this shop right now.",
        outcome.code,
      );
    case "REWARD_NOT_FOUND":
      return refused(404, "This reward is no longer offered.", outcome.code);
    case "INSUFFICIENT_POINTS":
      return notEnoughPoints(outcome.available, "this reward");
    case "REWARD_NOT_APPLICABLE":
      return refused(
        422,
        outcome.reason === "NO_SLIDER"
          ? "This shop offers rewards, not a choice of points."
          : outcome.range
            ? `Choose between ${outcome.range.minPoints} and ${outcome.range.maxPoints} points, in steps of ${outcome.range.stepPoints}.`
            : "Points cannot be used on this cart.",
        outcome.code,
        { range: outcome.range },
      );
    case "SHOPIFY_UNAVAILABLE":
      return refused(
        502,
        "We could not create your discount code, and your points were not used. Try again in a moment.",
        outcome.code,
      );
  }
}
