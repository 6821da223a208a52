import type { z } from "zod";
import { sql } from "./db.server";
import {
  jsonAnswer,
  type DirectAnswer,
  type DirectRoute,
} from "./direct-route.server";
import type { OnTurn } from "./db/transaction-lane.server";
import { log } from "./logger.server";
import {
  runTopicHandler,
  type TopicHandler,
  type WebhookAnswer,
} from "./services/webhook-runner.server";
import { topicHandlers, webhookPath } from "./services/topic-handlers.server";
import {
  verifyWebhook,
  type SignedRequest,
} from "./shopify/webhook-validation.server";

/**
 * The whole of a webhook route: the library verifies the headers and HMAC (401 and nothing written
 * when the signature is wrong), the runner applies the topic in one transaction, and anything
 * unexpected becomes a 500 so that Shopify delivers again.
 */
async function answerWebhook<Schema extends z.ZodType>(
  request: SignedRequest & { method: string },
  handler: TopicHandler<Schema>,
  onWaited?: OnTurn,
): Promise<WebhookAnswer> {
  if (request.method !== "POST")
    return { status: 405, body: { error: "Webhooks are POSTed." } };
  const verification = await verifyWebhook(request);
  if (!verification.ok)
    return {
      status: verification.status,
      body: { error: `Webhook refused: ${verification.reason}` },
    };
  const { delivery } = verification;
  try {
    return await runTopicHandler(
      sql,
      delivery,
      request.rawBody,
      handler,
      onWaited,
    );
  } catch (error) {
    log("error", "webhook failed", {
      shop: delivery.shop,
      topic: delivery.topic,
      webhookId: delivery.webhookId,
      error: error instanceof Error ? error.message : String(error),
    });
    return {
      status: 500,
      body: {
        error: "The delivery could not be processed; Shopify will retry it.",
      },
    };
  }
}

/** A webhook through Remix's router: the app's routes under `shopify app dev`. */
export async function handleWebhook<Schema extends z.ZodType>(
  request: Request,
  handler: TopicHandler<Schema>,
): Promise<Response> {
  const answer = await answerWebhook(
    {
      method: request.method,
      url: request.url,
      header: (name) => request.headers.get(name) ?? undefined,
      rawBody: await request.text(),
    },
    handler,
  );
  return new Response(JSON.stringify(answer.body), {
    status: answer.status,
    headers: { "Content-Type": "application/json" },
  });
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
): DirectRoute | null {
  if (method !== "POST") return null;
  const handler = handlersByPath.get(pathname);
  if (!handler) return null;
  return async (request): Promise<DirectAnswer> => {
    const answer = await answerWebhook(
      {
        method: request.method,
        url: request.url,
        header: request.header,
        rawBody: request.body?.toString("utf8") ?? "",
      },
      handler,
      // Verified and parsed before the delivery waits: a forged or unreadable one is answered at
      // once, and the event loop works on arrivals while the transactions wait for the database
      // (docs/decisions/007-webhook-path.md).
      request.waited,
    );
    return jsonAnswer(answer.status, answer.body);
  };
}
