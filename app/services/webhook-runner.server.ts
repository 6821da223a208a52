import type { z } from "zod";
import type { Tx } from "~/db/client.server";
import type { SharedWrite, SqlDatabase } from "~/db/sql.server";
import { laneOf, type OnTurn } from "~/db/transaction-lane.server";
import { log } from "~/logger.server";
import type { VerifiedDelivery } from "~/shopify/webhook-validation.server";

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
  /**
   * The rows of the delivery's effects that no other delivery may touch in the same transaction
   * (its order, its customer, its e-mail address), named without the shop. A delivery that
   * claims them can share a transaction with others (TransactionLane); without claims (absent, or
   * null when its effects may reach someone else's rows) it has a transaction of its own.
   */
  claims?(delivery: Delivery<z.output<Schema>>): string[] | null;
}

/** What the route answers Shopify: a status and a small JSON body. */
export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
}

const answer = (
  status: number,
  body: Record<string, unknown>,
): WebhookAnswer => ({ status, body });

/** JSON.parse that answers instead of throwing; a hostile nesting depth can exhaust the stack too. */
function parseJson(
  rawBody: string,
): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(rawBody) };
  } catch (error) {
    return {
      ok: false,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

/**
 * Runs one verified delivery: parse, then the dedupe marker and the topic's effects in a single
 * transaction of the database's lane: shared with other deliveries when the handler claims its
 * rows, else its own. A repeat of a webhook id (Shopify's retry) or of an event id
 * (a second subscription) commits nothing new. A body Shopify signed but the app cannot read is
 * kept as a dead letter and answered 400; unexpected errors propagate so the route answers 5xx
 * and Shopify retries.
 */
export async function runTopicHandler<Schema extends z.ZodType>(
  database: SqlDatabase,
  delivery: VerifiedDelivery,
  rawBody: string,
  handler: TopicHandler<Schema>,
  onWaited?: OnTurn,
): Promise<WebhookAnswer> {
  const context = {
    shop: delivery.shop,
    topic: delivery.topic,
    webhookId: delivery.webhookId,
  };
  if (delivery.topic !== handler.topic) {
    log("warn", "webhook for another topic", {
      ...context,
      expected: handler.topic,
    });
    return answer(400, {
      error: `This endpoint handles ${handler.topic}, not ${delivery.topic}.`,
    });
  }
  const body = parseJson(rawBody);
  const parsed = body.ok ? handler.payload.safeParse(body.value) : null;
  if (!parsed?.success) {
    const problems = parsed
      ? parsed.error.issues
          .slice(0, 20)
          .map(
            (issue) => `${issue.path.join(".") || "payload"}: ${issue.message}`,
          )
      : [`body is not JSON: ${body.ok ? "" : body.error}`];
    await keepDeadLetter(database, delivery, rawBody, problems.join("; "));
    log("warn", "webhook payload rejected", { ...context, problems });
    return answer(400, {
      error: "The payload does not have the expected shape.",
      problems,
    });
  }
  const applied = { ...delivery, payload: parsed.data };
  const apply = async (tx: Tx) => {
    // Sent ahead of the handler's first statement rather than waited for: a repeat fails the
    // next query or the commit, and everything the handler did is rolled back with the transaction.
    tx.writeRow(
      deliveryMarker,
      {
        shop: delivery.shop,
        topic: delivery.topic,
        webhookId: delivery.webhookId,
        eventId: delivery.eventId,
      },
      () => new RepeatedDelivery(),
    );
    // The other deliveries of the group give their markers before any statement leaves, so
    // that one INSERT carries them all.
    await Promise.resolve();
    return handler.handle(tx, applied);
  };
  const claims = handler.claims?.(applied);
  const outcome = await laneOf(database)
    .run(
      claims
        ? [
            ...claims,
            `webhook:${delivery.webhookId}`,
            `event:${delivery.eventId ?? delivery.webhookId}`,
          ].map((claim) => `${delivery.shop}/${claim}`)
        : null,
      apply,
      onWaited,
    )
    .catch((error: unknown) => {
      if (error instanceof RepeatedDelivery)
        return { status: "duplicate" as const };
      throw error;
    });
  log("info", "webhook handled", { ...context, ...outcome });
  return answer(200, outcome);
}

interface DeliveryMarker {
  shop: string;
  topic: string;
  webhookId: string;
  eventId: string | null;
}

/**
 * The dedupe marker of each delivery, written in the delivery's transaction. A repeat of a
 * webhook id or of an event id writes no row.
 */
const deliveryMarker: SharedWrite<DeliveryMarker> = {
  text: `INSERT INTO "WebhookEvent" (shop, topic, "webhookId", "eventId")
    SELECT shop, topic, "webhookId", "eventId" FROM jsonb_to_recordset($1::jsonb)
      AS d(shop text, topic text, "webhookId" text, "eventId" text)
    ON CONFLICT DO NOTHING
    RETURNING shop || ' ' || "webhookId" AS key`,
  key: (marker) => `${marker.shop} ${marker.webhookId}`,
};

/** The delivery's webhook id or event id was applied before: Shopify's retry, or a second subscription. */
class RepeatedDelivery extends Error {
  constructor() {
    super("this delivery was applied before");
  }
}

// PostgreSQL text cannot hold U+0000, and the INSERT would fail (500, retried by Shopify for
// nothing). A body with a raw NUL is not JSON anyway, so it is kept with the NUL replaced.
const storable = (text: string) => text.replaceAll("\u0000", "\uFFFD");

async function keepDeadLetter(
  database: SqlDatabase,
  delivery: VerifiedDelivery,
  rawBody: string,
  error: string,
) {
  await database.query(
    `INSERT INTO "DeadLetter" (shop, topic, "webhookId", "eventId", "apiVersion", "rawBody", error)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
    [
      delivery.shop,
      delivery.topic,
      delivery.webhookId,
      delivery.eventId,
      delivery.apiVersion,
      storable(rawBody),
      storable(error.slice(0, 4000)),
    ],
  );
}
