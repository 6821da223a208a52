import { z } from "zod";
import type { Database } from "~/db/client.server";
import {
  costExtension,
  graphqlError,
  rawAnswer,
} from "~/shopify/admin-answers";
import {
  RECONCILE_ORDER_LINE_ITEMS_QUERY,
  RECONCILE_ORDERS_QUERY,
} from "~/shopify/admin-operations";
import {
  cancellationFromGraphql,
  discountCodesOf,
  paidOrderFromGraphql,
  reconcileOrderLineItemsSchema,
  reconcileOrderSchema,
  reconcileOrdersPageSchema,
  refundsFromGraphql,
  truncatedPart,
  wasPaid,
  type ReconcileOrder,
} from "~/shopify/order-graphql";
import { ShopCurrencyMismatch } from "~/shopify/order-payload";
import {
  ingestCancellation,
  ingestPaidOrder,
  ingestRefund,
} from "./ingest.server";
import { appDiscountCodes } from "./redemptions.server";
import type { WebhookOutcome } from "./webhook-runner.server";

/** The slice of the library's Admin API context reconciliation needs. */
export interface ReconcileAdmin {
  graphql(
    query: string,
    options?: { variables?: Record<string, unknown> },
  ): Promise<Response>;
}

export type ReconcileProgress =
  | {
      kind: "page";
      page: number;
      orders: number;
      /** Orders on this page the ledger learnt something new about. */
      fresh: number;
      fetched: number;
    }
  | { kind: "throttled"; page: number; attempt: number; waitMs: number }
  | {
      kind: "skipped";
      orderId: string;
      refundId?: string;
      reason: string;
    };

export interface ReconcileOptions {
  database: Database;
  admin: ReconcileAdmin;
  shop: string;
  /** Orders updated in [from, to] are read back. */
  from: Date;
  to: Date;
  now?: Date;
  /** Orders per query. Shopify prices every nested page, so a few orders already cost ~800 points. */
  first?: number;
  /** Tries per page when Shopify answers THROTTLED, before giving up. */
  maxAttempts?: number;
  onProgress?: (event: ReconcileProgress) => void;
  sleep?: (ms: number) => Promise<void>;
}

export interface ReconcileReport {
  pages: number;
  fetched: number;
  /** Handed to the ledger and new to it (not ALREADY_RECORDED). */
  paidFed: number;
  cancellationsFed: number;
  refundsFed: number;
  /** `paid:applied`, `paid:ALREADY_RECORDED`, `refund:NO_MONEY_REFUNDED`, `unpaid:PENDING`… */
  outcomes: Record<string, number>;
  /** Orders and refunds that could not be read faithfully, for someone to look at. */
  leftOut: Array<{ orderId: string; refundId?: string; reason: string }>;
}

export const DEFAULT_PAGE_SIZE = 3;
const DEFAULT_MAX_ATTEMPTS = 5;
/** Waited when a THROTTLED answer carries no cost figures to compute the wait from. */
const FALLBACK_WAIT_MS = 1_000;

export class ReconciliationError extends Error {}

/** MAX_COST_EXCEEDED: one query asked for more than Shopify allows, whatever the bucket holds. */
class QueryTooCostly extends ReconciliationError {}

/** Shopify's search syntax takes ISO times quoted; seconds are its precision. */
export function updatedBetweenQuery(from: Date, to: Date): string {
  const seconds = (date: Date, round: (value: number) => number) =>
    new Date(round(date.getTime() / 1000) * 1000)
      .toISOString()
      .replace(/\.000Z$/, "Z");
  return `updated_at:>='${seconds(from, Math.floor)}' AND updated_at:<='${seconds(to, Math.ceil)}'`;
}

/**
 * Reads back the shop's orders updated between `from` and `to` and feeds each paid one, its
 * refunds and its cancellation through the same accrual use-cases as the webhooks. The ledger's
 * idempotency keys (`order:<id>:earn`, `refund:<id>`, `order:<id>:cancel`) make anything a webhook
 * already delivered answer ALREADY_RECORDED, so a run heals only what was missed and can be
 * repeated at will.
 */
