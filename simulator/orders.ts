// One order model shared by the webhook payload builders and the Admin GraphQL state, so that the
// order a test sends as `orders/paid` and the order the app later reads back through `orders(...)`
// carry the same numbers.
import { z } from "zod";
import { allocate, convertMinor, formatDecimal, toMinor } from "./money";

export type FinancialStatus =
  | "pending"
  | "authorized"
  | "partially_paid"
  | "paid"
  | "partially_refunded"
  | "refunded"
  | "voided"
  | "expired";

export interface OrderLineInput {
  id: number;
  /** Unit price in the shop currency, as a decimal string ("19.99"). */
  price: string;
  quantity: number;
  title?: string;
  sku?: string;
  gift_card?: boolean;
  taxable?: boolean;
  requires_shipping?: boolean;
  product_id?: number | null;
  variant_id?: number | null;
  /** Explicit allocations; when absent, code discounts are spread over the non-gift-card lines. */
  discount_allocations?: Array<{
    amount: string;
    discount_application_index: number;
  }>;
}

export interface OrderCustomerInput {
  id: number;
  email: string;
  first_name?: string;
  last_name?: string;
}

export interface OrderDiscountCodeInput {
  code: string;
  /** Total amount of this code on the order, shop currency. */
  amount: string;
  type?: "fixed_amount" | "percentage";
  /** The code's own value ("10.0" for 10 % or 10 off); derived from `amount` when absent. */
  value?: string;
}

export interface OrderTaxInput {
  title?: string;
  rate?: number;
  price: string;
}

export interface OrderInput {
  id: number;
  name?: string;
  number?: number;
  email?: string | null;
  customer?: OrderCustomerInput | null;
  /** The shop currency. */
  currency: string;
  presentmentCurrency?: string;
  /** Presentment units per shop unit (1 when both currencies are the same). */
  exchangeRate?: number;
  lines: OrderLineInput[];
  /** Shipping charged, shop currency. */
  shipping?: string;
  /** Total tax as one "Tax" line, or explicit tax lines. */
  taxes?: string | OrderTaxInput[];
  test?: boolean;
  createdAt?: string;
  processedAt?: string;
  updatedAt?: string;
  cancelledAt?: string | null;
  cancelReason?: string | null;
  financialStatus?: FinancialStatus;
  discountCodes?: OrderDiscountCodeInput[];
  tags?: string[];
  sourceName?: string;
}

const decimal = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/, 'a decimal string such as "19.99"');
const positiveId = z
  .number()
  .int()
  .positive()
  .refine(Number.isSafeInteger, "beyond 2^53");

/** OrderInput for callers in another process (the simulator's `POST /__simulator/orders`). */
export const orderInputSchema = z.object({
  id: positiveId,
  name: z.string().optional(),
  number: z.number().int().optional(),
  email: z.string().nullable().optional(),
  customer: z
    .object({
      id: positiveId,
      email: z.string(),
      first_name: z.string().optional(),
      last_name: z.string().optional(),
    })
    .nullable()
    .optional(),
  currency: z.string().length(3),
  presentmentCurrency: z.string().length(3).optional(),
  exchangeRate: z.number().positive().optional(),
  lines: z.array(
    z.object({
      id: positiveId,
      price: decimal,
      quantity: z.number().int().positive(),
      title: z.string().optional(),
      sku: z.string().optional(),
      gift_card: z.boolean().optional(),
      taxable: z.boolean().optional(),
      requires_shipping: z.boolean().optional(),
      product_id: z.number().int().nullable().optional(),
      variant_id: z.number().int().nullable().optional(),
      discount_allocations: z
        .array(
          z.object({
            amount: decimal,
            discount_application_index: z.number().int().nonnegative(),
          }),
        )
        .optional(),
    }),
  ),
  shipping: decimal.optional(),
  taxes: z
    .union([
      decimal,
      z.array(
        z.object({
          title: z.string().optional(),
          rate: z.number().optional(),
          price: decimal,
        }),
      ),
    ])
    .optional(),
  test: z.boolean().optional(),
  createdAt: z.string().optional(),
  processedAt: z.string().optional(),
  updatedAt: z.string().optional(),
  cancelledAt: z.string().nullable().optional(),
  cancelReason: z.string().nullable().optional(),
  financialStatus: z
    .enum([
      "pending",
      "authorized",
      "partially_paid",
      "paid",
      "partially_refunded",
      "refunded",
      "voided",
      "expired",
    ])
    .optional(),
  discountCodes: z
    .array(
      z.object({
        code: z.string(),
        amount: decimal,
        type: z.enum(["fixed_amount", "percentage"]).optional(),
        value: z.string().optional(),
      }),
    )
    .optional(),
  tags: z.array(z.string()).optional(),
  sourceName: z.string().optional(),
}) satisfies z.ZodType<OrderInput>;

