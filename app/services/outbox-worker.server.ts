// Sends the outbox's jobs to Shopify: claims a batch, hands each job to its kind's handler with a
// cost-aware Admin client for its shop, and records the outcome. Runs in the web process
// (`startOutboxWorker`) or on its own (`npm run worker`); any number of workers can run at once.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { SqlDatabase } from "~/db/sql.server";
import { log } from "~/logger.server";
import {
  AdminCallError,
  AdminThrottledError,
  createAdminClient,
  sharedCostBudget,
  type AdminClient,
  type AdminCostBudget,
  type AdminGraphqlApi,
} from "~/shopify/admin-client.server";
import { sendCustomerTags } from "./customer-tags.server";
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
  type OutboxJob,
  type RetryPolicy,
} from "./outbox.server";
import { OutboxJobError, type OutboxHandlers } from "./outbox-jobs.server";

/** Every kind the app enqueues, with its handler. */
export const outboxHandlers: OutboxHandlers = {
  CUSTOMER_TAGS: (admin, payload) => sendCustomerTags(admin, payload),
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
  /** Jobs per claim; the most the running worker holds at once. */
  limit?: number;
  /**
   * The most of one shop's jobs a claim takes: the running worker's default is
   * DEFAULT_SHOP_BATCH_SIZE, a single run's is the whole batch.
   */
  shopLimit?: number;
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
  /** Given back untried, without an attempt, until the shop's bucket has refilled. */
  deferred: number;
  /** Finished after another worker had taken the job over (the lease ran out). */
  lost: number;
}

// Shops run side by side, so a batch wide enough to hold many shops is what lets one worker keep
// every bucket busy (measured with `npm run bench -- tags`: 20 → 130 changes/s, p99 16 s; 250 →
// 373 changes/s, p99 7.8 s). A shop's own jobs stay far below half the lease.
export const DEFAULT_BATCH_SIZE = 250;

// The running worker sends a shop's jobs one after another and claims its next ones only after
// them: a short run per shop keeps that wait short, and one shop's backlog takes only a tenth of
// what the worker holds.
export const DEFAULT_SHOP_BATCH_SIZE = 25;

export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

const emptyReport = (): OutboxRunReport => ({
  claimed: 0,
  done: 0,
  retrying: 0,
  dead: 0,
  superseded: 0,
  released: 0,
  deferred: 0,
  lost: 0,
});

interface Run {
  options: OutboxWorkerOptions;
  now: () => Date;
  workerId: string;
  policy: RetryPolicy;
  leaseMs: number;
  report: OutboxRunReport;
}

function runOf(options: OutboxWorkerOptions, workerId: string): Run {
  return {
    options,
    now: options.now ?? (() => new Date()),
    workerId,
    policy: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
    report: emptyReport(),
  };
}

function claim(
  run: Run,
  limit: number,
  shopLimit: number,
  skipShops: readonly string[] = [],
): Promise<OutboxJob[]> {
  return claimJobs(run.options.sql, {
    workerId: run.workerId,
    limit,
    shopLimit,
    skipShops,
    now: run.now(),
    leaseMs: run.leaseMs,
    maxAttempts: run.policy.maxAttempts,
  });
}

function byShop(jobs: readonly OutboxJob[]): Map<string, OutboxJob[]> {
  const shops = new Map<string, OutboxJob[]>();
  for (const job of jobs)
    shops.set(job.shop, [...(shops.get(job.shop) ?? []), job]);
  return shops;
}

/**
 * Sends one shop's claimed jobs one after another, in the order they were enqueued. A job the
 * client held back because the shop's bucket would take too long to refill goes back untried,
 * and the ones after it with it: they would wait for the same points.
 */
async function runShop(run: Run, shop: string, jobs: readonly OutboxJob[]) {
  const { options, now, report } = run;
  // One client per run of the shop, made when the first job needs it; a failed session lookup
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
  for (const [index, job] of jobs.entries()) {
    // Past half the lease another worker may soon take the job over: give it back untried
    // rather than send it twice.
    if (
      job.lockedAt &&
      now().getTime() - job.lockedAt.getTime() > run.leaseMs / 2
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
      if (error instanceof AdminThrottledError && !error.sent) {
        const runAfter = new Date(now().getTime() + (error.retryAfterMs ?? 0));
        for (const untried of jobs.slice(index))
          if (await releaseJob(options.sql, untried, runAfter))
            report.deferred += 1;
        return;
      }
      await recordFailure(options, job, error, now(), run.policy, report);
      continue;
    }
    if (await completeJob(options.sql, job, now())) report.done += 1;
    else report.lost += 1;
  }
}

