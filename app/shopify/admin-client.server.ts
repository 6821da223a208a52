// The app's way of sending Admin GraphQL documents for background work (the outbox): it paces
// requests by each shop's rate-limit bucket, and it is the one place where Shopify's failures
// (THROTTLED answers, HTTP errors, dropped connections, top-level GraphQL errors, mutation
// userErrors) become typed errors that say whether trying again later can help.
// Rate limits: https://shopify.dev/docs/api/usage/rate-limits
import { z } from "zod";
import { costExtension, graphqlError, rawAnswer } from "./admin-answers";

/**
 * The slice of the library's Admin API context the client needs (`admin` from
 * `unauthenticated.admin(shop)`); a test or script may hand in anything answering the same way.
 */
export interface AdminGraphqlApi {
  graphql(
    query: string,
    options?: { variables?: Record<string, unknown>; signal?: AbortSignal },
  ): Promise<Response>;
}

// ---------------------------------------------------------------------------------------------
// Typed errors

export type AdminErrorKind =
  "THROTTLED" | "UNAVAILABLE" | "REJECTED" | "USER_ERRORS";

export interface UserError {
  field: string[] | null;
  message: string;
  code?: string | null;
}

/** Every failure the client reports. `retryable`: sending the same request later may succeed. */
export class AdminCallError extends Error {
  constructor(
    message: string,
    readonly kind: AdminErrorKind,
    readonly retryable: boolean,
    readonly operation: string,
    /** The earliest a retry is worth it, when Shopify's answer says. */
    readonly retryAfterMs?: number,
  ) {
    super(`${operation}: ${message}`);
    this.name = new.target.name;
  }
}

/** Shopify's bucket is short (THROTTLED or HTTP 429), or waiting for it would take too long. */
export class AdminThrottledError extends AdminCallError {
  constructor(
    message: string,
    operation: string,
    retryAfterMs: number,
    /** False when the request was held back before sending: nothing reached Shopify. */
    readonly sent: boolean,
  ) {
    super(message, "THROTTLED", true, operation, retryAfterMs);
  }
}

/** 5xx, a dropped connection, no answer in time, or Shopify's own internal error. */
export class AdminUnavailableError extends AdminCallError {
  constructor(message: string, operation: string, retryAfterMs?: number) {
    super(message, "UNAVAILABLE", true, operation, retryAfterMs);
  }
}

/** Shopify refused the request itself (4xx, invalid document, access denied): no retry helps. */
export class AdminRejectedError extends AdminCallError {
  constructor(
    message: string,
    operation: string,
    readonly status?: number,
    readonly codes: string[] = [],
  ) {
    super(message, "REJECTED", false, operation);
  }
}

/** A mutation refused its input; retryable only for the codes Shopify documents as transient. */
export class AdminUserErrors extends AdminCallError {
  constructor(
    operation: string,
    readonly userErrors: UserError[],
  ) {
    super(
      `userErrors: ${userErrors.map(describeUserError).join("; ")}`,
      "USER_ERRORS",
      userErrors.every(isTransientUserError),
      operation,
    );
  }
}

// Codes in the schema's userError enums whose description is "try again" (MetafieldsSet and
// Discount INTERNAL_ERROR, TRANSIENT_ERROR, THROTTLED); every other userError is about the input.
const TRANSIENT_USER_ERROR_CODES = new Set([
  "INTERNAL_ERROR",
  "TRANSIENT_ERROR",
  "THROTTLED",
]);

function describeUserError(error: UserError): string {
  const code = error.code ? ` (${error.code})` : "";
  return `${error.field?.join(".") ?? "(input)"}: ${error.message}${code}`;
}

function isTransientUserError(error: UserError): boolean {
  return (
    error.code !== undefined &&
    error.code !== null &&
    TRANSIENT_USER_ERROR_CODES.has(error.code)
  );
}

// Top-level GraphQL error codes: THROTTLED has its own class; these are Shopify failing, not the
// request, and resending later is what Shopify's docs advise.
const RETRYABLE_GRAPHQL_CODES = new Set([
  "INTERNAL_SERVER_ERROR",
  "SERVICE_UNAVAILABLE",
]);