/** Minor units in the shop currency and in the presentment currency. */
export interface MoneyPair {
  shop: number;
  presentment: number;
}

export interface OrderLineModel {
  id: number;
  title: string;
  sku: string;
  quantity: number;
  giftCard: boolean;
  taxable: boolean;
  requiresShipping: boolean;
  productId: number | null;
  variantId: number | null;
  unitPrice: MoneyPair;
  /** unitPrice × quantity, before discounts. */
  originalTotal: MoneyPair;
  discountAllocations: Array<{ index: number; amount: MoneyPair }>;
  totalDiscount: MoneyPair;
}

export interface DiscountApplicationModel {
  index: number;
  type: "discount_code" | "automatic";
  code: string | null;
  title: string;
  valueType: "fixed_amount" | "percentage";
  value: string;
  amount: MoneyPair;
}

export interface TaxLineModel {
  title: string;
  rate: number;
  price: MoneyPair;
}

export interface OrderTotals {
  lineItems: MoneyPair;
  discounts: MoneyPair;
  subtotal: MoneyPair;
  shipping: MoneyPair;
  tax: MoneyPair;
  total: MoneyPair;
}

export interface OrderModel {
  id: number;
  gid: string;
  name: string;
  number: number;
  orderNumber: number;
  email: string | null;
  customer: OrderCustomerInput | null;
  currency: string;
  presentmentCurrency: string;
  exchangeRate: number;
  lines: OrderLineModel[];
  discountApplications: DiscountApplicationModel[];
  taxLines: TaxLineModel[];
  totals: OrderTotals;
  test: boolean;
  createdAt: string;
  processedAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  cancelReason: string | null;
  financialStatus: FinancialStatus;
  tags: string[];
  sourceName: string;
}

const DEFAULT_TIME = "2025-01-15T12:00:00Z";

export function orderGid(id: number | string): string {
  return `gid://shopify/Order/${id}`;
}

function pair(
  shopMinor: number,
  input: { currency: string; presentment: string; rate: number },
): MoneyPair {
  return {
    shop: shopMinor,
    presentment: convertMinor(
      shopMinor,
      input.currency,
      input.presentment,
      input.rate,
    ),
  };
}

function addPairs(...pairs: MoneyPair[]): MoneyPair {
  return pairs.reduce(
    (sum, next) => ({
      shop: sum.shop + next.shop,
      presentment: sum.presentment + next.presentment,
    }),
    {
      shop: 0,
      presentment: 0,
    },
  );
}

function subtractPair(a: MoneyPair, b: MoneyPair): MoneyPair {
  return { shop: a.shop - b.shop, presentment: a.presentment - b.presentment };
}

export const zeroPair = (): MoneyPair => ({ shop: 0, presentment: 0 });

