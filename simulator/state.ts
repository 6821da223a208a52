// In-memory shop data the simulated Admin API reads and writes. Plain records, so tests can look
// at exactly what the app changed.
import {
  buildOrderModel,
  buildRefundModel,
  type OrderInput,
  type OrderModel,
  type RefundInput,
  type RefundModel,
} from "./orders";
import { z } from "zod";
import { toMinor } from "./money";

export interface ShopRegistration {
  shop: string;
  accessToken: string;
  currencyCode?: string;
  ianaTimezone?: string;
  name?: string;
  email?: string;
}

export interface CustomerRecord {
  id: string;
  legacyId: number;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  tags: string[];
  numberOfOrders: number;
  /** Minor units of the shop currency. */
  amountSpent: number;
  createdAt: string;
  updatedAt: string;
}

export interface MetafieldRecord {
  id: string;
  legacyId: number;
  ownerId: string;
  namespace: string;
  key: string;
  type: string;
  value: string;
  createdAt: string;
  updatedAt: string;
}

export interface MetafieldDefinitionRecord {
  id: string;
  /** MetafieldOwnerType, e.g. `CUSTOMER`. */
  ownerType: string;
  /** Resolved (`$app:loyalty` → `app--<appId>--loyalty`). */
  namespace: string;
  key: string;
  type: string;
  name: string;
  description: string | null;
  /** As the app asked; null where it left the default. */
  access: {
    admin: string | null;
    storefront: string | null;
    customerAccount: string | null;
  };
  createdAt: string;
}

export type DiscountValue =
  { percentage: number } | { amount: string; appliesOnEachItem: boolean };

export interface DiscountCodeRecord {
  /** DiscountCodeNode id. */
  id: string;
  legacyId: number;
  /** DiscountRedeemCode id. */
  redeemCodeId: string;
  code: string;
  title: string;
  startsAt: string;
  endsAt: string | null;
  usageLimit: number | null;
  appliesOncePerCustomer: boolean;
  customerSelection: { all: true } | { customers: string[] };
  /** A basic code discounts what `customerGets` says; a free-shipping code has none. */
  kind: "BASIC" | "FREE_SHIPPING";
  customerGets: {
    value: DiscountValue;
    items: { all: true } | { other: unknown };
    appliesOnOneTimePurchase: boolean;
    appliesOnSubscription: boolean;
  } | null;
  combinesWith: {
    orderDiscounts: boolean;
    productDiscounts: boolean;
    shippingDiscounts: boolean;
  };
  minimumRequirement: unknown;
  createdAt: string;
  updatedAt: string;
  /** The input exactly as the app sent it. */
  input: Record<string, unknown>;
}

/** A customer's store credit in one currency, as storeCreditAccountCredit creates and adds to. */
export interface StoreCreditAccountRecord {
  id: string;
  ownerId: string;
  currency: string;
  /** Minor units. */
  balance: number;
  transactions: Array<{
    id: string;
    amount: number;
    balanceAfter: number;
    createdAt: string;
    expiresAt: string | null;
  }>;
}

export interface OrderRecord {
  model: OrderModel;
  refunds: RefundModel[];
  /** The order's own tags, editable through tagsAdd / tagsRemove. */
  tags: string[];
}

export interface ShopState {
  shop: string;
  accessToken: string;
  name: string;
  email: string;
  currencyCode: string;
  ianaTimezone: string;
  shopId: number;
  customers: Map<string, CustomerRecord>;
  orders: Map<string, OrderRecord>;
  discountCodes: Map<string, DiscountCodeRecord>;
  /** Keyed by `${ownerId} ${namespace} ${key}`. */
  metafields: Map<string, MetafieldRecord>;
  /** Keyed by `${ownerType} ${namespace} ${key}`. */
  metafieldDefinitions: Map<string, MetafieldDefinitionRecord>;
  /** Customer segments, keyed by name (Shopify keeps names unique). */
  segments: Map<string, SegmentRecord>;
  /** Keyed by account id. */
  storeCreditAccounts: Map<string, StoreCreditAccountRecord>;
  /** Flow triggers the app fired with flowTriggerReceive, oldest first. */
  flowTriggers: FlowTriggerRecord[];
}

export interface FlowTriggerRecord {
  handle: string;
  payload: Record<string, unknown>;
  receivedAt: string;
}

export interface SegmentRecord {
  id: string;
  name: string;
  query: string;
  creationDate: string;
  lastEditDate: string;
}

export interface CustomerInput {
  /** Numeric id or `gid://shopify/Customer/<id>`. */
  id: number | string;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  tags?: string[];
  numberOfOrders?: number;
  /** Decimal string in the shop currency. */
  amountSpent?: string;
  createdAt?: string;
}

