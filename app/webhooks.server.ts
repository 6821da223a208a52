import type { z } from "zod";
import { sql } from "./db.server";
import { log } from "./logger.server";
import {
  runTopicHandler,
  type TopicHandler,
} from "./services/webhook-runner.server";
import { topicHandlers, webhookPath } from "./services/topic-handlers.server";
import { verifyWebhook } from "./shopify/webhook-validation.server";

const json = (status: number, body: Record<string, unknown>) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });

/**
 * The whole of a webhook route: the library verifies the headers and HMAC (401 and nothing written
 * when the signature is wrong), the runner applies the topic in one transaction, and anything
 * unexpected becomes a 500 so that Shopify delivers again.
 */
export async function handleWebhook<Schema extends z.ZodType>(
  request: Request,
  handler: TopicHandler<Schema>,
): Promise<Response> {
  if (request.method !== "POST")
    return json(405, { error: "Webhooks are POSTed." });
  const rawBody = await request.text();
  const verification = await verifyWebhook(request, rawBody);
  if (!verification.ok)
    return json(verification.status, {
      error: `Webhook refused: ${verification.reason}`,
    });
  const { delivery } = verification;
  try {
    return await runTopicHandler(sql, delivery, rawBody, handler);
  } catch (error) {
    log("error", "webhook failed", {
      shop: delivery.shop,
      topic: delivery.topic,
      webhookId: delivery.webhookId,
      error: error instanceof Error ? error.message : String(error),
    });
    return json(500, {
      error: "The delivery could not be processed; Shopify will retry it.",
    });
  }
}

const handlersByPath = new Map(
  Object.values(topicHandlers).map((handler) => [
    webhookPath(handler.topic),
    handler,
  ]),
);

/**
 * The webhook routes without Remix's request pipeline: the node server in front of Remix asks
 * for this first (see server/app-server.ts and docs/decisions/007-webhook-path.md). Null when the
 * request is not a webhook delivery, which then goes to Remix as usual.
 */
export function webhookRoute(
  method: string,
  pathname: string,
): ((request: Request) => Promise<Response>) | null {
  if (method !== "POST") return null;
  const handler = handlersByPath.get(pathname);
  return handler ? (request) => handleWebhook(request, handler) : null;
}
