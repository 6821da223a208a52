import type { PrismaClient } from "@prisma/client";
import type { z } from "zod";
import { inTransaction, type Tx } from "~/db/client.server";
import { log } from "~/logger.server";

export interface Delivery<Payload> {
  shop: string;
  topic: string;
  webhookId: string;
  eventId: string | null;
  triggeredAt: Date | null;
  payload: Payload;
}

export type WebhookOutcome =
  { status: "applied" } | { status: "ignored"; reason: string };

/** What one topic does: the payload it accepts and the effect it has, inside the runner's transaction. */
export interface TopicHandler<Schema extends z.ZodType> {
  /** The topic as the library reports it, e.g. "APP_UNINSTALLED". */
  topic: string;
  payload: Schema;
  handle(tx: Tx, delivery: Delivery<z.output<Schema>>): Promise<WebhookOutcome>;
}

/** The part of `authenticate.webhook`'s answer the runner reads. */
export interface VerifiedWebhook {
  shop: string;
  topic: string | number | symbol;
  webhookId: string;
  eventId?: string;
  triggeredAt?: string;
  payload: unknown;
}

const json = (status: number, body: Record<string, unknown>) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });

/**
 * Runs one verified delivery: parse, then the dedupe marker and the topic's effects in a single
 * transaction. A repeat of a webhook id (Shopify's retry) or of an event id (a second subscription)
 * commits nothing new. Unexpected errors propagate so the route answers 5xx and Shopify retries.
 */
export async function runTopicHandler<Schema extends z.ZodType>(
  prisma: PrismaClient,
  verified: VerifiedWebhook,
  handler: TopicHandler<Schema>,
): Promise<Response> {
  const context = {
    shop: verified.shop,
    topic: String(verified.topic),
    webhookId: verified.webhookId,
  };
  if (context.topic !== handler.topic) {
    log("warn", "webhook for another topic", {
      ...context,
      expected: handler.topic,
    });
    return json(400, {
      error: `This endpoint handles ${handler.topic}, not ${context.topic}.`,
    });
  }
  const parsed = handler.payload.safeParse(verified.payload);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "payload"}: ${issue.message}`,
    );
    log("warn", "webhook payload rejected", { ...context, problems });
    return json(400, {
      error: "The payload does not have the expected shape.",
      problems,
    });
  }
  const delivery: Delivery<z.output<Schema>> = {
    shop: verified.shop,
    topic: context.topic,
    webhookId: verified.webhookId,
    eventId: verified.eventId ?? null,
    triggeredAt: verified.triggeredAt ? new Date(verified.triggeredAt) : null,
    payload: parsed.data,
  };
  const outcome = await inTransaction(prisma, async (tx) => {
    const marker = await tx.webhookEvent.createMany({
      data: [
        {
          shop: delivery.shop,
          topic: delivery.topic,
          webhookId: delivery.webhookId,
          eventId: delivery.eventId,
        },
      ],
      skipDuplicates: true,
    });
    if (marker.count === 0) return { status: "duplicate" as const };
    return handler.handle(tx, delivery);
  });
  log("info", "webhook handled", { ...context, ...outcome });
  return json(200, outcome);
}
