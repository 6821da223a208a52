import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { sql } from "~/db.server";
import { unauthenticated } from "~/shopify.server";
import {
  redeemPoints,
  type RedeemOutcome,
} from "~/services/shopper-redemptions.server";
import {
  forShopper,
  invalidRequest,
  json,
  preflightOnly,
} from "~/shopify/shopper-request.server";

export const loader = preflightOnly("POST");

const bodySchema = z
  .object({
    rewardId: z.string().min(1).max(40).optional(),
    points: z.int().min(1).max(10_000_000).optional(),
    idempotencyKey: z
      .string()
      .min(8)
      .max(100)
      .regex(/^[\w.:-]+$/),
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
export const action = ({ request }: ActionFunctionArgs) =>
  forShopper(request, async ({ shop, customerId }) => {
    if (request.method !== "POST")
      return json(405, { error: "Use POST.", code: "METHOD_NOT_ALLOWED" });
    const body = bodySchema.safeParse(await request.json().catch(() => null));
    if (!body.success) return invalidRequest(body.error);
    const outcome = await redeemPoints(
      {
        sql,
        adminFor: async (forShop) =>
          (await unauthenticated.admin(forShop)).admin,
      },
      {
        shop,
        customerId,
        choice:
          body.data.rewardId !== undefined
            ? { rewardId: body.data.rewardId }
            : { points: body.data.points ?? 0 },
        idempotencyKey: body.data.idempotencyKey,
        checkoutToken: body.data.checkoutToken ?? null,
        subtotalMinor: body.data.subtotal ?? null,
        surface: body.data.surface,
        now: new Date(),
      },
    );
    return answer(outcome);
  });

function answer(outcome: RedeemOutcome): Response {
  if (outcome.ok) return json(outcome.replayed ? 200 : 201, outcome.redemption);
  switch (outcome.code) {
    case "PROGRAM_NOT_FOUND":
      return json(404, {
        error: "This shop has no loyalty program.",
        code: outcome.code,
      });
    case "PROGRAM_DISABLED":
      return json(409, {
        error: "Points cannot be used in this shop right now.",
        code: outcome.code,
      });
    case "REWARD_NOT_FOUND":
      return json(404, {
        error: "This reward is no longer offered.",
        code: outcome.code,
      });
    case "INSUFFICIENT_POINTS":
      return json(409, {
        error: `You have ${outcome.available} points available, not enough for this reward.`,
        code: outcome.code,
        available: outcome.available,
      });
    case "REWARD_NOT_APPLICABLE":
      return json(422, {
        error:
          outcome.reason === "NO_SLIDER"
            ? "This shop offers rewards, not a choice of points."
            : outcome.range
              ? `Choose between ${outcome.range.minPoints} and ${outcome.range.maxPoints} points, in steps of ${outcome.range.stepPoints}.`
              : "Points cannot be used on this cart.",
        code: outcome.code,
        range: outcome.range,
      });
    case "SHOPIFY_UNAVAILABLE":
      return json(502, {
        error:
          "We could not create your discount code, and your points were not used. Try again in a moment.",
        code: outcome.code,
      });
  }
}