/** CustomerInput for callers in another process (`POST /__simulator/customers`). */
export const customerInputSchema = z.object({
  id: z.union([
    z.number().int().positive(),
    z.string().regex(/^(gid:\/\/shopify\/Customer\/)?\d+$/),
  ]),
  email: z.string().nullable().optional(),
  firstName: z.string().nullable().optional(),
  lastName: z.string().nullable().optional(),
  tags: z.array(z.string()).optional(),
  numberOfOrders: z.number().int().nonnegative().optional(),
  amountSpent: z.string().optional(),
  createdAt: z.string().optional(),
}) satisfies z.ZodType<CustomerInput>;

export interface OrderPatch {
  cancelledAt?: string | null;
  cancelReason?: string | null;
  updatedAt?: string;
  financialStatus?: OrderModel["financialStatus"];
  test?: boolean;
}

export function customerGid(id: number | string): string {
  return typeof id === "string" && id.startsWith("gid://")
    ? id
    : `gid://shopify/Customer/${id}`;
}

export function legacyIdOf(gid: string): number {
  const tail = gid.slice(gid.lastIndexOf("/") + 1);
  const id = Number(tail.split("?")[0]);
  return Number.isSafeInteger(id) ? id : 0;
}

export function metafieldKey(
  ownerId: string,
  namespace: string,
  key: string,
): string {
  return `${ownerId} ${namespace} ${key}`;
}

export function metafieldDefinitionKey(
  ownerType: string,
  namespace: string,
  key: string,
): string {
  return `${ownerType} ${namespace} ${key}`;
}