export async function reconcileOrders(
  options: ReconcileOptions,
): Promise<ReconcileReport> {
  const { database, shop } = options;
  const now = options.now ?? new Date();
  let first = options.first ?? DEFAULT_PAGE_SIZE;
  const client = new ThrottledAdmin(
    options.admin,
    options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    options.sleep ?? ((ms) => new Promise((done) => setTimeout(done, ms))),
    options.onProgress,
  );
  const report: ReconcileReport = {
    pages: 0,
    fetched: 0,
    paidFed: 0,
    cancellationsFed: 0,
    refundsFed: 0,
    outcomes: {},
    leftOut: [],
  };
  const count = (key: string) => {
    report.outcomes[key] = (report.outcomes[key] ?? 0) + 1;
  };
  /** Something reconciliation cannot feed faithfully: counted and reported, never half-applied. */
  const skip = (orderId: string, reason: string, refundId?: string) => {
    count(`skipped:${refundId ? "refund" : "order"}:${reason}`);
    report.leftOut.push({ orderId, refundId, reason });
    options.onProgress?.({ kind: "skipped", orderId, refundId, reason });
  };
  /** Counts the outcome; true when the ledger had not recorded it before. */
  const feed = (kind: string, outcome: WebhookOutcome) => {
    count(
      `${kind}:${outcome.status === "applied" ? "applied" : outcome.reason}`,
    );
    return (
      outcome.status === "applied" || outcome.reason !== "ALREADY_RECORDED"
    );
  };

  const query = updatedBetweenQuery(options.from, options.to);
  let after: string | null = null;
  for (;;) {
    const page = report.pages + 1;
    let answer: unknown;
    try {
      answer = await client.query(page, RECONCILE_ORDERS_QUERY, {
        first,
        after,
        query,
      });
    } catch (error) {
      // Shopify's costs can differ from the estimate the page size was chosen by: ask for fewer.
      if (!(error instanceof QueryTooCostly) || first === 1) throw error;
      first = Math.max(1, Math.floor(first / 2));
      continue;
    }
    const data = reconcileOrdersPageSchema.parse(answer);
    report.pages = page;
    report.fetched += data.orders.nodes.length;
    const orders: ReconcileOrder[] = [];
    for (const node of data.orders.nodes) {
      const parsed = reconcileOrderSchema.safeParse(node);
      if (parsed.success) orders.push(parsed.data);
      else skip(orderIdOf(node), `MALFORMED (${firstIssue(parsed.error)})`);
    }
    const appCodes = await appDiscountCodes(
      database.sql,
      shop,
      orders.flatMap(discountCodesOf),
    );

    let fresh = 0;
    for (const listed of orders) {
      const orderId = listed.legacyResourceId;
      // Pending, authorized or voided orders earn nothing yet; orders/paid will say when they do.
      if (!wasPaid(listed)) {
        count(`unpaid:${listed.displayFinancialStatus ?? "UNKNOWN"}`);
        continue;
      }
      const order = await withAllLineItems(client, page, listed);
      if (truncatedPart(order)) {
        skip(orderId, `${truncatedPart(order)}_TRUNCATED`);
        continue;
      }
      let paid;
      try {
        paid = paidOrderFromGraphql(order, (code) =>
          appCodes.has(code.toUpperCase()),
        );
      } catch (error) {
        if (!(error instanceof ShopCurrencyMismatch)) throw error;
        skip(orderId, "CURRENCY_MISMATCH");
        continue;
      }
      let learnt = false;
      if (feed("paid", await ingestPaidOrder(database, shop, paid, now))) {
        report.paidFed += 1;
        learnt = true;
      }
      for (const reading of refundsFromGraphql(order)) {
        if (!reading.ok) {
          skip(orderId, reading.reason, reading.refundId);
          continue;
        }
        if (
          feed(
            "refund",
            await ingestRefund(database, shop, reading.refund, now),
          )
        ) {
          report.refundsFed += 1;
          learnt = true;
        }
      }
      const cancellation = cancellationFromGraphql(order);
      if (
        cancellation &&
        feed(
          "cancel",
          await ingestCancellation(database, shop, cancellation, now),
        )
      ) {
        report.cancellationsFed += 1;
        learnt = true;
      }
      if (learnt) fresh += 1;
    }
    options.onProgress?.({
      kind: "page",
      page,
      orders: data.orders.nodes.length,
      fresh,
      fetched: report.fetched,
    });
    if (!data.orders.pageInfo.hasNextPage) return report;
    if (!data.orders.pageInfo.endCursor)
      throw new ReconciliationError(
        `page ${page} has a next page but no cursor to it`,
      );
    after = data.orders.pageInfo.endCursor;
  }
}

/** The order with every line item, reading the pages LoyaltyReconcileOrders left out. */
async function withAllLineItems(
  client: ThrottledAdmin,
  page: number,
  order: ReconcileOrder,
): Promise<ReconcileOrder> {
  let lineItems = order.lineItems;
  while (lineItems.pageInfo.hasNextPage) {
    const more = reconcileOrderLineItemsSchema.parse(
      await client.query(page, RECONCILE_ORDER_LINE_ITEMS_QUERY, {
        id: order.id,
        after: lineItems.pageInfo.endCursor,
      }),
    );
    if (!more.order || !lineItems.pageInfo.endCursor)
      throw new ReconciliationError(
        `order ${order.legacyResourceId} disappeared while its line items were read`,
      );
    lineItems = {
      pageInfo: more.order.lineItems.pageInfo,
      nodes: [...lineItems.nodes, ...more.order.lineItems.nodes],
    };
  }
  return { ...order, lineItems };
}

