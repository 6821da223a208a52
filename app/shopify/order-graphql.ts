// Orders as the Admin GraphQL API returns them (LoyaltyReconcileOrders), translated into the same
// shapes the webhook path builds, so an order read back by reconciliation earns, reverses and
// dedupes exactly like its orders/paid, orders/cancelled and refunds/create deliveries would.
import { orderSpendMinor } from "~/loyalty/challenges";
import { z } from "zod";
import type { RefundedLine } from "~/loyalty/refunds";
import { tryParseMoney } from "~/loyalty/money";
import type { LoyaltyReconcileOrdersQuery } from "~/types/admin.generated";
import { ShopCurrencyMismatch, type PaidOrder } from "./order-payload";

const isoTime = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value));

const currencyCode = z.string().regex(/^[A-Z]{3}$/);

/** The REST numeric id at the end of a gid, as text: the id webhooks carry and keys are built on. */
const legacyIdFromGid = z
  .string()
  .regex(/^gid:\/\/shopify\/\w+\/\d+$/)
  .transform((gid) => gid.slice(gid.lastIndexOf("/") + 1));

const legacyResourceId = z.string().regex(/^\d+$/);

/** A MoneyV2 on the shop side, in minor units, parsed from Shopify's decimal without floats. */
const shopMoney = z
  .object({
    shopMoney: z.object({ amount: z.string(), currencyCode }),
  })
  .transform(({ shopMoney: money }, context) => {
    const parsed = tryParseMoney(money.amount, money.currencyCode);
    if (!parsed.ok) {
      context.addIssue({
        code: "custom",
        message: `amount ${money.amount}: ${parsed.reason}`,
      });
      return z.NEVER;
    }
    return { minor: parsed.money.minor, currency: money.currencyCode };
  });

const pageInfo = z.object({ hasNextPage: z.boolean() });

export const reconcileLineItemSchema = z.object({
  id: legacyIdFromGid,
  quantity: z.int().min(0),
  isGiftCard: z.boolean(),
  originalUnitPriceSet: shopMoney,
  discountAllocations: z.array(
    z.object({
      allocatedAmountSet: shopMoney,
      // Only DiscountCodeApplication selects `code`; other applications come back as `{}`.
      discountApplication: z.object({ code: z.string().nullish() }),
    }),
  ),
});

export const reconcileLineItemsPageSchema = z.object({
  pageInfo: pageInfo.extend({ endCursor: z.string().nullish() }),
  nodes: z.array(reconcileLineItemSchema).max(10_000),
});

const reconcileRefundSchema = z.object({
  id: z.string(),
  legacyResourceId,
  createdAt: isoTime.nullish(),
  refundLineItems: z.object({
    pageInfo,
    nodes: z.array(
      z.object({
        lineItem: z.object({ id: legacyIdFromGid }),
        quantity: z.int().min(0),
      }),
    ),
  }),
  transactions: z.object({
    pageInfo,
    nodes: z.array(
      z.object({
        kind: z.string(),
        status: z.string(),
        amountSet: z.object({ shopMoney: z.object({ amount: z.string() }) }),
      }),
    ),
  }),
});

export const reconcileOrderSchema = z.object({
  id: z.string(),
  legacyResourceId,
  name: z.string(),
  createdAt: isoTime,
  processedAt: isoTime,
  updatedAt: isoTime,
  cancelledAt: isoTime.nullish(),
  test: z.boolean(),
  currencyCode,
  email: z.string().nullish(),
  displayFinancialStatus: z.string().nullish(),
  customer: z
    .object({
      id: legacyIdFromGid,
      email: z.string().nullish(),
      firstName: z.string().nullish(),
      lastName: z.string().nullish(),
    })
    .nullish(),
  lineItems: reconcileLineItemsPageSchema,
  shippingLines: z.object({
    pageInfo,
    nodes: z.array(z.object({ discountedPriceSet: shopMoney })),
  }),
  totalTaxSet: shopMoney.nullish(),
  refunds: z.array(reconcileRefundSchema).max(10_000),
});

