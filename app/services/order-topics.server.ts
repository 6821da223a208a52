import {
  orderCancelledPayloadSchema,
  orderDiscountCodes,
  orderPayloadSchema,
  refundPayloadSchema,
  refundReturnedMoney,
  toPaidOrder,
} from "~/shopify/order-payload";
import {
  normaliseEmail,
  recordCancelledOrder,
  recordPaidOrder,
  recordRefund,
} from "./accrual.server";
import {
  postRedemptionsOfPaidOrder,
  releaseRedemptionsOfCancelledOrder,
  returnRedeemedPoints,
} from "./redemption-orders.server";
import { appDiscountCodes } from "./redemptions.server";
import { recordReferralOrder } from "./referrals.server";
import type { TopicHandler } from "./webhook-runner.server";

export const ordersPaid: TopicHandler<typeof orderPayloadSchema> = {
  topic: "ORDERS_PAID",
  payload: orderPayloadSchema,
  async handle(tx, { shop, payload, eventId }) {
    const now = new Date();
    const codes = orderDiscountCodes(payload);
    const appCodes = await appDiscountCodes(tx, shop, codes);
    const order = toPaidOrder(payload, (code) =>
      appCodes.has(code.toUpperCase()),
    );
    const outcome = await recordPaidOrder(tx, shop, order, {
      now,
      webhookEventId: eventId,
    });
    if (appCodes.size > 0) {
      await postRedemptionsOfPaidOrder(
        tx,
        shop,
        {
          orderId: order.orderId,
          codes: [...appCodes],
          lines: order.forEarning.lines.map((line, index) => ({
            lineItemId: order.lineItemIds[index] ?? String(index),
            quantity: line.quantity,
            amountMinor: line.unitPriceMinor * line.quantity,
          })),
        },
        now,
      );
    }
    const otherCodes = codes.filter(
      (code) => !appCodes.has(code.toUpperCase()),
    );
    if (otherCodes.length > 0)
      await recordReferralOrder(tx, shop, order, otherCodes, now);
    return outcome;
  },
  // A discount code can lead to another member's rows (the redemption's owner, a referral's
  // advocate), which no claim names: such an order has a transaction of its own.
  claims({ payload }) {
    if (orderDiscountCodes(payload).length > 0) return null;
    const emails = [
      payload.email,
      payload.contact_email,
      payload.customer?.email,
    ].flatMap((email) => (email ? [`email:${normaliseEmail(email)}`] : []));
    return [
      `order:${payload.id}`,
      ...(payload.customer ? [`customer:${payload.customer.id}`] : []),
      ...emails,
    ];
  },
};

export const ordersCancelled: TopicHandler<typeof orderCancelledPayloadSchema> =
  {
    topic: "ORDERS_CANCELLED",
    payload: orderCancelledPayloadSchema,
    async handle(tx, { shop, payload, eventId, triggeredAt }) {
      const now = new Date();
      const outcome = await recordCancelledOrder(
        tx,
        shop,
        {
          orderId: payload.id,
          currency: payload.currency,
          customerId: payload.customer?.id ?? null,
          cancelledAt:
            payload.cancelled_at ?? payload.updated_at ?? triggeredAt ?? now,
        },
        { now, webhookEventId: eventId },
      );
      await releaseRedemptionsOfCancelledOrder(
        tx,
        shop,
        orderDiscountCodes(payload),
        now,
      );
      return outcome;
    },
  };

export const refundsCreate: TopicHandler<typeof refundPayloadSchema> = {
  topic: "REFUNDS_CREATE",
  payload: refundPayloadSchema,
  async handle(tx, { shop, payload, eventId }) {
    const now = new Date();
    const outcome = await recordRefund(
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
      { now, webhookEventId: eventId },
    );
    await returnRedeemedPoints(tx, shop, payload.order_id, now);
    return outcome;
  },
};
