// Resolvers for the part of the Admin API the app uses, reading and writing SimulatorState.
//
// Objects are plain "views": properties are values or functions `(args, context, info)`, read by
// the field resolver in admin-graphql.ts. A field a view does not define resolves to null (or to an
// empty list / connection when the schema says it cannot be null), so a valid document never
// crashes the simulator, it just gets less data than Shopify would give.
import { createHash } from "node:crypto";
import {
  GraphQLError,
  responsePathAsArray,
  type GraphQLResolveInfo,
} from "graphql";
import { formatDecimal, toMinor } from "./money";
import {
  addPairs,
  subtractPair,
  zeroPair,
  type MoneyPair,
  type OrderLineModel,
  type OrderModel,
  type RefundModel,
} from "./orders";
import {
  checkMetafieldType,
  checkMetafieldValue,
  metafieldJsonValue,
} from "./metafield-types";
import {
  applyNegation,
  matchesDate,
  matchesText,
  parseSearchQuery,
  type SearchTerm,
} from "./search-query";
import {
  customerGid,
  isoSeconds,
  legacyIdOf,
  metafieldDefinitionKey,
  metafieldKey,
  normaliseTags,
  type CustomerRecord,
  type DiscountCodeRecord,
  type DiscountValue,
  type MetafieldDefinitionRecord,
  type MetafieldRecord,
  type OrderRecord,
  type ShopState,
  type SimulatorState,
  type StoreCreditAccountRecord,
} from "./state";

export interface SearchWarning {
  path: ReadonlyArray<string | number>;
  query: string;
  warnings: Array<{ field: string; message: string }>;
}

export interface ResolveContext {
  state: SimulatorState;
  shop: ShopState;
  now: () => number;
  /** Running actual query cost, added to by the field resolver. */
  actualCost: number;
  /** What `$app` stands for in metafield namespaces. */
  appNamespace: string;
  searchWarnings: SearchWarning[];
}

export type Args = Record<string, unknown>;
export type View = Record<string, unknown>;

export const MAX_PAGE_SIZE = 250;
const MAX_METAFIELDS_PER_SET = 25;

// ---------------------------------------------------------------------------------------------
// Argument helpers (graphql-js has already coerced them to the schema's types).

function argString(args: Args, name: string): string | undefined {
  const value = args[name];
  return typeof value === "string" ? value : undefined;
}

function argNumber(args: Args, name: string): number | undefined {
  const value = args[name];
  return typeof value === "number" ? value : undefined;
}

function argStrings(args: Args, name: string): string[] {
  const value = args[name];
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === "string")
    : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Connections

function encodeCursor(id: string): string {
  return Buffer.from(
    JSON.stringify({ last_id: legacyIdOf(id) || id }),
  ).toString("base64");
}

function decodeCursor(cursor: string): string | number | null {
  try {
    const parsed: unknown = JSON.parse(
      Buffer.from(cursor, "base64").toString("utf8"),
    );
    if (
      isRecord(parsed) &&
      (typeof parsed.last_id === "number" || typeof parsed.last_id === "string")
    ) {
      return parsed.last_id;
    }
  } catch {
    // Fall through: not a cursor this simulator issued.
  }
  return null;
}

export function emptyConnection(): View {
  return {
    edges: [],
    nodes: [],
    pageInfo: {
      hasNextPage: false,
      hasPreviousPage: false,
      startCursor: null,
      endCursor: null,
    },
  };
}