export function buildOrderModel(input: OrderInput): OrderModel {
  if (!Number.isSafeInteger(input.id) || input.id <= 0) {
    throw new Error(
      `Order id must be a positive safe integer, got ${input.id}`,
    );
  }
  const currency = input.currency;
  const presentment = input.presentmentCurrency ?? currency;
  const rate = input.exchangeRate ?? 1;
  const conversion = { currency, presentment, rate };

  const lines: OrderLineModel[] = input.lines.map((line) => {
    if (!Number.isInteger(line.quantity) || line.quantity <= 0) {
      throw new Error(`Line ${line.id}: quantity must be a positive integer`);
    }
    const unitPrice = pair(toMinor(line.price, currency), conversion);
    const originalTotal = {
      shop: unitPrice.shop * line.quantity,
      presentment: unitPrice.presentment * line.quantity,
    };
    const discountAllocations = (line.discount_allocations ?? []).map(
      (allocation) => ({
        index: allocation.discount_application_index,
        amount: pair(toMinor(allocation.amount, currency), conversion),
      }),
    );
    return {
      id: line.id,
      title: line.title ?? `Product ${line.id}`,
      sku: line.sku ?? `SKU-${line.id}`,
      quantity: line.quantity,
      giftCard: line.gift_card ?? false,
      taxable: line.taxable ?? !(line.gift_card ?? false),
      requiresShipping: line.requires_shipping ?? !(line.gift_card ?? false),
      productId: line.product_id ?? null,
      variantId: line.variant_id ?? null,
      unitPrice,
      originalTotal,
      discountAllocations,
      totalDiscount: zeroPair(),
    };
  });

  // Codes without explicit allocations are spread over the discountable lines by value, the way
  // an order-level "across" discount lands on line items in Shopify's payloads.
  const codes = input.discountCodes ?? [];
  codes.forEach((code, index) => {
    const explicit = lines.some((line) =>
      line.discountAllocations.some((allocation) => allocation.index === index),
    );
    if (explicit) return;
    const eligible = lines.filter((line) => !line.giftCard);
    const parts = allocate(
      toMinor(code.amount, currency),
      eligible.map((line) => line.originalTotal.shop),
    );
    eligible.forEach((line, position) => {
      const share = parts[position] ?? 0;
      if (share !== 0)
        line.discountAllocations.push({
          index,
          amount: pair(share, conversion),
        });
    });
  });
  for (const line of lines) {
    line.totalDiscount = addPairs(
      ...line.discountAllocations.map((allocation) => allocation.amount),
    );
  }

  const lineItems = addPairs(...lines.map((line) => line.originalTotal));
  const indexes = new Set<number>(codes.map((_code, index) => index));
  for (const line of lines)
    for (const allocation of line.discountAllocations)
      indexes.add(allocation.index);
  const discountApplications: DiscountApplicationModel[] = [...indexes]
    .sort((a, b) => a - b)
    .map((index) => {
      const amount = addPairs(
        ...lines.flatMap((line) =>
          line.discountAllocations
            .filter((allocation) => allocation.index === index)
            .map((allocation) => allocation.amount),
        ),
      );
      const code = codes[index];
      const valueType = code?.type ?? "fixed_amount";
      const derivedValue =
        valueType === "percentage" && lineItems.shop > 0
          ? ((amount.shop / lineItems.shop) * 100).toFixed(1)
          : formatDecimal(amount.shop, currency);
      return {
        index,
        type: code ? "discount_code" : "automatic",
        code: code?.code ?? null,
        title: code?.code ?? `Automatic discount ${index}`,
        valueType,
        value: code?.value ?? derivedValue,
        amount,
      };
    });

  const discounts = addPairs(...lines.map((line) => line.totalDiscount));
  const subtotal = subtractPair(lineItems, discounts);
  const shipping = pair(
    input.shipping ? toMinor(input.shipping, currency) : 0,
    conversion,
  );

  let taxLines: TaxLineModel[] = [];
  if (typeof input.taxes === "string") {
    const price = pair(toMinor(input.taxes, currency), conversion);
    const rate =
      subtotal.shop > 0
        ? Math.round((price.shop / subtotal.shop) * 10_000) / 10_000
        : 0;
    taxLines = price.shop === 0 ? [] : [{ title: "Tax", rate, price }];
  } else if (Array.isArray(input.taxes)) {
    taxLines = input.taxes.map((tax) => ({
      title: tax.title ?? "Tax",
      rate: tax.rate ?? 0,
      price: pair(toMinor(tax.price, currency), conversion),
    }));
  }
  const tax = addPairs(...taxLines.map((line) => line.price));
  const total = addPairs(subtotal, shipping, tax);

  const createdAt = input.createdAt ?? DEFAULT_TIME;
  const number = input.number ?? (input.id % 100_000) + 1;
  return {
    id: input.id,
    gid: orderGid(input.id),
    name: input.name ?? `#${1000 + number}`,
    number,
    orderNumber: 1000 + number,
    email:
      input.email === undefined ? (input.customer?.email ?? null) : input.email,
    customer: input.customer ?? null,
    currency,
    presentmentCurrency: presentment,
    exchangeRate: rate,
    lines,
    discountApplications,
    taxLines,
    totals: { lineItems, discounts, subtotal, shipping, tax, total },
    test: input.test ?? false,
    createdAt,
    processedAt: input.processedAt ?? createdAt,
    updatedAt: input.updatedAt ?? createdAt,
    cancelledAt: input.cancelledAt ?? null,
    cancelReason: input.cancelReason ?? (input.cancelledAt ? "customer" : null),
    financialStatus: input.financialStatus ?? "paid",
    tags: input.tags ?? [],
    sourceName: input.sourceName ?? "web",
  };
}

