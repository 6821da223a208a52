import type { z } from "zod";
import prisma from "./db.server";
import { log } from "./logger.server";
import {
  runTopicHandler,
  type TopicHandler,
} from "./services/webhook-runner.server";
import { authenticate } from "./shopify.server";

/**
 * The whole of a webhook route: the library verifies the HMAC (401 and nothing written when it is
 * wrong), the runner applies the topic in one transaction, and anything unexpected becomes a 500
 * so that Shopify delivers again.
 */
export async function handleWebhook<Schema extends z.ZodType>(
  request: Request,
  handler: TopicHandler<Schema>,
): Promise<Response> {
  const verified = await authenticate.webhook(request);
  try {
    return await runTopicHandler(prisma, verified, handler);
  } catch (error) {
    log("error", "webhook failed", {
      shop: verified.shop,
      topic: String(verified.topic),
      webhookId: verified.webhookId,
      error: error instanceof Error ? error.message : String(error),
    });
    return new Response(
      JSON.stringify({
        error: "The delivery could not be processed; Shopify will retry it.",
      }),
      {
        status: 500,
        headers: { "Content-Type": "application/json" },
      },
    );
  }
}

/** For topics whose handling has not landed yet: verified, then refused without being recorded. */
export async function notYetHandled(request: Request): Promise<Response> {
  const { topic } = await authenticate.webhook(request);
  return new Response(
    JSON.stringify({ error: `${String(topic)} is not handled yet.` }),
    {
      status: 501,
      headers: { "Content-Type": "application/json" },
    },
  );
}
