import { z } from "zod";
import type { OrderForEarning } from "~/loyalty/earn-rule";
import { tryParseMoney } from "~/loyalty/money";
import type { PostalAddress } from "~/loyalty/referrals";
import { orderSpendMinor } from "~/loyalty/challenges";
import { shopifyId } from "./webhook-payloads";

const isoTime = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value));

/** A REST money bag; only the shop-currency side is ever read (never the presentment side). */
const moneyBag = z.object({
  shop_money: z.object({
    amount: z.string(),
    currency_code: z.string().regex(/^[A-Z]{3}$/),
  }),
});

/** Minor units of the shop currency, parsed from Shopify's decimal string without floats. */
const shopMinor = moneyBag.transform((bag, context) => {
  const parsed = tryParseMoney(
    bag.shop_money.amount,
    bag.shop_money.currency_code,
  );
  if (!parsed.ok) {
    context.addIssue({
      code: "custom",
      message: `amount ${bag.shop_money.amount}: ${parsed.reason}`,
    });
    return z.NEVER;
  }
  return { minor: parsed.money.minor, currency: bag.shop_money.currency_code };
});

const lineItem = z.object({
  id: shopifyId,
  quantity: z.int().min(0),
  price_set: shopMinor,
  gift_card: z.boolean().nullish(),
  discount_allocations: z
    .array(
      z.object({
        amount_set: shopMinor,
        discount_application_index: z.int().min(0),
      }),
    )
    .nullish(),
});

const orderCustomer = z.object({
  id: shopifyId,
  email: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
});

const discountApplications = z
  .array(z.object({ type: z.string(), code: z.string().nullish() }))
  .nullish();

/** The discount codes an order used, as typed by the buyer. */
export function orderDiscountCodes(payload: {
  discount_applications?: z.infer<typeof discountApplications>;
}): string[] {
  return (payload.discount_applications ?? []).flatMap((application) =>
    application.type === "discount_code" && application.code
      ? [application.code]
      : [],
  );
}