function connection<T>(
  items: readonly T[],
  args: Args,
  idOf: (item: T) => string,
  toView: (item: T) => View,
): View {
  const first = argNumber(args, "first");
  const last = argNumber(args, "last");
  if (first === undefined && last === undefined) {
    throw new GraphQLError("you must provide one of first or last");
  }
  for (const [name, size] of [
    ["first", first],
    ["last", last],
  ] as const) {
    if (size !== undefined && (size < 0 || size > MAX_PAGE_SIZE)) {
      throw new GraphQLError(`${name} must be between 0 and ${MAX_PAGE_SIZE}`);
    }
  }
  const list = args.reverse === true ? [...items].reverse() : [...items];
  const position = (cursor: string): number => {
    const wanted = decodeCursor(cursor);
    const index = list.findIndex((item) => {
      const id = idOf(item);
      return wanted === (legacyIdOf(id) || id);
    });
    if (index === -1)
      throw new GraphQLError("Invalid cursor for current pagination sort.");
    return index;
  };
  let from = 0;
  let to = list.length;
  const after = argString(args, "after");
  const before = argString(args, "before");
  if (after) from = position(after) + 1;
  if (before) to = Math.min(to, position(before));
  if (first !== undefined) to = Math.min(to, from + first);
  if (last !== undefined) from = Math.max(from, to - last);
  const page = list.slice(from, Math.max(from, to));
  const nodes = page.map(toView);
  const edges = page.map((item, index) => ({
    cursor: encodeCursor(idOf(item)),
    node: nodes[index],
  }));
  return {
    nodes,
    edges,
    pageInfo: {
      hasNextPage: to < list.length,
      hasPreviousPage: from > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Money

function money(minor: number, currency: string): View {
  return {
    __typename: "MoneyV2",
    amount: formatDecimal(minor, currency),
    currencyCode: currency,
  };
}

function moneyBag(amount: MoneyPair, order: OrderModel): View {
  return {
    shopMoney: money(amount.shop, order.currency),
    presentmentMoney: money(amount.presentment, order.presentmentCurrency),
  };
}

// ---------------------------------------------------------------------------------------------
// Metafields

function resolveNamespace(
  namespace: string | undefined,
  ctx: ResolveContext,
): string {
  if (namespace === undefined || namespace === "$app") return ctx.appNamespace;
  if (namespace.startsWith("$app:"))
    return `${ctx.appNamespace}--${namespace.slice("$app:".length)}`;
  return namespace;
}

function digest(record: MetafieldRecord): string {
  return createHash("sha256")
    .update(`${record.type}\n${record.value}\n${record.updatedAt}`)
    .digest("hex");
}

function ownerTypeOf(ownerId: string): string {
  const type = ownerId.split("/")[3] ?? "";
  if (type === "DiscountCodeNode") return "DISCOUNT";
  return type.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}

function metafieldView(record: MetafieldRecord, ctx: ResolveContext): View {
  return {
    __typename: "Metafield",
    id: record.id,
    legacyResourceId: String(record.legacyId),
    namespace: record.namespace,
    key: record.key,
    type: record.type,
    value: record.value,
    jsonValue: metafieldJsonValue(record.type, record.value),
    compareDigest: digest(record),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    ownerType: ownerTypeOf(record.ownerId),
    owner: () => nodeById(record.ownerId, ctx),
  };
}

function metafieldsOf(ownerId: string, ctx: ResolveContext): MetafieldRecord[] {
  return [...ctx.shop.metafields.values()].filter(
    (record) => record.ownerId === ownerId,
  );
}

function metafieldFields(ownerId: string, ctx: ResolveContext): View {
  return {
    metafield: (args: Args) => {
      const key = argString(args, "key") ?? "";
      const namespace = resolveNamespace(argString(args, "namespace"), ctx);
      const record = ctx.shop.metafields.get(
        metafieldKey(ownerId, namespace, key),
      );
      return record ? metafieldView(record, ctx) : null;
    },
    metafields: (args: Args) => {
      const namespaceArg = argString(args, "namespace");
      const namespace =
        namespaceArg === undefined
          ? undefined
          : resolveNamespace(namespaceArg, ctx);
      const keys = argStrings(args, "keys");
      const records = metafieldsOf(ownerId, ctx).filter(
        (record) =>
          (namespace === undefined || record.namespace === namespace) &&
          (keys.length === 0 ||
            keys.includes(`${record.namespace}.${record.key}`)),
      );
      return connection(
        records,
        args,
        (record) => record.id,
        (record) => metafieldView(record, ctx),
      );
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Shop, customers, orders, discounts

function shopGid(shop: ShopState): string {
  return `gid://shopify/Shop/${shop.shopId}`;
}

export function shopView(ctx: ResolveContext): View {
  const shop = ctx.shop;
  return {
    __typename: "Shop",
    id: shopGid(shop),
    name: shop.name,
    email: shop.email,
    contactEmail: shop.email,
    myshopifyDomain: shop.shop,
    url: `https://${shop.shop}`,
    currencyCode: shop.currencyCode,
    enabledPresentmentCurrencies: [shop.currencyCode],
    ianaTimezone: shop.ianaTimezone,
    taxesIncluded: false,
    taxShipping: false,
    setupRequired: false,
    checkoutApiSupported: true,
    plan: {
      displayName: "Development",
      partnerDevelopment: true,
      shopifyPlus: false,
    },
    primaryDomain: {
      __typename: "Domain",
      id: `gid://shopify/Domain/${shop.shopId}`,
      host: shop.shop,
      url: `https://${shop.shop}`,
      sslEnabled: true,
    },
    ...metafieldFields(shopGid(shop), ctx),
  };
}

function customerView(record: CustomerRecord, ctx: ResolveContext): View {
  const name = [record.firstName, record.lastName].filter(Boolean).join(" ");
  const orders = () => ordersOfCustomer(record.id, ctx);
  return {
    __typename: "Customer",
    id: record.id,
    legacyResourceId: String(record.legacyId),
    email: record.email,
    firstName: record.firstName,
    lastName: record.lastName,
    displayName: name || record.email || "",
    tags: record.tags,
    numberOfOrders: String(record.numberOfOrders),
    amountSpent: money(record.amountSpent, ctx.shop.currencyCode),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    state: "ENABLED",
    verifiedEmail: record.email !== null,
    taxExempt: false,
    taxExemptions: [],
    note: null,
    locale: "en",
    canDelete: record.numberOfOrders === 0,
    dataSaleOptOut: false,
    defaultEmailAddress: record.email
      ? {
          emailAddress: record.email,
          marketingState: "NOT_SUBSCRIBED",
          validFormat: true,
        }
      : null,
    orders: (args: Args) =>
      connection(
        orders(),
        args,
        (order) => order.model.gid,
        (order) => orderView(order, ctx),
      ),
    lastOrder: () => {
      const list = orders();
      const latest = list[list.length - 1];
      return latest ? orderView(latest, ctx) : null;
    },
    ...metafieldFields(record.id, ctx),
  };
}

function ordersOfCustomer(
  customerId: string,
  ctx: ResolveContext,
): OrderRecord[] {
  return [...ctx.shop.orders.values()]
    .filter(
      (order) =>
        order.model.customer &&
        customerGid(order.model.customer.id) === customerId,
    )
    .sort(
      (a, b) => Date.parse(a.model.createdAt) - Date.parse(b.model.createdAt),
    );
}

function refundedQuantity(order: OrderRecord, lineId: number): number {
  return order.refunds.reduce(
    (sum, refund) =>
      sum +
      refund.lines
        .filter((line) => line.lineItemId === lineId)
        .reduce((s, l) => s + l.quantity, 0),
    0,
  );
}

function discountApplicationView(order: OrderModel, index: number): View {
  const application = order.discountApplications.find(
    (candidate) => candidate.index === index,
  );
  const value =
    application?.valueType === "percentage"
      ? {
          __typename: "PricingPercentageValue",
          percentage: Number(application.value),
        }
      : money(application ? application.amount.shop : 0, order.currency);
  const common = {
    index,
    allocationMethod: "ACROSS",
    targetSelection: "ALL",
    targetType: "LINE_ITEM",
    value,
  };
  return application?.type === "discount_code" && application.code
    ? {
        __typename: "DiscountCodeApplication",
        code: application.code,
        ...common,
      }
    : {
        __typename: "AutomaticDiscountApplication",
        title: application?.title ?? "Discount",
        ...common,
      };
}

function lineItemView(line: OrderLineModel, order: OrderRecord): View {
  const model = order.model;
  const discounted = subtractPair(line.originalTotal, line.totalDiscount);
  const perUnit = (amount: MoneyPair): MoneyPair => ({
    shop: Math.round(amount.shop / line.quantity),
    presentment: Math.round(amount.presentment / line.quantity),
  });
  const refunded = refundedQuantity(order, line.id);
  return {
    __typename: "LineItem",
    id: `gid://shopify/LineItem/${line.id}`,
    name: line.title,
    title: line.title,
    sku: line.sku,
    vendor: null,
    variantTitle: null,
    quantity: line.quantity,
    currentQuantity: line.quantity - refunded,
    refundableQuantity: line.quantity - refunded,
    unfulfilledQuantity: line.quantity - refunded,
    nonFulfillableQuantity: 0,
    isGiftCard: line.giftCard,
    requiresShipping: line.requiresShipping,
    taxable: line.taxable,
    restockable: true,
    merchantEditable: false,
    customAttributes: [],
    duties: [],
    taxLines: [],
    originalUnitPriceSet: moneyBag(line.unitPrice, model),
    originalTotalSet: moneyBag(line.originalTotal, model),
    discountedUnitPriceSet: moneyBag(perUnit(discounted), model),
    discountedUnitPriceAfterAllDiscountsSet: moneyBag(
      perUnit(discounted),
      model,
    ),
    discountedTotalSet: moneyBag(discounted, model),
    unfulfilledDiscountedTotalSet: moneyBag(discounted, model),
    unfulfilledOriginalTotalSet: moneyBag(line.originalTotal, model),
    totalDiscountSet: moneyBag(line.totalDiscount, model),
    discountAllocations: line.discountAllocations.map((allocation) => ({
      allocatedAmountSet: moneyBag(allocation.amount, model),
      discountApplication: discountApplicationView(model, allocation.index),
    })),
  };
}

function refundView(
  refund: RefundModel,
  order: OrderRecord,
  ctx: ResolveContext,
): View {
  const model = order.model;
  const lines = refund.lines.map((line) => {
    const orderLine = model.lines.find(
      (candidate) => candidate.id === line.lineItemId,
    );
    return {
      id: `gid://shopify/RefundLineItem/${line.id}`,
      quantity: line.quantity,
      restockType: refund.restockOnly ? "RETURN" : "NO_RESTOCK",
      restocked: refund.restockOnly,
      subtotalSet: moneyBag(line.subtotal, model),
      totalTaxSet: moneyBag(line.totalTax, model),
      priceSet: moneyBag(orderLine ? orderLine.unitPrice : zeroPair(), model),
      lineItem: orderLine ? lineItemView(orderLine, order) : null,
    };
  });
  return {
    __typename: "Refund",
    id: refund.gid,
    legacyResourceId: String(refund.id),
    createdAt: refund.createdAt,
    updatedAt: refund.createdAt,
    note: refund.note,
    totalRefundedSet: moneyBag(refund.transactionAmount, model),
    // One successful refund transaction for the money sent back, none for a restock: the same
    // transaction (and id) as the refunds/create payload's.
    transactions: (args: Args) =>
      connection(
        refund.restockOnly
          ? []
          : [
              {
                __typename: "OrderTransaction",
                id: `gid://shopify/OrderTransaction/${refund.id * 10 + 2}`,
                kind: "REFUND",
                status: "SUCCESS",
                gateway: "bogus",
                formattedGateway: "Bogus",
                test: model.test,
                createdAt: refund.createdAt,
                processedAt: refund.createdAt,
                manualPaymentGateway: false,
                manuallyCapturable: false,
                multiCapturable: false,
                fees: [],
                amountSet: moneyBag(refund.transactionAmount, model),
              },
            ],
        args,
        (transaction) => transaction.id,
        (transaction) => transaction,
      ),
    refundLineItems: (args: Args) =>
      connection(
        lines,
        args,
        (line) => line.id,
        (line) => line,
      ),
    order: () => orderView(order, ctx),
  };
}

function orderTotalsAfterRefunds(order: OrderRecord) {
  const model = order.model;
  const refundedLines = addPairs(
    ...order.refunds.flatMap((refund) =>
      refund.lines.map((line) => line.subtotal),
    ),
  );
  const refundedTax = addPairs(
    ...order.refunds.flatMap((refund) =>
      refund.lines.map((line) => line.totalTax),
    ),
  );
  const refundedShipping = addPairs(
    ...order.refunds.map((refund) => refund.shipping),
  );
  const refunded = addPairs(
    ...order.refunds.map((refund) => refund.transactionAmount),
  );
  return {
    refunded,
    refundedShipping,
    subtotal: subtractPair(model.totals.subtotal, refundedLines),
    tax: subtractPair(model.totals.tax, refundedTax),
    shipping: subtractPair(model.totals.shipping, refundedShipping),
    total: subtractPair(
      model.totals.total,
      addPairs(refundedLines, refundedTax, refundedShipping),
    ),
  };
}

function orderView(order: OrderRecord, ctx: ResolveContext): View {
  const model = order.model;
  const current = orderTotalsAfterRefunds(order);
  const paid = ["paid", "partially_refunded", "refunded"].includes(
    model.financialStatus,
  );
  const codes = model.discountApplications.flatMap((application) =>
    application.code ? [application.code] : [],
  );
  const quantity = model.lines.reduce((sum, line) => sum + line.quantity, 0);
  const customerId = model.customer ? customerGid(model.customer.id) : null;
  // The simulator's orders have at most one shipping line: the REST payload's and this one agree.
  const shipping =
    model.totals.shipping.shop === 0
      ? null
      : {
          id: `gid://shopify/ShippingLine/${model.id}`,
          title: "Standard",
          code: "Standard",
          source: "shopify",
          custom: false,
          isRemoved: false,
          discountAllocations: [],
          taxLines: [],
          originalPriceSet: moneyBag(model.totals.shipping, model),
          discountedPriceSet: moneyBag(model.totals.shipping, model),
          currentDiscountedPriceSet: moneyBag(current.shipping, model),
        };
  return {
    __typename: "Order",
    id: model.gid,
    legacyResourceId: String(model.id),
    name: model.name,
    email: model.email,
    phone: null,
    note: null,
    createdAt: model.createdAt,
    processedAt: model.processedAt,
    updatedAt: model.updatedAt,
    cancelledAt: model.cancelledAt,
    cancelReason: model.cancelReason ? model.cancelReason.toUpperCase() : null,
    closed: false,
    closedAt: null,
    confirmed: true,
    test: model.test,
    sourceName: model.sourceName,
    currencyCode: model.currency,
    presentmentCurrencyCode: model.presentmentCurrency,
    displayFinancialStatus: model.financialStatus.toUpperCase(),
    displayFulfillmentStatus: "UNFULFILLED",
    fullyPaid: paid,
    unpaid: !paid,
    refundable: paid,
    tags: order.tags,
    discountCode: codes[0] ?? null,
    discountCodes: codes,
    subtotalLineItemsQuantity: quantity,
    currentSubtotalLineItemsQuantity:
      quantity -
      model.lines.reduce(
        (sum, line) => sum + refundedQuantity(order, line.id),
        0,
      ),
    customer: () => {
      if (!customerId) return null;
      const record = ctx.shop.customers.get(customerId);
      return record ? customerView(record, ctx) : null;
    },
    totalPriceSet: moneyBag(model.totals.total, model),
    originalTotalPriceSet: moneyBag(model.totals.total, model),
    subtotalPriceSet: moneyBag(model.totals.subtotal, model),
    totalDiscountsSet: moneyBag(model.totals.discounts, model),
    totalTaxSet: moneyBag(model.totals.tax, model),
    totalShippingPriceSet: moneyBag(model.totals.shipping, model),
    currentTotalPriceSet: moneyBag(current.total, model),
    currentSubtotalPriceSet: moneyBag(current.subtotal, model),
    currentTotalDiscountsSet: moneyBag(model.totals.discounts, model),
    currentTotalTaxSet: moneyBag(current.tax, model),
    currentShippingPriceSet: moneyBag(current.shipping, model),
    totalRefundedSet: moneyBag(current.refunded, model),
    totalRefundedShippingSet: moneyBag(current.refundedShipping, model),
    totalReceivedSet: moneyBag(paid ? model.totals.total : zeroPair(), model),
    netPaymentSet: moneyBag(
      paid ? subtractPair(model.totals.total, current.refunded) : zeroPair(),
      model,
    ),
    totalOutstandingSet: moneyBag(
      paid ? zeroPair() : model.totals.total,
      model,
    ),
    totalCapturableSet: moneyBag(zeroPair(), model),
    totalTipReceivedSet: moneyBag(zeroPair(), model),
    taxLines: model.taxLines.map((line) => ({
      title: line.title,
      rate: line.rate,
      ratePercentage: Math.round(line.rate * 10_000) / 100,
      priceSet: moneyBag(line.price, model),
      channelLiable: false,
      source: null,
    })),
    shippingLine: shipping,
    shippingLines: (args: Args) =>
      connection(
        shipping ? [shipping] : [],
        args,
        (line) => line.id,
        (line) => line,
      ),
    statusPageUrl: `https://${ctx.shop.shop}/${ctx.shop.shopId}/orders/${model.id}/authenticate`,
    lineItems: (args: Args) =>
      connection(
        model.lines,
        args,
        (line) => `gid://shopify/LineItem/${line.id}`,
        (line) => lineItemView(line, order),
      ),
    refunds: (args: Args) => {
      const first = argNumber(args, "first");
      const refunds =
        first === undefined ? order.refunds : order.refunds.slice(0, first);
      return refunds.map((refund) => refundView(refund, order, ctx));
    },
    ...metafieldFields(model.gid, ctx),
  };
}

function discountStatus(
  record: DiscountCodeRecord,
  now: number,
): "ACTIVE" | "EXPIRED" | "SCHEDULED" {
  if (Date.parse(record.startsAt) > now) return "SCHEDULED";
  if (record.endsAt !== null && Date.parse(record.endsAt) <= now)
    return "EXPIRED";
  return "ACTIVE";
}

function discountValueView(value: DiscountValue, ctx: ResolveContext): View {
  if ("percentage" in value)
    return { __typename: "DiscountPercentage", percentage: value.percentage };
  return {
    __typename: "DiscountAmount",
    amount: money(
      toMinor(value.amount, ctx.shop.currencyCode),
      ctx.shop.currencyCode,
    ),
    appliesOnEachItem: value.appliesOnEachItem,
  };
}

function discountSummary(
  record: DiscountCodeRecord,
  ctx: ResolveContext,
): string {
  if (!record.customerGets) return "Free shipping on all products";
  const value = record.customerGets.value;
  const amount =
    "percentage" in value
      ? `${Math.round(value.percentage * 1000) / 10}% off`
      : `${formatDecimal(toMinor(value.amount, ctx.shop.currencyCode), ctx.shop.currencyCode)} ${ctx.shop.currencyCode} off`;
  return `${amount} entire order`;
}

/** Orders that used the code, counted the way Shopify's usage count grows: one per order. */
function usageCount(record: DiscountCodeRecord, ctx: ResolveContext): number {
  const code = record.code.toLowerCase();
  let count = 0;
  for (const order of ctx.shop.orders.values()) {
    if (
      order.model.discountApplications.some(
        (application) => application.code?.toLowerCase() === code,
      )
    )
      count += 1;
  }
  return count;
}

function codeDiscountView(
  record: DiscountCodeRecord,
  ctx: ResolveContext,
): View {
  const selection = record.customerSelection;
  const used = usageCount(record, ctx);
  const redeemCode = {
    id: record.redeemCodeId,
    code: record.code,
    asyncUsageCount: used,
  };
  const common = {
    title: record.title,
    status: discountStatus(record, ctx.now()),
    startsAt: record.startsAt,
    endsAt: record.endsAt,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    usageLimit: record.usageLimit,
    appliesOncePerCustomer: record.appliesOncePerCustomer,
    asyncUsageCount: used,
    hasTimelineComment: false,
    recurringCycleLimit: null,
    minimumRequirement: null,
    shareableUrls: [],
    totalSales: null,
    summary: discountSummary(record, ctx),
    shortSummary: discountSummary(record, ctx),
    codesCount: { count: 1, precision: "EXACT" },
    codes: (args: Args) =>
      connection(
        [redeemCode],
        args,
        (code) => code.id,
        (code) => code,
      ),
    combinesWith: record.combinesWith,
    customerSelection:
      "all" in selection
        ? { __typename: "DiscountCustomerAll", allCustomers: true }
        : {
            __typename: "DiscountCustomers",
            customers: selection.customers.flatMap((id) => {
              const customer = ctx.shop.customers.get(id);
              return customer ? [customerView(customer, ctx)] : [];
            }),
          },
  };
  const gets = record.customerGets;
  if (!gets)
    return {
      ...common,
      __typename: "DiscountCodeFreeShipping",
      discountClasses: ["SHIPPING"],
      discountClass: "SHIPPING",
      appliesOnOneTimePurchase: true,
      appliesOnSubscription: false,
      destinationSelection: {
        __typename: "DiscountCountryAll",
        allCountries: true,
      },
      maximumShippingPrice: null,
    };
  return {
    ...common,
    __typename: "DiscountCodeBasic",
    discountClasses: ["ORDER"],
    discountClass: "ORDER",
    customerGets: {
      value: discountValueView(gets.value, ctx),
      items:
        "all" in gets.items
          ? { __typename: "AllDiscountItems", allItems: true }
          : { __typename: "DiscountProducts" },
      appliesOnOneTimePurchase: gets.appliesOnOneTimePurchase,
      appliesOnSubscription: gets.appliesOnSubscription,
    },
  };
}

function discountNodeView(
  record: DiscountCodeRecord,
  ctx: ResolveContext,
): View {
  return {
    __typename: "DiscountCodeNode",
    id: record.id,
    codeDiscount: codeDiscountView(record, ctx),
    ...metafieldFields(record.id, ctx),
  };
}

function nodeById(id: string, ctx: ResolveContext): View | null {
  const shop = ctx.shop;
  const customer = shop.customers.get(id);
  if (customer) return customerView(customer, ctx);
  const order = shop.orders.get(id);
  if (order) return orderView(order, ctx);
  const discount = shop.discountCodes.get(id);
  if (discount) return discountNodeView(discount, ctx);
  if (id === shopGid(shop)) return shopView(ctx);
  const metafield = [...shop.metafields.values()].find(
    (record) => record.id === id,
  );
  return metafield ? metafieldView(metafield, ctx) : null;
}

// ---------------------------------------------------------------------------------------------
// Search

function recordWarnings(
  ctx: ResolveContext,
  info: GraphQLResolveInfo,
  query: string,
  fields: string[],
): void {
  if (fields.length === 0) return;
  ctx.searchWarnings.push({
    path: responsePathAsArray(info.path),
    query,
    warnings: fields.map((field) => ({
      field,
      message: "Invalid search field for this query.",
    })),
  });
}

function filterBySearch<T>(
  items: T[],
  query: string | undefined,
  matchers: Record<string, (item: T, term: SearchTerm) => boolean>,
  freeText: (item: T, term: SearchTerm) => boolean,
  ctx: ResolveContext,
  info: GraphQLResolveInfo,
): T[] {
  if (!query) return items;
  const { terms, unsupported } = parseSearchQuery(query);
  if (unsupported.length > 0) {
    throw new GraphQLError(
      `The simulator does not support ${unsupported.join(" ")} in search queries: ${query}`,
    );
  }
  const unknown = terms.flatMap((term) =>
    term.field !== null && !matchers[term.field] ? [term.field] : [],
  );
  recordWarnings(ctx, info, query, unknown);
  const active = terms.filter(
    (term) => term.field === null || matchers[term.field],
  );
  return items.filter((item) =>
    active.every((term) => {
      const matcher = term.field === null ? freeText : matchers[term.field];
      return matcher ? applyNegation(term, matcher(item, term)) : true;
    }),
  );
}

function compareNumbers(actual: number, term: SearchTerm): boolean {
  const wanted = Number(term.value);
  if (Number.isNaN(wanted)) return false;
  switch (term.comparator) {
    case "=":
      return actual === wanted;
    case ">":
      return actual > wanted;
    case ">=":
      return actual >= wanted;
    case "<":
      return actual < wanted;
    case "<=":
      return actual <= wanted;
  }
}

const customerMatchers: Record<
  string,
  (customer: CustomerRecord, term: SearchTerm) => boolean
> = {
  email: (customer, term) => matchesText(customer.email, term),
  tag: (customer, term) => customer.tags.some((tag) => matchesText(tag, term)),
  tag_not: (customer, term) =>
    !customer.tags.some((tag) => matchesText(tag, term)),
  id: (customer, term) => compareNumbers(customer.legacyId, term),
  first_name: (customer, term) => matchesText(customer.firstName, term),
  last_name: (customer, term) => matchesText(customer.lastName, term),
  created_at: (customer, term) => matchesDate(customer.createdAt, term),
  updated_at: (customer, term) => matchesDate(customer.updatedAt, term),
  orders_count: (customer, term) =>
    compareNumbers(customer.numberOfOrders, term),
};

function customerFreeText(customer: CustomerRecord, term: SearchTerm): boolean {
  const needle = term.value.toLowerCase().replace(/\*$/, "");
  return [customer.email, customer.firstName, customer.lastName].some((value) =>
    value?.toLowerCase().includes(needle),
  );
}

const orderMatchers: Record<
  string,
  (order: OrderRecord, term: SearchTerm) => boolean
> = {
  created_at: (order, term) => matchesDate(order.model.createdAt, term),
  updated_at: (order, term) => matchesDate(order.model.updatedAt, term),
  processed_at: (order, term) => matchesDate(order.model.processedAt, term),
  financial_status: (order, term) =>
    matchesText(order.model.financialStatus, term),
  test: (order, term) => String(order.model.test) === term.value.toLowerCase(),
  customer_id: (order, term) =>
    order.model.customer !== null &&
    compareNumbers(order.model.customer.id, term),
  email: (order, term) => matchesText(order.model.email, term),
  name: (order, term) =>
    matchesText(order.model.name, term) ||
    matchesText(order.model.name.replace(/^#/, ""), term),
  id: (order, term) => compareNumbers(order.model.id, term),
  tag: (order, term) => order.tags.some((tag) => matchesText(tag, term)),
  status: (order, term) => {
    const status = order.model.cancelledAt ? "cancelled" : "open";
    return (
      term.value.toLowerCase() === "any" || term.value.toLowerCase() === status
    );
  },
};

function orderFreeText(order: OrderRecord, term: SearchTerm): boolean {
  const needle = term.value.toLowerCase().replace(/\*$/, "");
  return [order.model.name, order.model.email].some((value) =>
    value?.toLowerCase().includes(needle),
  );
}

type SortValue = string | number;

function sortBy<T>(
  items: T[],
  key: (item: T) => SortValue,
  id: (item: T) => number,
): T[] {
  return [...items].sort((a, b) => {
    const left = key(a);
    const right = key(b);
    if (left < right) return -1;
    if (left > right) return 1;
    return id(a) - id(b);
  });
}

// ---------------------------------------------------------------------------------------------
// Mutations

interface UserError {
  field: string[] | null;
  message: string;
  code?: string | null;
  elementIndex?: number | null;
}

function tagTarget(
  id: string,
  ctx: ResolveContext,
): CustomerRecord | OrderRecord | undefined {
  return ctx.shop.customers.get(id) ?? ctx.shop.orders.get(id);
}

function changeTags(
  args: Args,
  ctx: ResolveContext,
  change: (current: string[], tags: string[]) => string[],
): View {
  const id = argString(args, "id") ?? "";
  const tags = argStrings(args, "tags");
  const target = tagTarget(id, ctx);
  if (!target) {
    return {
      node: null,
      userErrors: [{ field: ["id"], message: "Resource does not exist" }],
    };
  }
  const at = isoSeconds(ctx.now());
  if ("model" in target) {
    target.tags = change(target.tags, tags);
    target.model.updatedAt = at;
    return { node: orderView(target, ctx), userErrors: [] };
  }
  target.tags = change(target.tags, tags);
  target.updatedAt = at;
  return { node: customerView(target, ctx), userErrors: [] };
}

function addTags(current: string[], tags: string[]): string[] {
  return normaliseTags(tags, current);
}

function removeTags(current: string[], tags: string[]): string[] {
  const removed = new Set(normaliseTags(tags).map((tag) => tag.toLowerCase()));
  return current.filter((tag) => !removed.has(tag.toLowerCase()));
}

function ownerExists(ownerId: string, ctx: ResolveContext): boolean {
  return (
    ctx.shop.customers.has(ownerId) ||
    ctx.shop.orders.has(ownerId) ||
    ctx.shop.discountCodes.has(ownerId) ||
    ownerId === shopGid(ctx.shop)
  );
}

function metafieldsSet(args: Args, ctx: ResolveContext): View {
  const inputs = Array.isArray(args.metafields)
    ? args.metafields.filter(isRecord)
    : [];
  const userErrors: UserError[] = [];
  if (inputs.length > MAX_METAFIELDS_PER_SET) {
    return {
      metafields: null,
      userErrors: [
        {
          field: ["metafields"],
          message: `Exceeded the maximum metafields input limit of ${MAX_METAFIELDS_PER_SET}.`,
          code: "LESS_THAN_OR_EQUAL_TO",
          elementIndex: null,
        },
      ],
    };
  }
  const planned: MetafieldRecord[] = [];
  const at = isoSeconds(ctx.now());
  inputs.forEach((input, index) => {
    const field = (name: string) => ["metafields", String(index), name];
    const fail = (name: string, message: string, code: string) =>
      userErrors.push({
        field: field(name),
        message,
        code,
        elementIndex: index,
      });
    const ownerId = typeof input.ownerId === "string" ? input.ownerId : "";
    const key = typeof input.key === "string" ? input.key : "";
    const value = typeof input.value === "string" ? input.value : "";
    const namespace = resolveNamespace(
      typeof input.namespace === "string" ? input.namespace : undefined,
      ctx,
    );
    if (!ownerExists(ownerId, ctx))
      return fail("ownerId", "Owner does not exist.", "INVALID_VALUE");
    if (key.length < 2)
      return fail(
        "key",
        "Key is too short (minimum is 2 characters)",
        "TOO_SHORT",
      );
    if (key.length > 64)
      return fail(
        "key",
        "Key is too long (maximum is 64 characters)",
        "TOO_LONG",
      );
    if (!/^[A-Za-z0-9_-]+$/.test(key)) {
      return fail(
        "key",
        "Key contains one or more invalid characters.",
        "INVALID_VALUE",
      );
    }
    if (namespace.length < 2)
      return fail(
        "namespace",
        "Namespace is too short (minimum is 2 characters)",
        "TOO_SHORT",
      );
    if (namespace.length > 255)
      return fail(
        "namespace",
        "Namespace is too long (maximum is 255 characters)",
        "TOO_LONG",
      );
    const existing = ctx.shop.metafields.get(
      metafieldKey(ownerId, namespace, key),
    );
    const definition = ctx.shop.metafieldDefinitions.get(
      metafieldDefinitionKey(ownerTypeOf(ownerId), namespace, key),
    );
    const type =
      typeof input.type === "string"
        ? input.type
        : (existing?.type ?? definition?.type);
    if (!type) return fail("type", "Type can't be blank", "BLANK");
    const typeProblem = checkMetafieldType(type);
    if (typeProblem) return fail("type", typeProblem, "INVALID_TYPE");
    if (definition && definition.type !== type)
      return fail(
        "type",
        `Type '${type}' must be consistent with the definition's type: '${definition.type}'.`,
        "INVALID_TYPE",
      );
    if (value === "") return fail("value", "Value can't be blank", "BLANK");
    const valueProblem = checkMetafieldValue(type, value);
    if (valueProblem) return fail("value", valueProblem, "INVALID_VALUE");
    if (
      typeof input.compareDigest === "string" &&
      (!existing || digest(existing) !== input.compareDigest)
    ) {
      return fail(
        "compareDigest",
        "The resource has been updated since it was loaded.",
        "STALE_OBJECT",
      );
    }
    const id = existing?.id ?? `gid://shopify/Metafield/${ctx.state.nextId()}`;
    planned.push({
      id,
      legacyId: legacyIdOf(id),
      ownerId,
      namespace,
      key,
      type,
      value,
      createdAt: existing?.createdAt ?? at,
      updatedAt: at,
    });
  });
  // All or nothing: one bad input leaves every metafield as it was.
  if (userErrors.length > 0) return { metafields: null, userErrors };
  for (const record of planned) {
    ctx.shop.metafields.set(
      metafieldKey(record.ownerId, record.namespace, record.key),
      record,
    );
  }
  return {
    metafields: planned.map((record) => metafieldView(record, ctx)),
    userErrors: [],
  };
}

/** Deletes what exists; an identifier with nothing behind it answers null, not an error. */
function metafieldsDelete(args: Args, ctx: ResolveContext): View {
  const inputs = Array.isArray(args.metafields)
    ? args.metafields.filter(isRecord)
    : [];
  if (inputs.length === 0)
    return {
      deletedMetafields: null,
      userErrors: [
        {
          field: ["metafields"],
          message: "At least one metafield identifier must be specified.",
        },
      ],
    };
  const deletedMetafields = inputs.map((input) => {
    const ownerId = typeof input.ownerId === "string" ? input.ownerId : "";
    const key = typeof input.key === "string" ? input.key : "";
    const namespace = resolveNamespace(
      typeof input.namespace === "string" ? input.namespace : undefined,
      ctx,
    );
    return ctx.shop.metafields.delete(metafieldKey(ownerId, namespace, key))
      ? { __typename: "MetafieldIdentifier", ownerId, namespace, key }
      : null;
  });
  return { deletedMetafields, userErrors: [] };
}

function metafieldDefinitionView(record: MetafieldDefinitionRecord): View {
  return {
    __typename: "MetafieldDefinition",
    id: record.id,
    name: record.name,
    namespace: record.namespace,
    key: record.key,
    description: record.description,
    ownerType: record.ownerType,
    type: { __typename: "MetafieldDefinitionType", name: record.type },
    access: {
      __typename: "MetafieldAccess",
      admin: record.access.admin,
      storefront: record.access.storefront ?? "NONE",
      customerAccount: record.access.customerAccount ?? "NONE",
      grants: [],
    },
  };
}

/**
 * One definition per owner type, namespace and key (TAKEN otherwise); admin access only in an
 * app-reserved namespace. Existing metafields are not re-validated against it.
 */
/** segmentCreate: names are unique per shop; the query is kept as given, not evaluated. */
function segmentCreate(args: Args, ctx: ResolveContext): View {
  const name = typeof args.name === "string" ? args.name.trim() : "";
  const query = typeof args.query === "string" ? args.query.trim() : "";
  const fail = (field: string, message: string): View => ({
    segment: null,
    userErrors: [{ field: [field], message }],
  });
  if (name === "") return fail("name", "Name can't be blank");
  if (query === "") return fail("query", "Query can't be blank");
  const segments = ctx.shop.segments;
  if (segments.has(name)) return fail("name", "Name has already been taken");
  const at = new Date(ctx.now()).toISOString();
  const segment = {
    id: `gid://shopify/Segment/${ctx.state.nextId()}`,
    name,
    query,
    creationDate: at,
    lastEditDate: at,
  };
  segments.set(name, segment);
  return { segment, userErrors: [] };
}

// Flow's trigger handles follow the extension handle rules; the payload is a JSON object of at
// most 50 KB (https://shopify.dev/docs/apps/build/flow/triggers/reference).
const FLOW_HANDLE = /^[a-z0-9][a-z0-9-]{0,29}$/i;
export const FLOW_TRIGGER_PAYLOAD_MAX_BYTES = 50_000;

function flowTriggerReceive(args: Args, ctx: ResolveContext): View {
  const handle = argString(args, "handle") ?? "";
  const payload = args.payload;
  const fail = (field: string, message: string): View => ({
    userErrors: [{ field: [field], message }],
  });
  if (!FLOW_HANDLE.test(handle))
    return fail("handle", `Invalid handle '${handle}'`);
  if (!isRecord(payload))
    return fail("payload", "Payload must be a JSON object");
  const size = Buffer.byteLength(JSON.stringify(payload));
  if (size > FLOW_TRIGGER_PAYLOAD_MAX_BYTES)
    return fail(
      "payload",
      `Payload is ${size} bytes, above the limit of ${FLOW_TRIGGER_PAYLOAD_MAX_BYTES}`,
    );
  ctx.shop.flowTriggers.push({
    handle,
    payload,
    receivedAt: new Date(ctx.now()).toISOString(),
  });
  return { userErrors: [] };
}

function metafieldDefinitionCreate(args: Args, ctx: ResolveContext): View {
  const input = isRecord(args.definition) ? args.definition : {};
  const text = (name: string): string | undefined => {
    const value = input[name];
    return typeof value === "string" ? value : undefined;
  };
  const fail = (name: string, message: string, code: string): View => ({
    createdDefinition: null,
    userErrors: [
      { field: ["definition", name], message, code, elementIndex: null },
    ],
  });
  const ownerType = text("ownerType") ?? "";
  const namespace = resolveNamespace(text("namespace"), ctx);
  const key = text("key") ?? "";
  const type = text("type") ?? "";
  const name = (text("name") ?? "").trim();
  const access = isRecord(input.access) ? input.access : {};
  const accessLevel = (surface: string): string | null => {
    const value = access[surface];
    return typeof value === "string" ? value : null;
  };
  if (name === "") return fail("name", "Name can't be blank", "BLANK");
  if (key.length < 2)
    return fail(
      "key",
      "Key is too short (minimum is 2 characters)",
      "TOO_SHORT",
    );
  if (key.length > 64)
    return fail(
      "key",
      "Key is too long (maximum is 64 characters)",
      "TOO_LONG",
    );
  if (!/^[A-Za-z0-9_-]+$/.test(key))
    return fail(
      "key",
      "Key contains one or more invalid characters.",
      "INVALID_CHARACTER",
    );
  if (namespace.length < 3)
    return fail(
      "namespace",
      "Namespace is too short (minimum is 3 characters)",
      "TOO_SHORT",
    );
  if (namespace.length > 255)
    return fail(
      "namespace",
      "Namespace is too long (maximum is 255 characters)",
      "TOO_LONG",
    );
  const typeProblem = checkMetafieldType(type);
  if (typeProblem) return fail("type", typeProblem, "INCLUSION");
  const appOwned =
    namespace === ctx.appNamespace ||
    namespace.startsWith(`${ctx.appNamespace}--`);
  if (accessLevel("admin") !== null && !appOwned)
    return fail(
      "access",
      "Admin access can only be specified for app-owned metafield definitions.",
      "ADMIN_ACCESS_INPUT_NOT_ALLOWED",
    );
  const mapKey = metafieldDefinitionKey(ownerType, namespace, key);
  if (ctx.shop.metafieldDefinitions.has(mapKey))
    return fail(
      "key",
      `Key is in use for ${ownerType.toLowerCase()} metafields on the '${namespace}' namespace.`,
      "TAKEN",
    );
  const record: MetafieldDefinitionRecord = {
    id: `gid://shopify/MetafieldDefinition/${ctx.state.nextId()}`,
    ownerType,
    namespace,
    key,
    type,
    name,
    description: text("description") ?? null,
    access: {
      admin: accessLevel("admin"),
      storefront: accessLevel("storefront"),
      customerAccount: accessLevel("customerAccount"),
    },
    createdAt: isoSeconds(ctx.now()),
  };
  ctx.shop.metafieldDefinitions.set(mapKey, record);
  return { createdDefinition: metafieldDefinitionView(record), userErrors: [] };
}

function parseDateTime(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : isoSeconds(at);
}

function readDiscountValue(input: unknown): DiscountValue | string {
  if (!isRecord(input)) return "Value can't be blank";
  const percentage = input.percentage;
  const amount = isRecord(input.discountAmount) ? input.discountAmount : null;
  if (typeof percentage === "number") {
    if (percentage <= 0 || percentage > 1)
      return "Percentage must be greater than 0 and at most 1.0";
    return { percentage };
  }
  if (amount) {
    const raw = amount.amount;
    const text =
      typeof raw === "number"
        ? String(raw)
        : typeof raw === "string"
          ? raw
          : "";
    if (!/^\d+(\.\d+)?$/.test(text) || Number(text) <= 0)
      return "Amount must be greater than 0";
    return {
      amount: text,
      appliesOnEachItem: amount.appliesOnEachItem === true,
    };
  }
  return "Value can't be blank";
}

/**
 * discountCodeBasicCreate and discountCodeFreeShippingCreate: the same validation, except that a
 * free-shipping code has nothing for `customerGets` to say.
 */
function codeDiscountCreate(
  args: Args,
  ctx: ResolveContext,
  kind: DiscountCodeRecord["kind"],
): View {
  const inputArg =
    kind === "BASIC" ? "basicCodeDiscount" : "freeShippingCodeDiscount";
  const input = isRecord(args[inputArg]) ? args[inputArg] : {};
  const errors: UserError[] = [];
  const fail = (path: string[], message: string, code: string) =>
    errors.push({ field: [inputArg, ...path], message, code });

  const code = typeof input.code === "string" ? input.code.trim() : "";
  const title = typeof input.title === "string" ? input.title.trim() : "";
  if (!title) fail(["title"], "Title can't be blank", "BLANK");
  if (!code) fail(["code"], "Code can't be blank", "BLANK");
  else if (code.length > 255)
    fail(["code"], "Code is too long (maximum is 255 characters)", "TOO_LONG");
  else if (/[\r\n]/.test(code))
    fail(["code"], "Code cannot contain newline characters.", "INVALID");
  else if (
    [...ctx.shop.discountCodes.values()].some(
      (record) => record.code.toLowerCase() === code.toLowerCase(),
    )
  ) {
    // Codes are unique per shop without regard to case, across every discount.
    fail(
      ["code"],
      "Code must be unique. Please try a different code.",
      "TAKEN",
    );
  }

  const startsAt = parseDateTime(input.startsAt);
  if (!startsAt) fail(["startsAt"], "Starts at can't be blank", "BLANK");
  const endsAt =
    input.endsAt === undefined || input.endsAt === null
      ? null
      : parseDateTime(input.endsAt);
  if (startsAt && endsAt && Date.parse(endsAt) <= Date.parse(startsAt)) {
    fail(["endsAt"], "Ends at needs to be after starts_at", "INVALID");
  }
  const usageLimit =
    typeof input.usageLimit === "number" ? input.usageLimit : null;
  if (usageLimit !== null && usageLimit <= 0)
    fail(["usageLimit"], "Usage limit must be greater than 0", "GREATER_THAN");

  let customerSelection: DiscountCodeRecord["customerSelection"] | null = null;
  const selection = isRecord(input.customerSelection)
    ? input.customerSelection
    : null;
  if (!selection) {
    fail(["customerSelection"], "Customer selection can't be blank", "BLANK");
  } else if (selection.all === true) {
    customerSelection = { all: true };
  } else if (isRecord(selection.customers)) {
    const ids = Array.isArray(selection.customers.add)
      ? selection.customers.add.filter(
          (id): id is string => typeof id === "string",
        )
      : [];
    const unknown = ids.filter((id) => !ctx.shop.customers.has(id));
    if (ids.length === 0)
      fail(
        ["customerSelection", "customers", "add"],
        "Customers can't be blank",
        "BLANK",
      );
    else if (unknown.length > 0) {
      fail(
        ["customerSelection", "customers", "add"],
        `Customer does not exist: ${unknown.join(", ")}`,
        "INVALID",
      );
    } else customerSelection = { customers: ids };
  } else {
    fail(["customerSelection"], "Customer selection is invalid", "INVALID");
  }

  let customerGets: DiscountCodeRecord["customerGets"] = null;
  const gets = isRecord(input.customerGets) ? input.customerGets : null;
  if (kind === "FREE_SHIPPING") {
    // Nothing to read: the discount is the shipping.
  } else if (!gets) {
    fail(["customerGets"], "Customer gets can't be blank", "BLANK");
  } else {
    const value = readDiscountValue(gets.value);
    const items = isRecord(gets.items) ? gets.items : null;
    if (typeof value === "string")
      fail(["customerGets", "value"], value, "VALUE_OUTSIDE_RANGE");
    if (!items)
      fail(["customerGets", "items"], "Items can't be blank", "BLANK");
    if (typeof value !== "string" && items) {
      customerGets = {
        value,
        items: items.all === true ? { all: true } : { other: items },
        appliesOnOneTimePurchase: gets.appliesOnOneTimePurchase !== false,
        appliesOnSubscription: gets.appliesOnSubscription === true,
      };
    }
  }

  if (
    errors.length > 0 ||
    !startsAt ||
    !customerSelection ||
    (kind === "BASIC" && !customerGets)
  ) {
    return { codeDiscountNode: null, userErrors: errors };
  }
  const combines = isRecord(input.combinesWith) ? input.combinesWith : {};
  const legacyId = ctx.state.nextId();
  const at = isoSeconds(ctx.now());
  const record: DiscountCodeRecord = {
    id: `gid://shopify/DiscountCodeNode/${legacyId}`,
    legacyId,
    redeemCodeId: `gid://shopify/DiscountRedeemCode/${ctx.state.nextId()}`,
    kind,
    code,
    title,
    startsAt,
    endsAt,
    usageLimit,
    appliesOncePerCustomer: input.appliesOncePerCustomer === true,
    customerSelection,
    customerGets,
    combinesWith: {
      orderDiscounts: combines.orderDiscounts === true,
      productDiscounts: combines.productDiscounts === true,
      shippingDiscounts: combines.shippingDiscounts === true,
    },
    minimumRequirement: input.minimumRequirement ?? null,
    createdAt: at,
    updatedAt: at,
    input,
  };
  ctx.shop.discountCodes.set(record.id, record);
  return { codeDiscountNode: discountNodeView(record, ctx), userErrors: [] };
}

const UNKNOWN_DISCOUNT: UserError = {
  field: ["id"],
  message: "Discount does not exist",
  code: "INVALID",
};

function discountCodeDelete(args: Args, ctx: ResolveContext): View {
  const id = argString(args, "id") ?? "";
  if (!ctx.shop.discountCodes.delete(id))
    return { deletedCodeDiscountId: null, userErrors: [UNKNOWN_DISCOUNT] };
  for (const [key, record] of ctx.shop.metafields)
    if (record.ownerId === id) ctx.shop.metafields.delete(key);
  return { deletedCodeDiscountId: id, userErrors: [] };
}

function discountCodeSetActive(
  args: Args,
  ctx: ResolveContext,
  active: boolean,
): View {
  const record = ctx.shop.discountCodes.get(argString(args, "id") ?? "");
  if (!record)
    return { codeDiscountNode: null, userErrors: [UNKNOWN_DISCOUNT] };
  const now = ctx.now();
  // Deactivating ends the discount now; activating clears an end that has passed, as Shopify does.
  if (!active && (record.endsAt === null || Date.parse(record.endsAt) > now))
    record.endsAt = isoSeconds(now);
  if (active && record.endsAt !== null && Date.parse(record.endsAt) <= now)
    record.endsAt = null;
  if (active && Date.parse(record.startsAt) > now)
    record.startsAt = isoSeconds(now);
  record.updatedAt = isoSeconds(now);
  return { codeDiscountNode: discountNodeView(record, ctx), userErrors: [] };
}

/**
 * storeCreditAccountCredit as Shopify validates it: the id names an account or its owner (a
 * customer), an owner's first credit in a currency opens the account, the amount is positive, in
 * the account's currency, one the shop sells in, and any expiry lies ahead.
 */
function storeCreditAccountCredit(args: Args, ctx: ResolveContext): View {
  const fail = (field: string[], message: string, code: string): View => ({
    storeCreditAccountTransaction: null,
    userErrors: [{ field, message, code }],
  });
  const id = argString(args, "id") ?? "";
  const input = isRecord(args.creditInput) ? args.creditInput : {};
  const credit = isRecord(input.creditAmount) ? input.creditAmount : {};
  const currency =
    typeof credit.currencyCode === "string" ? credit.currencyCode : "";
  const amountText =
    typeof credit.amount === "string" || typeof credit.amount === "number"
      ? String(credit.amount)
      : "";
  let amount: number;
  try {
    amount = toMinor(amountText, currency || ctx.shop.currencyCode);
  } catch {
    return fail(
      ["creditInput", "creditAmount", "amount"],
      "A positive amount must be used to credit a store credit account.",
      "NEGATIVE_OR_ZERO_AMOUNT",
    );
  }
  if (amount <= 0)
    return fail(
      ["creditInput", "creditAmount", "amount"],
      "A positive amount must be used to credit a store credit account.",
      "NEGATIVE_OR_ZERO_AMOUNT",
    );
  const expiresAt =
    input.expiresAt === undefined || input.expiresAt === null
      ? null
      : parseDateTime(input.expiresAt);
  if (expiresAt !== null && Date.parse(expiresAt) <= ctx.now())
    return fail(
      ["creditInput", "expiresAt"],
      "The expiry date must be in the future.",
      "EXPIRES_AT_IN_PAST",
    );
  const accounts = ctx.shop.storeCreditAccounts;
  let account: StoreCreditAccountRecord | undefined;
  if (id.startsWith("gid://shopify/StoreCreditAccount/")) {
    account = accounts.get(id);
    if (!account)
      return fail(
        ["id"],
        "The store credit account could not be found.",
        "ACCOUNT_NOT_FOUND",
      );
    if (account.currency !== currency)
      return fail(
        ["creditInput", "creditAmount", "currencyCode"],
        "The currency provided does not match the currency of the store credit account.",
        "MISMATCHING_CURRENCY",
      );
  } else {
    if (!ctx.shop.customers.has(id))
      return fail(["id"], "Owner does not exist.", "OWNER_NOT_FOUND");
    if (currency !== ctx.shop.currencyCode)
      return fail(
        ["creditInput", "creditAmount", "currencyCode"],
        "The currency provided is not currently supported.",
        "UNSUPPORTED_CURRENCY",
      );
    account = [...accounts.values()].find(
      (candidate) =>
        candidate.ownerId === id && candidate.currency === currency,
    );
    if (!account) {
      account = {
        id: `gid://shopify/StoreCreditAccount/${ctx.state.nextId()}`,
        ownerId: id,
        currency,
        balance: 0,
        transactions: [],
      };
      accounts.set(account.id, account);
    }
  }
  account.balance += amount;
  const transaction = {
    id: `gid://shopify/StoreCreditAccountCreditTransaction/${ctx.state.nextId()}`,
    amount,
    balanceAfter: account.balance,
    createdAt: isoSeconds(ctx.now()),
    expiresAt,
  };
  account.transactions.push(transaction);
  const owner = account;
  return {
    storeCreditAccountTransaction: {
      __typename: "StoreCreditAccountCreditTransaction",
      id: transaction.id,
      amount: money(transaction.amount, owner.currency),
      balanceAfterTransaction: money(transaction.balanceAfter, owner.currency),
      remainingAmount: money(transaction.amount, owner.currency),
      createdAt: transaction.createdAt,
      expiresAt: transaction.expiresAt,
      account: {
        __typename: "StoreCreditAccount",
        id: owner.id,
        balance: money(owner.balance, owner.currency),
      },
    },
    userErrors: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Roots

type RootField = (
  args: Args,
  ctx: ResolveContext,
  info: GraphQLResolveInfo,
) => unknown;

export const queryRoot: Record<string, RootField> = {
  shop: (_args, ctx) => shopView(ctx),
  customer: (args, ctx) => {
    const record = ctx.shop.customers.get(argString(args, "id") ?? "");
    return record ? customerView(record, ctx) : null;
  },
  customers: (args, ctx, info) => {
    const found = filterBySearch(
      [...ctx.shop.customers.values()],
      argString(args, "query"),
      customerMatchers,
      customerFreeText,
      ctx,
      info,
    );
    const sortKey = argString(args, "sortKey") ?? "ID";
    const key = (customer: CustomerRecord): SortValue =>
      sortKey === "CREATED_AT"
        ? customer.createdAt
        : sortKey === "UPDATED_AT"
          ? customer.updatedAt
          : sortKey === "NAME"
            ? `${customer.firstName ?? ""} ${customer.lastName ?? ""}`.toLowerCase()
            : customer.legacyId;
    const sorted = sortBy(found, key, (customer) => customer.legacyId);
    return connection(
      sorted,
      args,
      (customer) => customer.id,
      (customer) => customerView(customer, ctx),
    );
  },
  order: (args, ctx) => {
    const record = ctx.shop.orders.get(argString(args, "id") ?? "");
    return record ? orderView(record, ctx) : null;
  },
  orders: (args, ctx, info) => {
    const found = filterBySearch(
      [...ctx.shop.orders.values()],
      argString(args, "query"),
      orderMatchers,
      orderFreeText,
      ctx,
      info,
    );
    const sortKey = argString(args, "sortKey") ?? "ID";
    const key = (order: OrderRecord): SortValue => {
      switch (sortKey) {
        case "CREATED_AT":
          return Date.parse(order.model.createdAt);
        case "UPDATED_AT":
          return Date.parse(order.model.updatedAt);
        case "PROCESSED_AT":
          return Date.parse(order.model.processedAt);
        case "ORDER_NUMBER":
          return order.model.orderNumber;
        case "TOTAL_PRICE":
          return order.model.totals.total.shop;
        default:
          return order.model.id;
      }
    };
    const sorted = sortBy(found, key, (order) => order.model.id);
    return connection(
      sorted,
      args,
      (order) => order.model.gid,
      (order) => orderView(order, ctx),
    );
  },
  node: (args, ctx) => nodeById(argString(args, "id") ?? "", ctx),
  nodes: (args, ctx) => argStrings(args, "ids").map((id) => nodeById(id, ctx)),
  codeDiscountNode: (args, ctx) => {
    const record = ctx.shop.discountCodes.get(argString(args, "id") ?? "");
    return record ? discountNodeView(record, ctx) : null;
  },
  codeDiscountNodeByCode: (args, ctx) => {
    const code = (argString(args, "code") ?? "").toLowerCase();
    const record = [...ctx.shop.discountCodes.values()].find(
      (candidate) => candidate.code.toLowerCase() === code,
    );
    return record ? discountNodeView(record, ctx) : null;
  },
};

export const mutationRoot: Record<string, RootField> = {
  tagsAdd: (args, ctx) => changeTags(args, ctx, addTags),
  tagsRemove: (args, ctx) => changeTags(args, ctx, removeTags),
  metafieldsSet: (args, ctx) => metafieldsSet(args, ctx),
  metafieldsDelete: (args, ctx) => metafieldsDelete(args, ctx),
  metafieldDefinitionCreate: (args, ctx) =>
    metafieldDefinitionCreate(args, ctx),
  segmentCreate: (args, ctx) => segmentCreate(args, ctx),
  flowTriggerReceive: (args, ctx) => flowTriggerReceive(args, ctx),
  discountCodeBasicCreate: (args, ctx) =>
    codeDiscountCreate(args, ctx, "BASIC"),
  discountCodeFreeShippingCreate: (args, ctx) =>
    codeDiscountCreate(args, ctx, "FREE_SHIPPING"),
  discountCodeDelete: (args, ctx) => discountCodeDelete(args, ctx),
  discountCodeDeactivate: (args, ctx) =>
    discountCodeSetActive(args, ctx, false),
  discountCodeActivate: (args, ctx) => discountCodeSetActive(args, ctx, true),
  storeCreditAccountCredit: (args, ctx) => storeCreditAccountCredit(args, ctx),
};
