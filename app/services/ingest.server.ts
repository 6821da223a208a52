import type { Database } from "~/db/client.server";
import type { PaidOrder } from "~/shopify/order-payload";
import {
  recordCancelledOrder,
  recordPaidOrder,
  recordRefund,
  type Cancellation,
  type ReceivedRefund,
} from "./accrual.server";
import type { WebhookOutcome } from "./webhook-runner.server";

/**
 * The accrual use-cases for callers other than a webhook (reconciliation, imports): each call is
 * its own transaction, and the same idempotency as for webhooks makes a repeat harmless.
 */
export function ingestPaidOrder(
  database: Database,
  shop: string,
  order: PaidOrder,
  now = new Date(),
): Promise<WebhookOutcome> {
  return database.sql.transaction((tx) =>
    recordPaidOrder(tx, shop, order, { now }),
  );
}

export function ingestCancellation(
  database: Database,
  shop: string,
  cancel: Cancellation,
  now = new Date(),
): Promise<WebhookOutcome> {
  return database.sql.transaction((tx) =>
    recordCancelledOrder(tx, shop, cancel, { now }),
  );
}

export function ingestRefund(
  database: Database,
  shop: string,
  refund: ReceivedRefund,
  now = new Date(),
): Promise<WebhookOutcome> {
  return database.sql.transaction((tx) =>
    recordRefund(tx, shop, refund, { now }),
  );
}