// HTTP statuses that say "not now" rather than "never" (429 is handled as throttling).
const RETRYABLE_HTTP_STATUSES = new Set([408, 409]);

// ---------------------------------------------------------------------------------------------
// The per-shop bucket estimate

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

interface Bucket extends ThrottleStatus {
  /** When `currentlyAvailable` was true (ms). */
  at: number;
}

/** The price of a document never seen before: what Shopify charges a mutation. */
export const DEFAULT_EXPECTED_COST = 10;

/**
 * What this process believes each shop's bucket holds, set from the `throttleStatus` of every
 * answer and drawn down by what it sends, so a request waits for the points it needs instead of
 * being answered THROTTLED. Other processes sending for the same shop are not seen until the
 * next answer corrects the estimate; that costs at most one THROTTLED answer, which is retried.
 */
export class AdminCostBudget {
  private readonly buckets = new Map<string, Bucket>();
  private readonly costs = new Map<string, number>();

  /** Points available for `shop` at `now`, or undefined before its first answer. */
  available(shop: string, now: number): number | undefined {
    const bucket = this.buckets.get(shop);
    if (!bucket) return undefined;
    const restored = ((now - bucket.at) / 1000) * bucket.restoreRate;
    return Math.min(
      bucket.maximumAvailable,
      bucket.currentlyAvailable + Math.max(0, restored),
    );
  }

  /** The last requested cost Shopify reported for the operation. */
  expectedCost(operation: string): number {
    return this.costs.get(operation) ?? DEFAULT_EXPECTED_COST;
  }

  /** How long to wait before `cost` points are there; 0 when they are, or nothing is known yet. */
  waitMs(shop: string, cost: number, now: number): number {
    const bucket = this.buckets.get(shop);
    const level = this.available(shop, now);
    if (!bucket || level === undefined) return 0;
    // A query dearer than the whole bucket can only wait for a full one.
    const needed = Math.min(cost, bucket.maximumAvailable);
    if (level >= needed) return 0;
    return Math.ceil(((needed - level) / bucket.restoreRate) * 1000);
  }

  spend(shop: string, cost: number, now: number): void {
    const bucket = this.buckets.get(shop);
    const level = this.available(shop, now);
    if (!bucket || level === undefined) return;
    this.buckets.set(shop, {
      ...bucket,
      currentlyAvailable: level - cost,
      at: now,
    });
  }

  observe(
    shop: string,
    operation: string,
    cost: { requestedQueryCost?: number; throttleStatus: ThrottleStatus },
    now: number,
  ): void {
    this.buckets.set(shop, { ...cost.throttleStatus, at: now });
    // A THROTTLED answer reports the cost it refused too, so the estimate learns from it as well.
    if (cost.requestedQueryCost !== undefined && cost.requestedQueryCost > 0)
      this.costs.set(operation, cost.requestedQueryCost);
  }
}

/** One estimate per process, shared by every client that is not handed its own. */
export const sharedCostBudget = new AdminCostBudget();

// ---------------------------------------------------------------------------------------------
// Answers as they arrive

/** The library's GraphqlQueryError: an HTTP 200 answer with errors, THROTTLED among them. */
const thrownQueryError = z.object({
  body: z.object({
    data: z.unknown().optional(),
    errors: z.object({ graphQLErrors: z.array(graphqlError) }),
    extensions: costExtension.optional(),
  }),
});

/** The library's HttpResponseError family (HttpThrottlingError, HttpInternalError…). */
const thrownHttpError = z.object({
  response: z.object({
    code: z.number(),
    statusText: z.string().optional(),
    retryAfter: z.number().optional(),
  }),
});

const userErrorSchema = z.object({
  field: z.array(z.string()).nullable(),
  message: z.string(),
  code: z.string().nullish(),
});

interface Answer {
  data: unknown;
  errors: Array<z.infer<typeof graphqlError>>;
  extensions: z.infer<typeof costExtension> | undefined;
}