export type ReconcileOrder = z.output<typeof reconcileOrderSchema>;
export type ReconcileLineItem = z.output<typeof reconcileLineItemSchema>;

/** One page of LoyaltyReconcileOrders; each order is checked on its own (`reconcileOrderSchema`). */
export const reconcileOrdersPageSchema = z.object({
  orders: z.object({
    pageInfo: pageInfo.extend({ endCursor: z.string().nullish() }),
    nodes: z.array(z.unknown()),
  }),
});

export const reconcileOrderLineItemsSchema = z.object({
  order: z.object({ lineItems: reconcileLineItemsPageSchema }).nullable(),
});

// The codegen type of one order must be something the schema accepts: renaming or dropping a field
// in the document without changing the schema fails the type check here.
type GeneratedOrder = LoyaltyReconcileOrdersQuery["orders"]["nodes"][number];
const documentFitsSchema: GeneratedOrder extends z.input<
  typeof reconcileOrderSchema
>
  ? true
  : never = true;
void documentFitsSchema;

/** Statuses of an order whose money was captured at some point; only those earn. */
const PAID_STATUSES = new Set(["PAID", "PARTIALLY_REFUNDED", "REFUNDED"]);

export function wasPaid(order: ReconcileOrder): boolean {
  return PAID_STATUSES.has(order.displayFinancialStatus ?? "");
}

/** Discount codes on the order, to ask which of them the app minted for redemptions. */
export function discountCodesOf(order: ReconcileOrder): string[] {
  const codes = new Set<string>();
  for (const line of order.lineItems.nodes)
    for (const allocation of line.discountAllocations)
      if (allocation.discountApplication.code)
        codes.add(allocation.discountApplication.code);
  return [...codes];
}

/**
 * Which part of the order did not fit its page, if any. Line items can be completed with
 * LoyaltyReconcileOrderLineItems; more shipping lines than a page cannot, and the order is left out.
 */
export function truncatedPart(
  order: ReconcileOrder,
): "LINE_ITEMS" | "SHIPPING_LINES" | null {
  if (order.lineItems.pageInfo.hasNextPage) return "LINE_ITEMS";
  if (order.shippingLines.pageInfo.hasNextPage) return "SHIPPING_LINES";
  return null;
}

/**
 * The order as `toPaidOrder` builds it from orders/paid. `isAppCode` recognises the app's own
 * redemption codes, whose allocations are the points discount rather than the shop's. The caller
 * completes `lineItems` first (`truncatedPart`): an order is never earned on in part.
 */
export function paidOrderFromGraphql(
  order: ReconcileOrder,
  isAppCode: (code: string) => boolean,
): PaidOrder {
  const orderId = order.legacyResourceId;
  const truncated = truncatedPart(order);
  if (truncated) {
    throw new Error(
      `order ${orderId}: ${truncated} did not fit the page; complete them before mapping`,
    );
  }
  const inShopCurrency = (amount: { minor: number; currency: string }) => {
    if (amount.currency !== order.currencyCode) {
      throw new ShopCurrencyMismatch(
        `order ${orderId} mixes ${amount.currency} into a ${order.currencyCode} order`,
      );
    }
    return amount.minor;
  };
  const lines = order.lineItems.nodes.map((line) => {
    let discountMinor = 0;
    let loyaltyDiscountMinor = 0;
    for (const allocation of line.discountAllocations) {
      const minor = inShopCurrency(allocation.allocatedAmountSet);
      const code = allocation.discountApplication.code;
      if (code && isAppCode(code)) loyaltyDiscountMinor += minor;
      else discountMinor += minor;
    }
    return {
      quantity: line.quantity,
      unitPriceMinor: inShopCurrency(line.originalUnitPriceSet),
      discountMinor,
      loyaltyDiscountMinor,
      isGiftCard: line.isGiftCard,
    };
  });
  const shippingMinor = order.shippingLines.nodes.reduce(
    (sum, line) => sum + inShopCurrency(line.discountedPriceSet),
    0,
  );
  const customer = order.customer
    ? {
        id: order.customer.id,
        email: order.customer.email ?? null,
        firstName: order.customer.firstName ?? null,
        lastName: order.customer.lastName ?? null,
      }
    : null;
  return {
    orderId,
    name: order.name,
    test: order.test,
    currency: order.currencyCode,
    customer,
    // Shopify sends "" for an order without e-mail in webhooks and null here: both mean none.
    email: order.email || customer?.email || null,
    occurredAt: order.processedAt,
    cancelledAt: order.cancelledAt ?? null,
    lineItemIds: order.lineItems.nodes.map((line) => line.id),
    // The Admin API shows addresses only with protected customer data access; a healed order is
    // simply not compared by address.
    shippingAddress: null,
    spentMinor: orderSpendMinor(lines),
    forEarning: {
      currency: order.currencyCode,
      lines,
      shippingMinor,
      taxMinor: order.totalTaxSet ? inShopCurrency(order.totalTaxSet) : 0,
      tipMinor: 0,
    },
  };
}

