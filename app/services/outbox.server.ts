// The outbox: effects on Shopify (customer tags, metafields, discount codes) recorded as jobs in
// the same transaction as the ledger change that causes them, then sent by workers
// (outbox-worker.server.ts). A rolled-back change leaves no job; a committed one is sent even if
// the process dies right after the commit, because the job is a row, not a promise in memory.
import type { SharedWrite, SqlDatabase, Tx } from "~/db/sql.server";

export const OUTBOX_STATUSES = [
  "PENDING",
  "RUNNING",
  "DONE",
  "DEAD",
  "SUPERSEDED",
] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

export interface OutboxJob {
  id: number;
  shop: string;
  kind: string;
  coalesceKey: string | null;
  payload: unknown;
  status: OutboxStatus;
  /** Claims so far, this one included while RUNNING. */
  attempts: number;
  runAfter: Date;
  lockedAt: Date | null;
  lockedBy: string | null;
  lastError: string | null;
  createdAt: Date;
  doneAt: Date | null;
}

/** What `completeJob` and `failJob` need to prove the worker still holds the claim. */
export type ClaimedJob = Pick<OutboxJob, "id" | "attempts">;

export interface NewOutboxJob {
  shop: string;
  kind: string;
  /**
   * Jobs with the same shop and key carry the whole state of one thing at Shopify
   * (`tags:<customerId>`): enqueuing one supersedes the older pending ones.
   */
  coalesceKey?: string | null;
  /** A JSON object the kind's handler parses. */
  payload: object;
  runAfter?: Date;
}