export interface RefundLineInput {
  line_item_id: number;
  quantity: number;
  /** Refunded amount for this line, shop currency, before tax ("19.99"). */
  subtotal: string;
  total_tax?: string;
}

export interface RefundInput {
  id: number;
  orderId: number;
  refundLineItems: RefundLineInput[];
  /** Shipping refunded, shop currency. */
  shipping?: string;
  /** Restock without moving money: no refund transaction is attached. */
  restockOnly?: boolean;
  createdAt?: string;
  note?: string;
}

export interface RefundLineModel {
  id: number;
  lineItemId: number;
  quantity: number;
  subtotal: MoneyPair;
  totalTax: MoneyPair;
}

export interface RefundModel {
  id: number;
  gid: string;
  orderId: number;
  lines: RefundLineModel[];
  shipping: MoneyPair;
  /** Money sent back to the buyer (zero for a restock-only refund). */
  transactionAmount: MoneyPair;
  restockOnly: boolean;
  createdAt: string;
  note: string;
}

export function buildRefundModel(
  input: RefundInput,
  currency: {
    currency: string;
    presentmentCurrency?: string;
    exchangeRate?: number;
  },
): RefundModel {
  if (!Number.isSafeInteger(input.id) || input.id <= 0) {
    throw new Error(
      `Refund id must be a positive safe integer, got ${input.id}`,
    );
  }
  const conversion = {
    currency: currency.currency,
    presentment: currency.presentmentCurrency ?? currency.currency,
    rate: currency.exchangeRate ?? 1,
  };
  const lines = input.refundLineItems.map((line, index) => ({
    // Refund line ids are their own resource; derive a stable one from the refund id.
    id: input.id * 100 + index + 1,
    lineItemId: line.line_item_id,
    quantity: line.quantity,
    subtotal: pair(toMinor(line.subtotal, conversion.currency), conversion),
    totalTax: pair(
      line.total_tax ? toMinor(line.total_tax, conversion.currency) : 0,
      conversion,
    ),
  }));
  const shipping = pair(
    input.shipping ? toMinor(input.shipping, conversion.currency) : 0,
    conversion,
  );
  const restockOnly = input.restockOnly ?? false;
  const transactionAmount = restockOnly
    ? zeroPair()
    : addPairs(
        shipping,
        ...lines.map((line) => addPairs(line.subtotal, line.totalTax)),
      );
  return {
    id: input.id,
    gid: `gid://shopify/Refund/${input.id}`,
    orderId: input.orderId,
    lines,
    shipping,
    transactionAmount,
    restockOnly,
    createdAt: input.createdAt ?? DEFAULT_TIME,
    note: input.note ?? "Refund",
  };
}

export { addPairs, subtractPair };
