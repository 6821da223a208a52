import {
  orderCancelledPayloadSchema,
  orderPayloadSchema,
  refundPayloadSchema,
  refundReturnedMoney,
  toPaidOrder,
} from "~/shopify/order-payload";
import {
  recordCancelledOrder,
  recordPaidOrder,
  recordRefund,
} from "./accrual.server";
import { appDiscountCodes } from "./redemptions.server";
import type { TopicHandler } from "./webhook-runner.server";

export const ordersPaid: TopicHandler<typeof orderPayloadSchema> = {
  topic: "ORDERS_PAID",
  payload: orderPayloadSchema,
  async handle(tx, { shop, payload, eventId }) {
    const codes = (payload.discount_applications ?? []).flatMap(
      (application) =>
        application.type === "discount_code" && application.code
          ? [application.code]
          : [],
    );
    const appCodes = await appDiscountCodes(tx, shop, codes);
    const order = toPaidOrder(payload, (code) =>
      appCodes.has(code.toUpperCase()),
    );
    return recordPaidOrder(tx, shop, order, {
      now: new Date(),
      webhookEventId: eventId,
    });
  },
};

export const ordersCancelled: TopicHandler<typeof orderCancelledPayloadSchema> =
  {
    topic: "ORDERS_CANCELLED",
    payload: orderCancelledPayloadSchema,
    handle: (tx, { shop, payload, eventId, triggeredAt }) =>
      recordCancelledOrder(
        tx,
        shop,
        {
          orderId: payload.id,
          currency: payload.currency,
          customerId: payload.customer?.id ?? null,
          cancelledAt:
            payload.cancelled_at ??
            payload.updated_at ??
            triggeredAt ??
            new Date(),
        },
        { now: new Date(), webhookEventId: eventId },
      ),
  };

export const refundsCreate: TopicHandler<typeof refundPayloadSchema> = {
  topic: "REFUNDS_CREATE",
  payload: refundPayloadSchema,
  handle: (tx, { shop, payload, eventId }) =>
    recordRefund(
      tx,
      shop,
      {
        refundId: payload.id,
        orderId: payload.order_id,
        lines: payload.refund_line_items.map((line) => ({
          lineItemId: line.line_item_id,
          quantity: line.quantity,
        })),
        moneyRefunded: refundReturnedMoney(payload),
        refundedAt: payload.created_at,
      },
      { now: new Date(), webhookEventId: eventId },
    ),
};