export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export class SimulatorState {
  private readonly shops = new Map<string, ShopState>();
  private readonly byToken = new Map<string, string>();
  private sequence = 1000;

  constructor(private readonly now: () => number) {}

  /** A fresh numeric id for resources the simulator creates (metafields, discounts). */
  nextId(): number {
    this.sequence += 1;
    return this.sequence;
  }

  register(registration: ShopRegistration): ShopState {
    const shop = registration.shop.trim().toLowerCase();
    if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shop)) {
      throw new Error(`Not a myshopify.com domain: ${registration.shop}`);
    }
    if (!registration.accessToken) throw new Error("accessToken is required");
    const existing = this.shops.get(shop);
    if (existing) {
      this.byToken.delete(existing.accessToken);
      existing.accessToken = registration.accessToken;
      if (registration.currencyCode)
        existing.currencyCode = registration.currencyCode;
      if (registration.ianaTimezone)
        existing.ianaTimezone = registration.ianaTimezone;
      if (registration.name) existing.name = registration.name;
      this.byToken.set(existing.accessToken, shop);
      return existing;
    }
    const handle = shop.replace(/\.myshopify\.com$/, "");
    const state: ShopState = {
      shop,
      accessToken: registration.accessToken,
      name: registration.name ?? handle,
      email: registration.email ?? `owner@${handle}.example`,
      currencyCode: registration.currencyCode ?? "USD",
      ianaTimezone: registration.ianaTimezone ?? "UTC",
      shopId: this.shops.size + 1,
      customers: new Map(),
      orders: new Map(),
      discountCodes: new Map(),
      metafields: new Map(),
      metafieldDefinitions: new Map(),
      segments: new Map(),
      storeCreditAccounts: new Map(),
      flowTriggers: [],
    };
    this.shops.set(shop, state);
    this.byToken.set(registration.accessToken, shop);
    return state;
  }

  shopForToken(token: string): ShopState | undefined {
    const shop = this.byToken.get(token);
    return shop ? this.shops.get(shop) : undefined;
  }

  get(shop: string): ShopState | undefined {
    return this.shops.get(shop.toLowerCase());
  }

  require(shop: string): ShopState {
    const state = this.get(shop);
    if (!state)
      throw new Error(`Shop not registered with the simulator: ${shop}`);
    return state;
  }

  list(): ShopState[] {
    return [...this.shops.values()];
  }

  /** Empties every shop's data; registrations (and so access tokens) stay. */
  clearData(): void {
    for (const state of this.shops.values()) {
      state.customers.clear();
      state.orders.clear();
      state.discountCodes.clear();
      state.metafields.clear();
      state.metafieldDefinitions.clear();
      state.segments.clear();
      state.storeCreditAccounts.clear();
      state.flowTriggers.length = 0;
    }
    this.sequence = 1000;
  }

  addCustomer(shop: string, input: CustomerInput): CustomerRecord {
    const state = this.require(shop);
    const id = customerGid(input.id);
    const at = input.createdAt ?? isoSeconds(this.now());
    const existing = state.customers.get(id);
    const record: CustomerRecord = {
      id,
      legacyId: legacyIdOf(id),
      email:
        input.email === undefined ? (existing?.email ?? null) : input.email,
      firstName:
        input.firstName === undefined
          ? (existing?.firstName ?? null)
          : input.firstName,
      lastName:
        input.lastName === undefined
          ? (existing?.lastName ?? null)
          : input.lastName,
      tags: input.tags ? normaliseTags(input.tags) : (existing?.tags ?? []),
      numberOfOrders: input.numberOfOrders ?? existing?.numberOfOrders ?? 0,
      amountSpent:
        input.amountSpent === undefined
          ? (existing?.amountSpent ?? 0)
          : toMinor(input.amountSpent, state.currencyCode),
      createdAt: existing?.createdAt ?? at,
      updatedAt: isoSeconds(this.now()),
    };
    state.customers.set(id, record);
    return record;
  }

  /**
   * Seeds an order, as if it had been placed. Its customer is created when unknown, and the
   * customer's order count and amount spent grow with it, as Shopify's do.
   */
  addOrder(shop: string, input: OrderInput): OrderRecord {
    const state = this.require(shop);
    const model = buildOrderModel({
      ...input,
      currency: input.currency || state.currencyCode,
    });
    const record: OrderRecord = { model, refunds: [], tags: [...model.tags] };
    const replaced = state.orders.has(model.gid);
    state.orders.set(model.gid, record);
    if (model.customer && !replaced) {
      const id = customerGid(model.customer.id);
      const customer =
        state.customers.get(id) ??
        this.addCustomer(shop, {
          id,
          email: model.customer.email,
          firstName: model.customer.first_name ?? null,
          lastName: model.customer.last_name ?? null,
          createdAt: model.createdAt,
        });
      customer.numberOfOrders += 1;
      if (!model.test && model.cancelledAt === null)
        customer.amountSpent += model.totals.total.shop;
    }
    return record;
  }

  updateOrder(
    shop: string,
    id: number | string,
    patch: OrderPatch,
  ): OrderRecord {
    const state = this.require(shop);
    const gid =
      typeof id === "string" && id.startsWith("gid://")
        ? id
        : `gid://shopify/Order/${id}`;
    const record = state.orders.get(gid);
    if (!record) throw new Error(`Unknown order ${gid}`);
    const model = record.model;
    if (patch.cancelledAt !== undefined) {
      model.cancelledAt = patch.cancelledAt;
      model.cancelReason =
        patch.cancelReason ?? (patch.cancelledAt ? "customer" : null);
    }
    if (patch.financialStatus) model.financialStatus = patch.financialStatus;
    if (patch.test !== undefined) model.test = patch.test;
    model.updatedAt = patch.updatedAt ?? isoSeconds(this.now());
    return record;
  }

  addRefund(shop: string, input: RefundInput): RefundModel {
    const state = this.require(shop);
    const record = state.orders.get(`gid://shopify/Order/${input.orderId}`);
    if (!record) throw new Error(`Unknown order ${input.orderId}`);
    const refund = buildRefundModel(input, {
      currency: record.model.currency,
      presentmentCurrency: record.model.presentmentCurrency,
      exchangeRate: record.model.exchangeRate,
    });
    record.refunds.push(refund);
    const refunded = record.refunds.reduce(
      (sum, next) => sum + next.transactionAmount.shop,
      0,
    );
    if (refunded > 0) {
      record.model.financialStatus =
        refunded >= record.model.totals.total.shop
          ? "refunded"
          : "partially_refunded";
    }
    record.model.updatedAt = input.createdAt ?? isoSeconds(this.now());
    return refund;
  }

  /** Plain JSON view of one shop, for debugging endpoints and snapshots. */
  snapshot(shop: string): Record<string, unknown> {
    const state = this.require(shop);
    return {
      shop: state.shop,
      name: state.name,
      currencyCode: state.currencyCode,
      ianaTimezone: state.ianaTimezone,
      customers: [...state.customers.values()],
      orders: [...state.orders.values()].map((order) => ({
        ...order.model,
        tags: order.tags,
        refunds: order.refunds,
      })),
      discountCodes: [...state.discountCodes.values()],
      metafields: [...state.metafields.values()],
      metafieldDefinitions: [...state.metafieldDefinitions.values()],
      segments: [...state.segments.values()],
      storeCreditAccounts: [...state.storeCreditAccounts.values()],
    };
  }
}

/**
 * Shopify treats tags as a set: trimmed, split on commas, unique without regard to case (the first
 * spelling wins), listed alphabetically.
 */
export function normaliseTags(
  tags: readonly string[],
  existing: readonly string[] = [],
): string[] {
  const seen = new Map<string, string>();
  for (const tag of existing) seen.set(tag.toLowerCase(), tag);
  for (const raw of tags) {
    for (const part of raw.split(",")) {
      const tag = part.trim();
      if (tag && !seen.has(tag.toLowerCase())) seen.set(tag.toLowerCase(), tag);
    }
  }
  return [...seen.values()].sort((a, b) =>
    a.toLowerCase().localeCompare(b.toLowerCase()),
  );
}