export interface OrderCancellation {
  orderId: string;
  currency: string;
  customerId: string | null;
  cancelledAt: Date;
}

/** What orders/cancelled would have told the ledger, or null for an order that stands. */
export function cancellationFromGraphql(
  order: ReconcileOrder,
): OrderCancellation | null {
  if (!order.cancelledAt) return null;
  return {
    orderId: order.legacyResourceId,
    currency: order.currencyCode,
    customerId: order.customer?.id ?? null,
    cancelledAt: order.cancelledAt,
  };
}

export interface OrderRefund {
  refundId: string;
  orderId: string;
  lines: RefundedLine[];
  moneyRefunded: boolean;
  refundedAt: Date;
}

export type RefundReading =
  | { ok: true; refund: OrderRefund }
  | {
      ok: false;
      refundId: string;
      reason: "LINES_TRUNCATED" | "TRANSACTIONS_TRUNCATED" | "INVALID_AMOUNT";
    };

/**
 * What refunds/create would have told the ledger for each refund of the order. A refund whose
 * lines or transactions did not fit the query's page is reported, not applied from part of them:
 * clawing back too little is as wrong as clawing back too much.
 */
export function refundsFromGraphql(order: ReconcileOrder): RefundReading[] {
  return order.refunds.map((refund): RefundReading => {
    const refundId = refund.legacyResourceId;
    if (refund.refundLineItems.pageInfo.hasNextPage)
      return { ok: false, refundId, reason: "LINES_TRUNCATED" };
    let moneyRefunded = false;
    for (const transaction of refund.transactions.nodes) {
      if (transaction.kind !== "REFUND" || transaction.status !== "SUCCESS")
        continue;
      const amount = tryParseMoney(
        transaction.amountSet.shopMoney.amount,
        order.currencyCode,
      );
      if (!amount.ok) return { ok: false, refundId, reason: "INVALID_AMOUNT" };
      if (amount.money.minor > 0) moneyRefunded = true;
    }
    // A successful refund among the first transactions settles it; without one, the transactions
    // not read could still hold it.
    if (!moneyRefunded && refund.transactions.pageInfo.hasNextPage)
      return { ok: false, refundId, reason: "TRANSACTIONS_TRUNCATED" };
    return {
      ok: true,
      refund: {
        refundId,
        orderId: order.legacyResourceId,
        lines: refund.refundLineItems.nodes.map((line) => ({
          lineItemId: line.lineItem.id,
          quantity: line.quantity,
        })),
        moneyRefunded,
        // Refund.createdAt is nullable in the schema; the order changed when it was refunded.
        refundedAt: refund.createdAt ?? order.updatedAt,
      },
    };
  });
}