/** Waited after a THROTTLED answer that carries no cost figures to compute the wait from. */
const FALLBACK_THROTTLE_WAIT_MS = 1_000;

export interface AdminClientOptions {
  shop: string;
  admin: AdminGraphqlApi;
  budget?: AdminCostBudget;
  /** Milliseconds since the epoch; injectable so tests control pacing. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /**
   * The longest the client waits for the bucket before reporting THROTTLED without sending: the
   * caller (the outbox) can do other work meanwhile and retry the job later.
   */
  maxWaitMs?: number;
  /** A request still unanswered after this long is abandoned and reported retryable. */
  timeoutMs?: number;
}

export interface AdminClient {
  readonly shop: string;
  /** The `data` of the answer; the caller parses it. */
  query(
    document: string,
    variables?: Record<string, unknown>,
  ): Promise<unknown>;
  /**
   * Runs a mutation once its payload's `userErrors` are known to be empty, for each payload field
   * named (a document may run several mutations); each payload must select
   * `userErrors { field message }`. Resolves to the payload for one field, to `data` for several.
   */
  mutate(
    document: string,
    variables: Record<string, unknown>,
    payloadField: string | readonly string[],
  ): Promise<unknown>;
}

export const DEFAULT_MAX_WAIT_MS = 30_000;
export const DEFAULT_TIMEOUT_MS = 20_000;

export function createAdminClient(options: AdminClientOptions): AdminClient {
  const { shop, admin } = options;
  const budget = options.budget ?? sharedCostBudget;
  const now = options.now ?? Date.now;
  const sleep =
    options.sleep ??
    ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  async function send(
    document: string,
    variables: Record<string, unknown> | undefined,
  ): Promise<unknown> {
    const operation = operationName(document);
    const cost = budget.expectedCost(operation);
    const waitMs = budget.waitMs(shop, cost, now());
    if (waitMs > maxWaitMs)
      throw new AdminThrottledError(
        `not sent: the shop's bucket needs ${waitMs} ms to hold ${cost} points`,
        operation,
        waitMs,
        false,
      );
    if (waitMs > 0) await sleep(waitMs);
    budget.spend(shop, cost, now());

    const answer = await receive(operation, () =>
      admin.graphql(document, {
        variables,
        signal: AbortSignal.timeout(timeoutMs),
      }),
    );
    const reported = answer.extensions?.cost;
    if (reported) budget.observe(shop, operation, reported, now());
    return dataOf(operation, answer);
  }

  return {
    shop,
    query: (document, variables) => send(document, variables),
    async mutate(document, variables, payloadField) {
      const operation = operationName(document);
      const fields =
        typeof payloadField === "string" ? [payloadField] : payloadField;
      const payloadSchema = z
        .object({ userErrors: z.array(userErrorSchema) })
        .loose()
        .nullable();
      const data = z
        .object(
          Object.fromEntries(fields.map((field) => [field, payloadSchema])),
        )
        .safeParse(await send(document, variables));
      if (!data.success)
        throw new AdminRejectedError(
          `the answer has no ${fields.join(" and ")} payload with userErrors: ${firstIssue(data.error)}`,
          operation,
        );
      for (const field of fields) {
        const payload = data.data[field];
        if (!payload)
          throw new AdminRejectedError(
            `Shopify returned no ${field} payload`,
            operation,
          );
        if (payload.userErrors.length > 0)
          throw new AdminUserErrors(operation, payload.userErrors);
      }
      return typeof payloadField === "string"
        ? data.data[payloadField]
        : data.data;
    },
  };
}

/** The operation's name for logs, errors and the cost estimate. */
export function operationName(document: string): string {
  return /\b(?:query|mutation)\s+(\w+)/.exec(document)?.[1] ?? "(anonymous)";
}

/**
 * Sends and reads the answer, turning what the transport throws or returns into either an Answer
 * (GraphQL errors included) or a typed error. The library throws for HTTP errors and for 200
 * answers with errors; a plain fetch-based client returns them: both are read the same way.
 */
