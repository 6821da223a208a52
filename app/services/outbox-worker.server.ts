// Sends the outbox's jobs to Shopify: claims a batch, hands each job to its kind's handler with a
// cost-aware Admin client for its shop, and records the outcome. Runs in the web process
// (`startOutboxWorker`) or on its own (`npm run worker`); any number of workers can run at once.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { z } from "zod";
import type { SqlDatabase } from "~/db/sql.server";
import { log } from "~/logger.server";
import {
  AdminCallError,
  createAdminClient,
  sharedCostBudget,
  type AdminClient,
  type AdminCostBudget,
  type AdminGraphqlApi,
} from "~/shopify/admin-client.server";
import {
  CUSTOMER_TAGS_ADD_MUTATION,
  CUSTOMER_TAGS_REMOVE_MUTATION,
} from "~/shopify/admin-operations";
import type {
  LoyaltyCustomerTagsAddMutationVariables,
  LoyaltyCustomerTagsRemoveMutationVariables,
} from "~/types/admin.generated";
import { sendCustomerBirthday } from "./engagement.server";
import { sendFlowTrigger } from "./flow-triggers.server";
import { sendRedemptionCodeDelete } from "./redemption-codes.server";
import { sendReferralDiscount } from "./referrals.server";
import { sendTierSegments } from "./tier-segments.server";
import { sendMemberMetafields } from "./member-metafields.server";
import {
  claimJobs,
  completeJob,
  DEFAULT_LEASE_MS,
  DEFAULT_RETRY_POLICY,
  failJob,
  releaseJob,
  type NewOutboxJob,
  type OutboxJob,
  type RetryPolicy,
} from "./outbox.server";

/** Sends one job. Throws to fail it: AdminCallError and OutboxJobError say whether to retry. */
export type OutboxHandler = (
  admin: AdminClient,
  payload: unknown,
  job: OutboxJob,
) => Promise<void>;

export type OutboxHandlers = Readonly<Record<string, OutboxHandler>>;

/** A handler's own verdict on a job, e.g. a payload it cannot read (never worth retrying). */
export class OutboxJobError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "OutboxJobError";
  }
}

