import type { SqlDatabase } from "~/db/sql.server";

export interface OrderActivity {
  orderId: string;
  outcome: string;
  reason: string | null;
  points: number | null;
  customerId: string | null;
  at: Date;
}

/** What happened to the shop's recent orders, and why an order earned nothing. */
export function recentOrderActivity(
  sql: SqlDatabase,
  shop: string,
  limit = 50,
): Promise<OrderActivity[]> {
  return sql.query<OrderActivity>(
    `SELECT "orderId", outcome, reason, points, "customerId", "updatedAt" AS at
     FROM "OrderRecord" WHERE shop = $1 ORDER BY "updatedAt" DESC LIMIT $2`,
    [shop, limit],
  );
}

export interface DeadLetterSummary {
  id: number;
  topic: string;
  webhookId: string;
  error: string;
  receivedAt: Date;
  replayedAt: Date | null;
}

/** Deliveries Shopify signed that the app could not read, newest first (bodies stay server-side). */
export function deadLetters(
  sql: SqlDatabase,
  shop: string,
  limit = 50,
): Promise<DeadLetterSummary[]> {
  return sql.query<DeadLetterSummary>(
    `SELECT id, topic, "webhookId", error, "receivedAt", "replayedAt"
     FROM "DeadLetter" WHERE shop = $1 ORDER BY id DESC LIMIT $2`,
    [shop, limit],
  );
}
