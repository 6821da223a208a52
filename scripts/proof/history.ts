// The generated history as signed deliveries, and what each accepted delivery must have left in
// the database: its dedupe marker together with its effects, never one without the other.
import type { Database } from "../../app/db/client.server";
import type { ProgramConfig } from "../../app/loyalty/program";
import {
  orderPayload,
  type JsonObject,
  type OrderPayloadInput,
} from "../../simulator/webhooks";
import type { PreparedRequest } from "../bench/load";
import {
  orderDeliveries,
  type History,
  type HistoryDelivery,
} from "../lib/demo-history";
import { webhookRequest } from "./stack";

const DAY = 86_400_000;

/** The program switched on before the history's first order. */
export const historyProgram =
  (now: Date) =>
  (config: ProgramConfig): ProgramConfig => ({
    ...config,
    programStartAt: new Date(now.getTime() - 400 * DAY),
  });

export interface HistoryRequest {
  delivery: HistoryDelivery;
  eventId: string;
  webhookId: string;
  request: PreparedRequest;
}

const topicLabel: Record<HistoryDelivery["topic"], string> = {
  "orders/paid": "paid",
  "refunds/create": "refund",
  "orders/cancelled": "cancel",
};

/**
 * Every delivery of the history for `shop`, in the order things happened, each with its own
 * webhook and event id: a re-send of the same request is Shopify retrying that delivery.
 */
export function historyRequests(
  shop: string,
  history: History,
): HistoryRequest[] {
  return history.orders.flatMap(orderDeliveries).map((delivery) => {
    const suffix = `${delivery.orderId}-${topicLabel[delivery.topic]}`;
    const eventId = `event-${suffix}`;
    const webhookId = `webhook-${suffix}`;
    return {
      delivery,
      eventId,
      webhookId,
      request: webhookRequest(shop, delivery.topic, {
        payload: delivery.payload,
        eventId,
        webhookId,
      }),
    };
  });
}

/**
 * What must be true once every delivery was accepted: each recorded exactly once, each with its
 * effect (the paid order earned once, the refund recorded, the cancellation applied), and no
 * entry of a delivery whose marker is missing. Returns the problems found, none when consistent.
 */
export async function deliveryEffects(
  database: Database,
  shop: string,
  requests: readonly HistoryRequest[],
): Promise<string[]> {
  const problems: string[] = [];
  const events = await database.sql.query<{ eventId: string; n: number }>(
    `SELECT "eventId", count(*)::int AS n FROM "WebhookEvent" WHERE shop = $1 GROUP BY 1`,
    [shop],
  );
  const recorded = new Map(events.map((row) => [row.eventId, row.n]));
  const earns = await database.sql.query<{
    orderId: string;
    n: number;
    points: number;
  }>(
    `SELECT "orderId", count(*)::int AS n, sum(points)::int AS points FROM "LedgerEntry"
     WHERE shop = $1 AND kind = 'EARN' GROUP BY 1`,
    [shop],
  );
  const earnOf = new Map(earns.map((row) => [row.orderId, row]));
  const orders = await database.sql.query<{
    orderId: string;
    outcome: string;
    points: number | null;
    paidAt: Date | null;
    cancelApplied: boolean;
  }>(
    `SELECT "orderId", outcome, points, "paidAt", "cancelApplied" FROM "OrderRecord"
     WHERE shop = $1`,
    [shop],
  );
  const orderOf = new Map(orders.map((row) => [row.orderId, row]));
  const refunds = await database.sql.query<{ refundId: string }>(
    `SELECT "refundId" FROM "RefundRecord" WHERE shop = $1`,
    [shop],
  );
  const refundIds = new Set(refunds.map((row) => row.refundId));

  for (const { delivery, eventId } of requests) {
    const label = `${delivery.topic} of order ${delivery.orderId}`;
    const markers = recorded.get(eventId) ?? 0;
    if (markers !== 1) problems.push(`${label}: recorded ${markers} times`);
    const order = orderOf.get(String(delivery.orderId));
    if (delivery.topic === "orders/paid") {
      const earn = earnOf.get(String(delivery.orderId));
      if (!order?.paidAt || order.outcome !== "EARNED")
        problems.push(`${label}: the order is ${order?.outcome ?? "missing"}`);
      else if (earn?.n !== 1 || earn.points !== order.points)
        problems.push(
          `${label}: ${earn?.n ?? 0} earn entries for ${earn?.points ?? 0} points, the order says ${order.points}`,
        );
    } else if (delivery.topic === "refunds/create") {
      const refundId = delivery.payload.id;
      if (!refundIds.has(String(refundId)))
        problems.push(`${label}: refund ${String(refundId)} not recorded`);
    } else if (!order?.cancelApplied) {
      problems.push(`${label}: the cancellation is not applied`);
    }
  }
  const [orphans] = await database.sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "LedgerEntry" e
     WHERE e.shop = $1 AND e."webhookEventId" IS NOT NULL AND NOT EXISTS (
       SELECT 1 FROM "WebhookEvent" w WHERE w.shop = e.shop AND w."eventId" = e."webhookEventId")`,
    [shop],
  );
  if ((orphans?.n ?? 0) > 0)
    problems.push(
      `${orphans?.n} ledger entries of deliveries that are not recorded`,
    );
  const sent = new Set(requests.map((request) => request.eventId));
  const unknown = events.filter((row) => !sent.has(row.eventId)).length;
  if (unknown > 0)
    problems.push(`${unknown} recorded events that were never sent`);
  return problems;
}

/** An order of one line, paid now: what the scenarios outside the history send. */
export function oneLineOrder(options: {
  id: number;
  customer?: { id: number; email: string };
  email?: string;
  price: string;
  placedAt: Date;
  discountCodes?: OrderPayloadInput["discountCodes"];
}): JsonObject {
  return orderPayload({
    id: options.id,
    currency: "USD",
    customer: options.customer,
    email: options.email,
    createdAt: options.placedAt.toISOString(),
    lines: [{ id: options.id * 10, price: options.price, quantity: 1 }],
    discountCodes: options.discountCodes,
  });
}