/** A job's payload read with its kind's schema; one that does not fit is never worth a retry. */
export function parseJobPayload<Schema extends z.ZodType>(
  kind: string,
  schema: Schema,
  payload: unknown,
): z.infer<Schema> {
  const parsed = schema.safeParse(payload);
  if (!parsed.success)
    throw new OutboxJobError(
      `invalid ${kind} payload: ${z.prettifyError(parsed.error)}`,
      false,
    );
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// CUSTOMER_TAGS

const tag = z.string().trim().min(1).max(255);

export const customerTagsPayloadSchema = z
  .object({
    /** Shopify's numeric customer id, as the webhooks carry it. */
    customerId: z.string().regex(/^\d+$/),
    add: z.array(tag),
    remove: z.array(tag),
  })
  .refine(
    (payload) => {
      // Shopify compares tags without regard to case; removing what is added is a caller's bug.
      const added = new Set(payload.add.map((value) => value.toLowerCase()));
      return payload.remove.every((value) => !added.has(value.toLowerCase()));
    },
    { message: "a tag cannot be both added and removed" },
  );

export type CustomerTagsPayload = z.infer<typeof customerTagsPayloadSchema>;

/**
 * The job that makes a customer's app-owned tags what `payload` says, coalesced per customer: a
 * later tier change replaces a job not sent yet. `add` and `remove` are the whole state of the
 * app's tags (the new tier's tag, every other tier's tag), so only the latest job matters.
 */
export function customerTagsJob(
  shop: string,
  payload: CustomerTagsPayload,
): NewOutboxJob {
  return {
    shop,
    kind: "CUSTOMER_TAGS",
    coalesceKey: `tags:${payload.customerId}`,
    payload,
  };
}

/**
 * tagsAdd then tagsRemove on the customer. Both are set operations at Shopify, so a retry after
 * a failure between the two sends the first again harmlessly; tags the app did not name are left
 * alone.
 */
export async function sendCustomerTags(
  admin: AdminClient,
  payload: unknown,
): Promise<void> {
  const parsed = customerTagsPayloadSchema.safeParse(payload);
  if (!parsed.success)
    throw new OutboxJobError(
      `invalid CUSTOMER_TAGS payload: ${z.prettifyError(parsed.error)}`,
      false,
    );
  const { customerId, add, remove } = parsed.data;
  const id = `gid://shopify/Customer/${customerId}`;
  if (add.length > 0) {
    const variables: LoyaltyCustomerTagsAddMutationVariables = {
      id,
      tags: add,
    };
    await admin.mutate(CUSTOMER_TAGS_ADD_MUTATION, variables, "tagsAdd");
  }
  if (remove.length > 0) {
    const variables: LoyaltyCustomerTagsRemoveMutationVariables = {
      id,
      tags: remove,
    };
    await admin.mutate(CUSTOMER_TAGS_REMOVE_MUTATION, variables, "tagsRemove");
  }
}

/** Every kind the app enqueues, with its handler. */
export const outboxHandlers: OutboxHandlers = {
  CUSTOMER_TAGS: (admin, payload) => sendCustomerTags(admin, payload),
  // member-metafields.server.ts imports this module's OutboxJobError; the handler is looked up
  // when a job runs, long after both modules have loaded.
  MEMBER_METAFIELDS: (admin, payload) => sendMemberMetafields(admin, payload),
  TIER_SEGMENTS: (admin, payload) => sendTierSegments(admin, payload),
  REDEMPTION_CODE_DELETE: (admin, payload) =>
    sendRedemptionCodeDelete(admin, payload),
  REFERRAL_DISCOUNT_CREATE: (admin, payload) =>
    sendReferralDiscount(admin, payload),
  FLOW_TRIGGER: (admin, payload) => sendFlowTrigger(admin, payload),
  CUSTOMER_BIRTHDAY: (admin, payload) => sendCustomerBirthday(admin, payload),
};

// ---------------------------------------------------------------------------------------------
// Running jobs

export interface OutboxWorkerOptions {
  sql: SqlDatabase;
  /** The library's Admin context for a shop, e.g. `(await unauthenticated.admin(shop)).admin`. */
  adminFor: (shop: string) => Promise<AdminGraphqlApi>;
  handlers: OutboxHandlers;
  /** Names this worker in the jobs it holds; unique per worker. */
  workerId?: string;
  /** Jobs per claim. */
  limit?: number;
  leaseMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Per-shop bucket estimates; the process-wide one by default. */
  budget?: AdminCostBudget;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** The longest the client waits for a shop's bucket before the job is retried later instead. */
  maxWaitMs?: number;
  timeoutMs?: number;
}

export interface OutboxRunReport {
  claimed: number;
  done: number;
  /** Failed, to be tried again after the backoff. */
  retrying: number;
  dead: number;
  /** Failed while a newer job for the same thing was waiting: that one is sent instead. */
  superseded: number;
  /** Given back untried because the lease was running out. */
  released: number;
  /** Finished after another worker had taken the job over (the lease ran out). */
  lost: number;
}

// Shops run side by side within a batch, so a batch wide enough to hold many shops is what lets one
// worker keep every bucket busy (measured with `npm run bench -- tags`: 20 → 130 changes/s, p99
// 16 s; 250 → 373 changes/s, p99 7.8 s). A shop's own jobs stay far below half the lease.
export const DEFAULT_BATCH_SIZE = 250;

export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * Claims one batch and runs it: shops side by side (a slow or throttled shop does not hold up the
 * others), each shop's jobs one after another in the order they were enqueued.
 */
export async function runOutboxOnce(
  options: OutboxWorkerOptions,
): Promise<OutboxRunReport> {
  const now = options.now ?? (() => new Date());
  const workerId = options.workerId ?? defaultWorkerId();
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const report: OutboxRunReport = {
    claimed: 0,
    done: 0,
    retrying: 0,
    dead: 0,
    superseded: 0,
    released: 0,
    lost: 0,
  };
  const jobs = await claimJobs(options.sql, {
    workerId,
    limit: options.limit ?? DEFAULT_BATCH_SIZE,
    now: now(),
    leaseMs,
    maxAttempts: policy.maxAttempts,
  });
  report.claimed = jobs.length;
  const byShop = new Map<string, OutboxJob[]>();
  for (const job of jobs)
    byShop.set(job.shop, [...(byShop.get(job.shop) ?? []), job]);

  const runShop = async (shop: string, shopJobs: OutboxJob[]) => {
    // One client per shop and run, made when the first job needs it; a failed session lookup
    // fails each of the shop's jobs (retryably) rather than the whole run.
    let client: Promise<AdminClient> | undefined;
    const clientFor = () =>
      (client ??= options.adminFor(shop).then((api) =>
        createAdminClient({
          shop,
          admin: api,
          budget: options.budget ?? sharedCostBudget,
          now: () => now().getTime(),
          sleep: options.sleep,
          maxWaitMs: options.maxWaitMs,
          timeoutMs: options.timeoutMs,
        }),
      ));
    for (const job of shopJobs) {
      // Past half the lease another worker may soon take the job over: give it back untried
      // rather than send it twice.
      if (
        job.lockedAt &&
        now().getTime() - job.lockedAt.getTime() > leaseMs / 2
      ) {
        if (await releaseJob(options.sql, job)) report.released += 1;
        continue;
      }
      try {
        const handler = options.handlers[job.kind];
        if (!handler)
          throw new OutboxJobError(`no handler for kind ${job.kind}`, false);
        await handler(await clientFor(), job.payload, job);
      } catch (error) {
        await recordFailure(options, job, error, now(), policy, report);
        continue;
      }
      if (await completeJob(options.sql, job, now())) report.done += 1;
      else report.lost += 1;
    }
  };
  // Every shop's jobs run to their end before an error reaches the caller, so the worker loop
  // never starts its next run while jobs of this one are still being sent.
  const results = await Promise.allSettled(
    [...byShop].map(([shop, shopJobs]) => runShop(shop, shopJobs)),
  );
  for (const result of results)
    if (result.status === "rejected") throw result.reason;
  return report;
}

async function recordFailure(
  options: OutboxWorkerOptions,
  job: OutboxJob,
  error: unknown,
  at: Date,
  policy: RetryPolicy,
  report: OutboxRunReport,
) {
  // Shopify's and the handler's typed errors know whether a retry can help; anything else (the
  // database, the session lookup, a bug) is retried and ends DEAD if it persists.
  const retryable =
    error instanceof AdminCallError || error instanceof OutboxJobError
      ? error.retryable
      : true;
  const message = error instanceof Error ? error.message : String(error);
  const outcome = await failJob(options.sql, job, {
    error: message,
    retryable,
    retryAfterMs:
      error instanceof AdminCallError ? error.retryAfterMs : undefined,
    now: at,
    random: options.random,
    policy,
  });
  const fields = {
    shop: job.shop,
    jobId: job.id,
    kind: job.kind,
    attempts: job.attempts,
    error: message,
  };
  if (!outcome) {
    report.lost += 1;
  } else if (outcome.status === "PENDING") {
    report.retrying += 1;
    log("warn", "outbox job failed; retrying", {
      ...fields,
      runAfter: outcome.runAfter.toISOString(),
    });
  } else if (outcome.status === "DEAD") {
    report.dead += 1;
    log("error", "outbox job dead", fields);
  } else {
    report.superseded += 1;
  }
}

export interface OutboxWorker {
  /** Stops claiming and resolves once the batch in hand is finished. */
  stop(): Promise<void>;
}

/**
 * Runs batches every `intervalMs`, and straight away again while batches come back full, never two
 * at once. Failures of a whole run (the database away) are logged and the loop goes on.
 */
export function startOutboxWorker(
  options: OutboxWorkerOptions & {
    intervalMs: number;
    /** Inside the web server the timer must not keep a stopping process alive. */
    keepProcessAlive?: boolean;
  },
): OutboxWorker {
  const workerId = options.workerId ?? defaultWorkerId();
  const limit = options.limit ?? DEFAULT_BATCH_SIZE;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = run();
    }, ms);
    if (!options.keepProcessAlive) timer.unref();
  };
  const run = async () => {
    let full = false;
    try {
      const report = await runOutboxOnce({ ...options, workerId, limit });
      full = report.claimed >= limit;
    } catch (error) {
      log("error", "outbox run failed", {
        workerId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
    schedule(full ? 0 : options.intervalMs);
  };
  schedule(0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