async function receive(
  operation: string,
  request: () => Promise<Response>,
): Promise<Answer> {
  let response: Response;
  try {
    response = await request();
  } catch (error) {
    const query = thrownQueryError.safeParse(error);
    if (query.success)
      return {
        data: query.data.body.data,
        errors: query.data.body.errors.graphQLErrors,
        extensions: query.data.body.extensions,
      };
    const http = thrownHttpError.safeParse(error);
    if (http.success) {
      const { code, statusText, retryAfter } = http.data.response;
      throw httpError(
        operation,
        code,
        statusText,
        retryAfter === undefined ? undefined : retryAfter * 1000,
      );
    }
    // Everything else the transport throws is a request that got no answer: a refused or dropped
    // connection, the timeout's abort, the library's "no response available".
    throw new AdminUnavailableError(
      `no answer from Shopify (${error instanceof Error ? error.message : String(error)})`,
      operation,
    );
  }
  if (!response.ok) {
    const retryAfter = Number(response.headers.get("Retry-After"));
    throw httpError(
      operation,
      response.status,
      response.statusText,
      Number.isFinite(retryAfter) && retryAfter > 0
        ? retryAfter * 1000
        : undefined,
    );
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    // A cut-off or non-JSON 200 is a proxy or a dropped connection, not Shopify's verdict.
    throw new AdminUnavailableError(
      `unreadable answer (${error instanceof Error ? error.message : String(error)})`,
      operation,
    );
  }
  const parsed = rawAnswer.safeParse(body);
  if (!parsed.success)
    throw new AdminUnavailableError(
      `the answer is not GraphQL: ${JSON.stringify(body).slice(0, 200)}`,
      operation,
    );
  return {
    data: parsed.data.data,
    errors: parsed.data.errors ?? [],
    extensions: parsed.data.extensions,
  };
}

function httpError(
  operation: string,
  status: number,
  statusText: string | undefined,
  retryAfterMs: number | undefined,
): AdminCallError {
  const text = `HTTP ${status}${statusText ? ` ${statusText}` : ""}`;
  if (status === 429)
    return new AdminThrottledError(
      `Shopify answered ${text}`,
      operation,
      retryAfterMs ?? FALLBACK_THROTTLE_WAIT_MS,
      true,
    );
  if (status >= 500 || RETRYABLE_HTTP_STATUSES.has(status))
    return new AdminUnavailableError(
      `Shopify answered ${text}`,
      operation,
      retryAfterMs,
    );
  // 401 (token revoked: the app was uninstalled), 402 (shop frozen), 403, 404, 423 (shop locked).
  return new AdminRejectedError(`Shopify answered ${text}`, operation, status);
}

function dataOf(operation: string, answer: Answer): unknown {
  if (answer.errors.length === 0) return answer.data;
  const codes = answer.errors.map((error) => error.extensions?.code ?? "ERROR");
  const summary = answer.errors
    .map((error) => `${error.extensions?.code ?? "ERROR"} ${error.message}`)
    .join("; ");
  if (codes.includes("THROTTLED"))
    return throwThrottled(operation, answer.extensions);
  if (codes.some((code) => RETRYABLE_GRAPHQL_CODES.has(code)))
    throw new AdminUnavailableError(summary, operation);
  throw new AdminRejectedError(summary, operation, 200, codes);
}

function throwThrottled(
  operation: string,
  extensions: Answer["extensions"],
): never {
  const cost = extensions?.cost;
  let waitMs = FALLBACK_THROTTLE_WAIT_MS;
  if (cost?.requestedQueryCost !== undefined) {
    const missing =
      cost.requestedQueryCost - cost.throttleStatus.currentlyAvailable;
    // At least the time one point takes to come back, so a retry never races the bucket.
    waitMs = Math.ceil(
      (Math.max(missing, 1) / cost.throttleStatus.restoreRate) * 1000,
    );
  }
  throw new AdminThrottledError(
    "THROTTLED by Shopify",
    operation,
    waitMs,
    true,
  );
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join(".")}: ${issue.message}` : "invalid";
}