export const orderPayloadSchema = z.object({
  id: shopifyId,
  name: z.string().max(255).nullish(),
  test: z.boolean().nullish(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  email: z.string().nullish(),
  contact_email: z.string().nullish(),
  customer: orderCustomer.nullish(),
  created_at: isoTime,
  processed_at: isoTime.nullish(),
  cancelled_at: isoTime.nullish(),
  line_items: z.array(lineItem).max(10_000),
  discount_applications: discountApplications,
  shipping_lines: z
    .array(
      z.object({
        price_set: shopMinor,
        discounted_price_set: shopMinor.nullish(),
      }),
    )
    .nullish(),
  total_tax_set: shopMinor.nullish(),
  shipping_address: z
    .object({
      address1: z.string().nullish(),
      address2: z.string().nullish(),
      zip: z.string().nullish(),
      city: z.string().nullish(),
      country_code: z.string().nullish(),
    })
    .nullish(),
});

export type OrderPayload = z.output<typeof orderPayloadSchema>;

export interface PaidOrder {
  orderId: string;
  /** "#1042": what the shopper calls the order. */
  name: string | null;
  test: boolean;
  currency: string;
  customer: {
    id: string;
    email: string | null;
    firstName: string | null;
    lastName: string | null;
  } | null;
  /** The buyer's e-mail whether or not they had an account (for guest orders). */
  email: string | null;
  /** When the order happened at Shopify: points are earned as of then. */
  occurredAt: Date;
  cancelledAt: Date | null;
  lineItemIds: string[];
  forEarning: OrderForEarning;
  shippingAddress: PostalAddress | null;
  /** What spend challenges count (`orderSpendMinor`). */
  spentMinor: number;
}

export class ShopCurrencyMismatch extends Error {}

/**
 * The order as the ledger needs it. `isAppCode` recognises discount codes this app minted for
 * redemptions: their allocations are the points discount, kept apart from the shop's discounts.
 */
export function toPaidOrder(
  payload: OrderPayload,
  isAppCode: (code: string) => boolean,
): PaidOrder {
  const applications = payload.discount_applications ?? [];
  const isPointsDiscount = (index: number) => {
    const application = applications[index];
    return (
      application?.type === "discount_code" &&
      !!application.code &&
      isAppCode(application.code)
    );
  };
  const inShopCurrency = (amount: { minor: number; currency: string }) => {
    if (amount.currency !== payload.currency) {
      throw new ShopCurrencyMismatch(
        `order ${payload.id} mixes ${amount.currency} into a ${payload.currency} order`,
      );
    }
    return amount.minor;
  };
  const lines = payload.line_items.map((line) => {
    let discountMinor = 0;
    let loyaltyDiscountMinor = 0;
    for (const allocation of line.discount_allocations ?? []) {
      const minor = inShopCurrency(allocation.amount_set);
      if (isPointsDiscount(allocation.discount_application_index))
        loyaltyDiscountMinor += minor;
      else discountMinor += minor;
    }
    return {
      quantity: line.quantity,
      unitPriceMinor: inShopCurrency(line.price_set),
      discountMinor,
      loyaltyDiscountMinor,
      isGiftCard: line.gift_card ?? false,
    };
  });
  const shippingMinor = (payload.shipping_lines ?? []).reduce(
    (sum, line) =>
      sum + inShopCurrency(line.discounted_price_set ?? line.price_set),
    0,
  );
  const customer = payload.customer
    ? {
        id: payload.customer.id,
        email: payload.customer.email ?? null,
        firstName: payload.customer.first_name ?? null,
        lastName: payload.customer.last_name ?? null,
      }
    : null;
  return {
    orderId: payload.id,
    name: payload.name ?? null,
    test: payload.test ?? false,
    currency: payload.currency,
    customer,
    email: payload.email ?? payload.contact_email ?? customer?.email ?? null,
    occurredAt: payload.processed_at ?? payload.created_at,
    cancelledAt: payload.cancelled_at ?? null,
    lineItemIds: payload.line_items.map((line) => line.id),
    shippingAddress: payload.shipping_address
      ? {
          address1: payload.shipping_address.address1,
          address2: payload.shipping_address.address2,
          zip: payload.shipping_address.zip,
          city: payload.shipping_address.city,
          countryCode: payload.shipping_address.country_code,
        }
      : null,
    spentMinor: orderSpendMinor(lines),
    forEarning: {
      currency: payload.currency,
      lines,
      shippingMinor,
      taxMinor: payload.total_tax_set
        ? inShopCurrency(payload.total_tax_set)
        : 0,
      tipMinor: 0,
    },
  };
}

export const orderCancelledPayloadSchema = z.object({
  id: shopifyId,
  currency: z.string().regex(/^[A-Z]{3}$/),
  customer: orderCustomer.nullish(),
  cancelled_at: isoTime.nullish(),
  updated_at: isoTime.nullish(),
  discount_applications: discountApplications,
});

export const refundPayloadSchema = z.object({
  id: shopifyId,
  order_id: shopifyId,
  created_at: isoTime,
  refund_line_items: z
    .array(z.object({ line_item_id: shopifyId, quantity: z.int().min(0) }))
    .max(10_000),
  transactions: z
    .array(
      z.object({
        kind: z.string(),
        status: z.string().nullish(),
        amount: z.string(),
      }),
    )
    .nullish(),
});

export type RefundPayload = z.output<typeof refundPayloadSchema>;

/**
 * Whether the refund returned money. A restock without money back (transactions all zero or
 * none) takes no points back.
 */
export function refundReturnedMoney(refund: RefundPayload): boolean {
  return (refund.transactions ?? []).some(
    (transaction) =>
      transaction.kind === "refund" &&
      transaction.status === "success" &&
      /[1-9]/.test(transaction.amount),
  );
}

export const customerPayloadSchema = z.object({
  id: shopifyId,
  email: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
});