export interface RetryPolicy {
  /** Claims before a job that keeps failing is DEAD. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

// 30 s doubling to 32 min: eight attempts span about an hour, longer than Shopify's usual
// incidents; beyond that a person looks at the dead job and retries it from the admin.
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 30_000,
  maxDelayMs: 3_600_000,
};

/** How long a claim holds before another worker may take the job over (its worker died). */
export const DEFAULT_LEASE_MS = 5 * 60_000;

const MAX_ERROR_LENGTH = 2_000;

/**
 * Records a job in the caller's transaction, so it commits or rolls back with the change that
 * causes it. With a coalesce key, older PENDING jobs for the same shop and key become SUPERSEDED
 * in the same statement. Callers that hold the member's row lock (every ledger write does) see
 * each other's jobs, so only the latest one stays pending; a RUNNING one is never superseded
 * (it may be on its way), and the claim waits for it before sending the newer one.
 */
export async function enqueue(
  tx: Tx,
  job: NewOutboxJob,
  now: Date = new Date(),
): Promise<{ id: number; superseded: number }> {
  const rows = await tx.query<{ id: number; superseded: number }>(
    `WITH superseded AS (
       UPDATE "OutboxJob" SET status = 'SUPERSEDED', "doneAt" = $6
       WHERE shop = $1 AND "coalesceKey" = $3 AND status = 'PENDING'
       RETURNING 1
     )
     INSERT INTO "OutboxJob" (shop, kind, "coalesceKey", payload, status, attempts, "runAfter",
       "createdAt")
     VALUES ($1, $2, $3, $4::jsonb, 'PENDING', 0, $5, $6)
     RETURNING id, (SELECT count(*)::int FROM superseded) AS superseded`,
    [
      job.shop,
      job.kind,
      job.coalesceKey ?? null,
      job.payload,
      job.runAfter ?? now,
      now,
    ],
  );
  const row = rows[0];
  if (!row) throw new Error("the outbox insert returned no row");
  return row;
}

/** One job as `outboxJobs` takes it. */
interface OutboxJobRow {
  shop: string;
  kind: string;
  coalesceKey: string | null;
  payload: object;
  runAfter: Date | null;
  now: Date;
}

/**
 * The jobs given in a transaction before its next statement, in one statement. Of several with
 * one shop and coalesce key only the last is kept, and older PENDING jobs with that key become
 * SUPERSEDED: what `enqueue` one after another would leave pending. Rows need no key: the
 * statement orders them itself, by the position they were given in.
 */
const outboxJobs: SharedWrite<OutboxJobRow> = {
  text: `WITH given AS (
       SELECT * FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (shop text, kind text,
         "coalesceKey" text, payload jsonb, "runAfter" timestamp(3), now timestamp(3)))
         WITH ORDINALITY AS j(shop, kind, "coalesceKey", payload, "runAfter", now, position)
     ), latest AS (
       SELECT * FROM given
       WHERE "coalesceKey" IS NULL OR position = (SELECT max(later.position) FROM given later
         WHERE later.shop = given.shop AND later."coalesceKey" = given."coalesceKey")
     ), superseded AS (
       UPDATE "OutboxJob" o SET status = 'SUPERSEDED', "doneAt" = l.now
       FROM latest l CROSS JOIN LATERAL (
         SELECT ctid AS tid FROM "OutboxJob"
         WHERE shop = l.shop AND "coalesceKey" = l."coalesceKey" AND status = 'PENDING' OFFSET 0
       ) found
       WHERE o.ctid = found.tid
     )
     INSERT INTO "OutboxJob" (shop, kind, "coalesceKey", payload, status, attempts, "runAfter",
       "createdAt")
     SELECT shop, kind, "coalesceKey", payload, 'PENDING', 0, coalesce("runAfter", now), now
     FROM latest ORDER BY position`,
};

/**
 * Records jobs in the caller's transaction without a round trip of their own: whatever the
 * ledger writes of a webhook group announce (events, and the state jobs of tags and metafields)
 * leaves as one statement (see `outboxJobs`).
 */
export function enqueueAll(
  tx: Tx,
  jobs: readonly NewOutboxJob[],
  now: Date = new Date(),
): void {
  for (const job of jobs)
    tx.writeRow(outboxJobs, {
      shop: job.shop,
      kind: job.kind,
      coalesceKey: job.coalesceKey ?? null,
      payload: job.payload,
      runAfter: job.runAfter ?? null,
      now,
    });
}

export interface ClaimOptions {
  workerId: string;
  limit: number;
  /** At most this many of one shop's jobs, so one shop's backlog cannot fill the claim. */
  shopLimit?: number;
  /** Shops whose jobs this worker is still sending: their next ones wait for those. */
  skipShops?: readonly string[];
  now: Date;
  leaseMs?: number;
  maxAttempts?: number;
}

/**
 * Takes up to `limit` due jobs for this worker, oldest first: PENDING ones whose time has come,
 * and RUNNING ones whose lease has run out (their worker died between claim and completion, so
 * nothing it claimed is lost). `FOR UPDATE SKIP LOCKED` lets workers claim side by side without
 * waiting for or taking each other's jobs. A job is not claimed while an older one with its
 * coalesce key is pending or running, so two states of one thing never race to Shopify. A job
 * whose workers died `maxAttempts` times is made DEAD instead of being handed out again.
 * Candidates beyond a shop's `shopLimit` stay PENDING: they are locked only while this statement
 * runs.
 */
export async function claimJobs(
  sql: SqlDatabase,
  options: ClaimOptions,
): Promise<OutboxJob[]> {
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const maxAttempts = options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts;
  const leaseCutoff = new Date(options.now.getTime() - leaseMs);
  const rows = await sql.query<OutboxJob>(
    `WITH lost AS (
       SELECT id FROM "OutboxJob"
       WHERE status = 'RUNNING' AND "lockedAt" <= $3 AND attempts >= $5
       FOR UPDATE SKIP LOCKED
     ), buried AS (
       UPDATE "OutboxJob" SET status = 'DEAD', "doneAt" = $1, "lockedAt" = NULL, "lockedBy" = NULL,
         "lastError" = 'its worker (' || coalesce("lockedBy", 'unknown')
           || ') stopped before finishing it, ' || attempts || ' times'
       WHERE id IN (SELECT id FROM lost)
     ), candidates AS (
       SELECT c.id, c.shop FROM "OutboxJob" c
       WHERE ((c.status = 'PENDING' AND c."runAfter" <= $1)
           OR (c.status = 'RUNNING' AND c."lockedAt" <= $3 AND c.attempts < $5))
         AND NOT ($6::jsonb ? c.shop)
         AND NOT EXISTS (
           SELECT 1 FROM "OutboxJob" o
           WHERE c."coalesceKey" IS NOT NULL AND o.shop = c.shop
             AND o."coalesceKey" = c."coalesceKey" AND o.id < c.id
             AND o.status IN ('PENDING', 'RUNNING'))
       ORDER BY c.id
       LIMIT $4
       FOR UPDATE SKIP LOCKED
     ), picked AS (
       SELECT id FROM (
         SELECT id, row_number() OVER (PARTITION BY shop ORDER BY id) AS place FROM candidates
       ) ranked
       WHERE place <= $7
     )
     UPDATE "OutboxJob" SET status = 'RUNNING', "lockedAt" = $1, "lockedBy" = $2,
       attempts = attempts + 1
     WHERE id IN (SELECT id FROM picked)
     RETURNING id, shop, kind, "coalesceKey", payload, status, attempts, "runAfter", "lockedAt",
       "lockedBy", "lastError", "createdAt", "doneAt"`,
    [
      options.now,
      options.workerId,
      leaseCutoff,
      options.limit,
      maxAttempts,
      options.skipShops ?? [],
      options.shopLimit ?? options.limit,
    ],
  );
  return rows.sort((a, b) => a.id - b.id);
}

/** DONE. False when the claim was lost (the lease ran out and another worker took the job over). */
export async function completeJob(
  sql: SqlDatabase,
  job: ClaimedJob,
  now: Date,
): Promise<boolean> {
  const rows = await sql.query(
    `UPDATE "OutboxJob" SET status = 'DONE', "doneAt" = $3, "lockedAt" = NULL, "lockedBy" = NULL
     WHERE id = $1 AND status = 'RUNNING' AND attempts = $2
     RETURNING id`,
    [job.id, job.attempts, now],
  );
  return rows.length > 0;
}

/**
 * Exponential backoff with "equal jitter": half the delay is fixed and half random, so jobs that
 * failed together (a Shopify incident) come back spread out, and none comes back at once.
 */
export function retryDelayMs(
  attempts: number,
  random: () => number = Math.random,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): number {
  const ceiling = Math.min(
    policy.maxDelayMs,
    policy.baseDelayMs * 2 ** Math.max(0, attempts - 1),
  );
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export interface FailOptions {
  error: string;
  retryable: boolean;
  /** Shopify's own hint (a THROTTLED answer's restore time, Retry-After): waited at least. */
  retryAfterMs?: number;
  now: Date;
  random?: () => number;
  policy?: RetryPolicy;
}

export type FailOutcome =
  { status: "PENDING"; runAfter: Date } | { status: "DEAD" | "SUPERSEDED" };

/**
 * Records a failed attempt: DEAD when the error is not retryable or the attempts are used up,
 * otherwise PENDING again after the backoff, unless a newer job with the same coalesce key has
 * been enqueued meanwhile, which makes this one SUPERSEDED (the newer state is the one to send).
 * Null when the claim was lost.
 */
export async function failJob(
  sql: SqlDatabase,
  job: ClaimedJob,
  options: FailOptions,
): Promise<FailOutcome | null> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const dead = !options.retryable || job.attempts >= policy.maxAttempts;
  const delay = Math.max(
    retryDelayMs(job.attempts, options.random, policy),
    options.retryAfterMs ?? 0,
  );
  const rows = await sql.query<{ status: OutboxStatus; runAfter: Date }>(
    `UPDATE "OutboxJob" j SET status = d.next,
       "runAfter" = CASE WHEN d.next = 'PENDING' THEN $4::timestamp(3) ELSE j."runAfter" END,
       "doneAt" = CASE WHEN d.next = 'PENDING' THEN NULL ELSE $5::timestamp(3) END,
       "lastError" = $6, "lockedAt" = NULL, "lockedBy" = NULL
     FROM (
       SELECT CASE
         WHEN $3::boolean THEN 'DEAD'
         WHEN EXISTS (SELECT 1 FROM "OutboxJob" n
                      WHERE x."coalesceKey" IS NOT NULL AND n.shop = x.shop
                        AND n."coalesceKey" = x."coalesceKey" AND n.id > x.id) THEN 'SUPERSEDED'
         ELSE 'PENDING' END AS next
       FROM "OutboxJob" x WHERE x.id = $1
     ) d
     WHERE j.id = $1 AND j.status = 'RUNNING' AND j.attempts = $2
     RETURNING j.status, j."runAfter"`,
    [
      job.id,
      job.attempts,
      dead,
      new Date(options.now.getTime() + delay),
      options.now,
      options.error.slice(0, MAX_ERROR_LENGTH),
    ],
  );
  const row = rows[0];
  if (!row) return null;
  return row.status === "PENDING"
    ? { status: "PENDING", runAfter: row.runAfter }
    : { status: row.status === "DEAD" ? "DEAD" : "SUPERSEDED" };
}

/**
 * Gives a claimed job back untried: PENDING, without the attempt its claim counted, due again at
 * `runAfter` (a shop whose bucket is empty) or as it was (the worker ran short of its lease
 * before reaching it). Nothing was sent, so nothing moves it closer to DEAD.
 */
export async function releaseJob(
  sql: SqlDatabase,
  job: ClaimedJob,
  runAfter?: Date,
): Promise<boolean> {
  const rows = await sql.query(
    `UPDATE "OutboxJob" SET status = 'PENDING', attempts = attempts - 1, "lockedAt" = NULL,
       "lockedBy" = NULL, "runAfter" = coalesce($3::timestamp(3), "runAfter")
     WHERE id = $1 AND status = 'RUNNING' AND attempts = $2
     RETURNING id`,
    [job.id, job.attempts, runAfter ?? null],
  );
  return rows.length > 0;
}

export type RetryDeadResult =
  { ok: true } | { ok: false; reason: "NOT_FOUND" | "NOT_DEAD" | "SUPERSEDED" };

/**
 * The admin's retry button: a DEAD job of this shop becomes PENDING now with a fresh set of
 * attempts (its last error stays until the next one). When a newer job with its coalesce key
 * exists, sending this one would undo the newer state, so it becomes SUPERSEDED instead.
 */
export async function retryDeadJob(
  sql: SqlDatabase,
  job: { shop: string; id: number },
  now: Date = new Date(),
): Promise<RetryDeadResult> {
  const rows = await sql.query<{ status: OutboxStatus }>(
    `UPDATE "OutboxJob" j SET status = d.next, attempts = 0, "runAfter" = $3,
       "doneAt" = CASE WHEN d.next = 'PENDING' THEN NULL ELSE $3::timestamp(3) END
     FROM (
       SELECT CASE
         WHEN EXISTS (SELECT 1 FROM "OutboxJob" n
                      WHERE x."coalesceKey" IS NOT NULL AND n.shop = x.shop
                        AND n."coalesceKey" = x."coalesceKey" AND n.id > x.id) THEN 'SUPERSEDED'
         ELSE 'PENDING' END AS next
       FROM "OutboxJob" x WHERE x.id = $1
     ) d
     WHERE j.id = $1 AND j.shop = $2 AND j.status = 'DEAD'
     RETURNING j.status`,
    [job.id, job.shop, now],
  );
  const row = rows[0];
  if (row)
    return row.status === "PENDING"
      ? { ok: true }
      : { ok: false, reason: "SUPERSEDED" };
  const existing = await sql.query(
    `SELECT 1 FROM "OutboxJob" WHERE id = $1 AND shop = $2`,
    [job.id, job.shop],
  );
  return { ok: false, reason: existing.length > 0 ? "NOT_DEAD" : "NOT_FOUND" };
}

export interface DeadJob {
  id: number;
  shop: string;
  kind: string;
  coalesceKey: string | null;
  payload: unknown;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  doneAt: Date | null;
}

export interface OutboxHealth {
  counts: Record<OutboxStatus, number>;
  /** When the oldest job still waiting was enqueued: how far behind the worker is. */
  oldestPendingAt: Date | null;
  /** The latest dead jobs, newest first. */
  dead: DeadJob[];
}

/** Jobs by status and the latest dead ones with their errors, for one shop or all. */
export async function outboxHealth(
  sql: SqlDatabase,
  shop?: string,
  options: { deadLimit?: number } = {},
): Promise<OutboxHealth> {
  const groups = await sql.query<{
    status: string;
    count: number;
    oldest: Date | null;
  }>(
    `SELECT status, count(*)::int AS count, min("createdAt") AS oldest
     FROM "OutboxJob" WHERE $1::text IS NULL OR shop = $1
     GROUP BY status`,
    [shop ?? null],
  );
  const counts: Record<OutboxStatus, number> = {
    PENDING: 0,
    RUNNING: 0,
    DONE: 0,
    DEAD: 0,
    SUPERSEDED: 0,
  };
  let oldestPendingAt: Date | null = null;
  for (const group of groups) {
    const status = OUTBOX_STATUSES.find((known) => known === group.status);
    if (!status) continue;
    counts[status] = group.count;
    if (status === "PENDING") oldestPendingAt = group.oldest;
  }
  const dead = await sql.query<DeadJob>(
    `SELECT id, shop, kind, "coalesceKey", payload, attempts, "lastError", "createdAt", "doneAt"
     FROM "OutboxJob"
     WHERE status = 'DEAD' AND ($1::text IS NULL OR shop = $1)
     ORDER BY "doneAt" DESC NULLS LAST, id DESC
     LIMIT $2`,
    [shop ?? null, options.deadLimit ?? 20],
  );
  return { counts, oldestPendingAt, dead };
}