/**
 * Claims one batch and runs it: shops side by side (a slow or throttled shop does not hold up the
 * others), each shop's jobs one after another in the order they were enqueued.
 */
export async function runOutboxOnce(
  options: OutboxWorkerOptions,
): Promise<OutboxRunReport> {
  const run = runOf(options, options.workerId ?? defaultWorkerId());
  const limit = options.limit ?? DEFAULT_BATCH_SIZE;
  const jobs = await claim(run, limit, options.shopLimit ?? limit);
  run.report.claimed = jobs.length;
  // Every shop's jobs run to their end before an error reaches the caller, so no job of this run
  // is still being sent once it returns.
  const results = await Promise.allSettled(
    [...byShop(jobs)].map(([shop, shopJobs]) => runShop(run, shop, shopJobs)),
  );
  for (const result of results)
    if (result.status === "rejected") throw result.reason;
  return run.report;
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
  /** Stops claiming and resolves once the jobs in hand are finished. */
  stop(): Promise<void>;
}

/**
 * Sends continuously, each shop on its own: a shop's claimed jobs run one after another while the
 * worker goes on claiming for the other shops, so a shop waiting for its bucket or a slow answer
 * holds back only its own jobs. A shop's next jobs are claimed once its previous ones are done.
 * The worker claims again at once while claims bring jobs and whenever a shop finishes, holds at
 * most `limit` jobs, and otherwise polls every `intervalMs`. Failures of a claim (the database
 * away) are logged and the loop goes on.
 */
export function startOutboxWorker(
  options: OutboxWorkerOptions & {
    intervalMs: number;
    /** Inside the web server the timer must not keep a stopping process alive. */
    keepProcessAlive?: boolean;
  },
): OutboxWorker {
  const run = runOf(options, options.workerId ?? defaultWorkerId());
  const limit = options.limit ?? DEFAULT_BATCH_SIZE;
  const shopLimit = options.shopLimit ?? DEFAULT_SHOP_BATCH_SIZE;
  const sending = new Map<string, Promise<void>>();
  let held = 0;
  let stopped = false;

  // A shop that finishes (or stop()) nudges the loop out of its wait; a nudge that arrives while
  // the loop is claiming is kept for the next wait.
  let nudged = false;
  let wakeUp: (() => void) | undefined;
  const nudge = () => {
    nudged = true;
    wakeUp?.();
  };
  const rest = () =>
    new Promise<void>((resolve) => {
      if (nudged) {
        nudged = false;
        return resolve();
      }
      const timer = setTimeout(() => wakeUp?.(), options.intervalMs);
      if (!options.keepProcessAlive) timer.unref();
      wakeUp = () => {
        clearTimeout(timer);
        wakeUp = undefined;
        nudged = false;
        resolve();
      };
    });

  const send = (shop: string, jobs: OutboxJob[]) => {
    held += jobs.length;
    const done = runShop(run, shop, jobs)
      .catch((error: unknown) =>
        log("error", "outbox run failed", {
          workerId: run.workerId,
          shop,
          error: error instanceof Error ? error.message : String(error),
        }),
      )
      .finally(() => {
        held -= jobs.length;
        sending.delete(shop);
        nudge();
      });
    sending.set(shop, done);
  };

  const loop = async () => {
    while (!stopped) {
      let claimed = 0;
      if (held < limit) {
        try {
          const jobs = await claim(run, limit - held, shopLimit, [
            ...sending.keys(),
          ]);
          claimed = jobs.length;
          for (const [shop, shopJobs] of byShop(jobs)) send(shop, shopJobs);
        } catch (error) {
          log("error", "outbox claim failed", {
            workerId: run.workerId,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
      if (claimed === 0 || held >= limit) await rest();
    }
  };
  const looping = loop();
  return {
    async stop() {
      stopped = true;
      nudge();
      await looping;
      await Promise.all(sending.values());
    },
  };
}
