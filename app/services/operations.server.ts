// The merchant's view of the app's plumbing: when each webhook topic last arrived, and order
// reconciliation run on request through the outbox (so it survives a restart and runs once, on
// whichever worker claims it).
import { z } from "zod";
import type { SqlDatabase, Tx } from "~/db/sql.server";
import { enqueue } from "./outbox.server";
import { topicHandlers } from "./topic-handlers.server";

export const RECONCILE_JOB_KIND = "RECONCILE_ORDERS";

/** How far back a reconciliation requested from the admin reads orders. */
export const RECONCILE_LOOKBACK_HOURS = 72;

export const reconcileJobPayloadSchema = z.object({
  from: z.iso.datetime(),
  to: z.iso.datetime(),
});

/** Each topic the app handles with its last accepted delivery (null: none yet), by topic name. */
export async function lastWebhooks(
  sql: Pick<SqlDatabase, "query">,
  shop: string,
): Promise<Array<{ topic: string; receivedAt: Date | null }>> {
  const topics = Object.keys(topicHandlers).sort();
  // One backward scan of (shop, topic, receivedAt) per topic, however many deliveries there are.
  return sql.query(
    `SELECT t.topic, (SELECT max(e."receivedAt") FROM "WebhookEvent" e
                      WHERE e.shop = $1 AND e.topic = t.topic) AS "receivedAt"
     FROM unnest($2::text[]) AS t(topic) ORDER BY t.topic`,
    [shop, `{${topics.join(",")}}`],
  );
}

/**
 * Queues a reconciliation of the orders updated in the last RECONCILE_LOOKBACK_HOURS. A second
 * request while one waits replaces it (the newer range covers the older one).
 */
export async function requestReconciliation(
  tx: Tx,
  shop: string,
  now: Date,
): Promise<void> {
  const from = new Date(now.getTime() - RECONCILE_LOOKBACK_HOURS * 3_600_000);
  await enqueue(
    tx,
    {
      shop,
      kind: RECONCILE_JOB_KIND,
      coalesceKey: "reconcile-orders",
      payload: { from: from.toISOString(), to: now.toISOString() },
    },
    now,
  );
}

export interface ReconciliationRun {
  status: string;
  requestedAt: Date;
  doneAt: Date | null;
  lastError: string | null;
}

/** The latest reconciliation requested from the admin, if any. */
export async function lastReconciliation(
  sql: Pick<SqlDatabase, "query">,
  shop: string,
): Promise<ReconciliationRun | null> {
  const [run] = await sql.query<ReconciliationRun>(
    `SELECT status, "createdAt" AS "requestedAt", "doneAt", "lastError" FROM "OutboxJob"
     WHERE shop = $1 AND "coalesceKey" = 'reconcile-orders' ORDER BY id DESC LIMIT 1`,
    [shop],
  );
  return run ?? null;
}