function orderIdOf(node: unknown): string {
  const parsed = z.object({ legacyResourceId: z.string() }).safeParse(node);
  return parsed.success ? parsed.data.legacyResourceId : "(unknown)";
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join(".")}: ${issue.message}` : "invalid";
}

// ---------------------------------------------------------------------------------------------
// Talking to the Admin API: errors, throttling

/**
 * What the library's client throws for an answer with errors (GraphqlQueryError): the errors are
 * under `body.errors.graphQLErrors`, the cost under `body.extensions`.
 */
const libraryError = z.object({
  body: z.object({
    errors: z.object({ graphQLErrors: z.array(graphqlError) }).optional(),
    extensions: costExtension.optional(),
  }),
});

interface Answer {
  data: unknown;
  errors: Array<z.infer<typeof graphqlError>>;
  extensions: z.infer<typeof costExtension> | undefined;
}

/**
 * Sends one query, waiting out THROTTLED answers by the bucket Shopify reports: the points the
 * query asks for, less those available, at the restore rate (https://shopify.dev/docs/api/usage/rate-limits).
 */
class ThrottledAdmin {
  constructor(
    private readonly admin: ReconcileAdmin,
    private readonly maxAttempts: number,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly onProgress: ReconcileOptions["onProgress"],
  ) {}

  async query(
    page: number,
    document: string,
    variables: Record<string, unknown>,
  ): Promise<unknown> {
    for (let attempt = 1; ; attempt += 1) {
      const answer = await this.send(document, variables);
      const throttled = answer.errors.some(
        (error) => error.extensions?.code === "THROTTLED",
      );
      if (!throttled) return this.dataOf(answer);
      if (attempt >= this.maxAttempts)
        throw new ReconciliationError(
          `Shopify was still throttling page ${page} after ${attempt} tries; run again later`,
        );
      const waitMs = throttleWait(answer.extensions);
      this.onProgress?.({ kind: "throttled", page, attempt, waitMs });
      await this.sleep(waitMs);
    }
  }

  private async send(
    document: string,
    variables: Record<string, unknown>,
  ): Promise<Answer> {
    let body: unknown;
    try {
      body = await (await this.admin.graphql(document, { variables })).json();
    } catch (error) {
      const thrown = libraryError.safeParse(error);
      if (!thrown.success) throw error;
      return {
        data: undefined,
        errors: thrown.data.body.errors?.graphQLErrors ?? [],
        extensions: thrown.data.body.extensions,
      };
    }
    const parsed = rawAnswer.safeParse(body);
    if (!parsed.success)
      throw new ReconciliationError(
        `Shopify's answer is not GraphQL: ${JSON.stringify(body).slice(0, 300)}`,
      );
    return {
      data: parsed.data.data,
      errors: parsed.data.errors ?? [],
      extensions: parsed.data.extensions,
    };
  }

  private dataOf(answer: Answer): unknown {
    const codes = answer.errors.map((error) => error.extensions?.code);
    if (codes.includes("MAX_COST_EXCEEDED"))
      throw new QueryTooCostly(
        answer.errors[0]?.message ?? "MAX_COST_EXCEEDED",
      );
    if (answer.errors.length > 0)
      throw new ReconciliationError(
        `Shopify refused the query: ${answer.errors
          .map(
            (error) => `${error.extensions?.code ?? "ERROR"} ${error.message}`,
          )
          .join("; ")}`,
      );
    // An unknown search field is dropped with a warning: the query would read every order.
    const warnings = (answer.extensions?.search ?? []).flatMap(
      (search) => search.warnings,
    );
    if (warnings.length > 0)
      throw new ReconciliationError(
        `Shopify ignored part of the search: ${warnings
          .map((warning) => `${warning.field}: ${warning.message}`)
          .join("; ")}`,
      );
    return answer.data;
  }
}

function throttleWait(extensions: Answer["extensions"]): number {
  const cost = extensions?.cost;
  if (!cost || cost.requestedQueryCost === undefined) return FALLBACK_WAIT_MS;
  const missing =
    cost.requestedQueryCost - cost.throttleStatus.currentlyAvailable;
  // At least the time one point takes to come back, so a retry never races the bucket.
  return Math.ceil(
    (Math.max(missing, 1) / cost.throttleStatus.restoreRate) * 1000,
  );
}
