import type { ActionFunctionArgs } from "@remix-run/node";
import { sql } from "~/db.server";
import { log } from "~/logger.server";
import { awardFlowPoints } from "~/services/engagement.server";
import { awardPointsActionSchema } from "~/shopify/flow-action";
import { json, invalidRequest } from "~/shopify/shopper-request.server";
import { verifyFlowRequest } from "~/shopify/webhook-validation.server";

/**
 * The runtime_url of the Flow action "Award loyalty points" (extensions/flow-action-award-points).
 * Flow treats 200 as done, retries 5xx, and shows a 4xx to the merchant as the step's failure.
 */
export const action = async ({ request }: ActionFunctionArgs) => {
  if (request.method !== "POST")
    return json(405, { error: "Use POST.", code: "METHOD_NOT_ALLOWED" });
  const rawBody = await request.text();
  const verified = await verifyFlowRequest(request, rawBody);
  if (!verified.ok)
    return json(verified.status, {
      error: `Request refused: ${verified.reason}`,
      code: "UNAUTHORIZED",
    });
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return json(400, {
      error: "The body is not JSON.",
      code: "INVALID_REQUEST",
    });
  }
  const parsed = awardPointsActionSchema.safeParse(body);
  if (!parsed.success) return invalidRequest(parsed.error);
  const { shopify_domain: shop, action_run_id, properties } = parsed.data;
  try {
    const outcome = await sql.transaction((tx) =>
      awardFlowPoints(tx, {
        shop,
        customerId: properties.customer_id,
        points: properties.points,
        reason: properties.reason,
        actionRunId: action_run_id,
        now: new Date(),
      }),
    );
    if (outcome.ok) return json(200, { ok: true, replayed: outcome.replayed });
    const status = outcome.reason === "PROGRAM_NOT_FOUND" ? 404 : 409;
    return json(status, {
      error:
        outcome.reason === "PROGRAM_NOT_FOUND"
          ? "This shop has no loyalty program."
          : outcome.reason === "PROGRAM_DISABLED"
            ? "The loyalty program is switched off."
            : "This customer's data was erased.",
      code: outcome.reason,
    });
  } catch (error) {
    log("error", "flow action failed", {
      shop,
      actionRunId: action_run_id,
      error: error instanceof Error ? error.message : String(error),
    });
    return json(500, { error: "Try again.", code: "UNAVAILABLE" });
  }
};
