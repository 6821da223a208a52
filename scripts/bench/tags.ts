// Tag propagation: tier changes recorded as CUSTOMER_TAGS jobs in the outbox, sent by the outbox
// worker to the simulator as Shopify, every shop behind its own cost bucket. Measures, per change,
// the time from its enqueue to the moment the simulator's customer carries the change's tier tag
// (or a later change's, when coalescing replaced it), the time until every tag is shown, and the
// THROTTLED answers on the way. The issue sets the target (p99 under 5 s where the bucket allows,
// no lost job); this prints what was measured and never fails on it.
//
// The enqueuers and the worker(s) run in this process, as the web process runs its in-process
// worker; the simulator runs in its own (see child.ts), so Shopify's side of the work is not
// counted as the app's. The app's modules read their environment when first imported, so this
// bench sets it up and imports them once; it runs once per process.
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { openDatabase, type Database } from "../../app/db/client.server";
import { DEFAULT_TIER_TAG_PREFIX, tierTag } from "../../app/loyalty/tiers";
import {
  customerTagsJob,
  type CustomerTagsPayload,
} from "../../app/services/customer-tags.server";
import type { OutboxHandlers } from "../../app/services/outbox-jobs.server";
import {
  outboxHandlers,
  startOutboxWorker,
  type OutboxWorker,
} from "../../app/services/outbox-worker.server";
import {
  enqueue,
  outboxHealth,
  type OutboxStatus,
} from "../../app/services/outbox.server";
import {
  AdminCostBudget,
  type AdminGraphqlApi,
} from "../../app/shopify/admin-client.server";
import { MUTATION_COST } from "../../simulator/cost";
import type { CustomerInput } from "../../simulator/state";
import { startChildServer, type ChildServer } from "./child";
import { formatMs, formatNumber, formatTable } from "./report";
import type { Bench, BenchResult, OptionValues, SummaryRow } from "./types";
import { useAppEnvironment } from "../lib/app-environment";
import { seededRandom } from "../lib/seeded-random";
import { positiveInteger } from "./options";
import { benchServer, withThrowawayDatabase } from "./postgres";

// Shopify's standard plan: 100 points/s restored (the issue's figure) into a 2,000-point bucket.
// Shopify doubled both in 2024 (from 50/s and 1,000): the throttleStatus it answers since reads
// maximumAvailable 2000 with restoreRate 100, and the simulator defaults to the same pair. The
// 1,000 that is also quoted is the most a single query may cost, not the bucket; `--bucket 1000`
// shows the older, tighter bucket.
const RESTORE_RATE = 100;
const DEFAULT_BUCKET = 2_000;

// What production runs: the in-process worker of app/jobs.server.ts polls every second when idle
// and claims again at once while batches come back full.
const WORKER_INTERVAL_MS = 1_000;

// Tier changes arrive from webhooks handled side by side; four writers keep PostgreSQL busy
// without taking the pool from the worker. A customer's changes always come from one writer, as
// the member's row lock orders them in the app, so its jobs' ids follow its changes.
const ENQUEUERS = 4;

const TIERS = ["bronze", "silver", "gold", "platinum"] as const;
type Tier = (typeof TIERS)[number];

// A tag the app did not write: the jobs must leave it where it is.
const FOREIGN_TAG = "vip";

// tagsAdd and tagsRemove, in one request, each a mutation the bucket charges MUTATION_COST for.
const POINTS_PER_JOB = 2 * MUTATION_COST;

interface Settings {
  changes: number;
  shops: number;
  workers: number[];
  bucket: number;
  maxSeconds: number;
  quick: boolean;
}

function settingsFrom(options: OptionValues): Settings {
  const quick = process.env.BENCH_QUICK === "1";
  const workers = String(options.workers ?? "1,2")
    .split(",")
    .map((part) => positiveInteger("workers", part.trim(), 0));
  return {
    // The quick run only proves the harness works end to end; its numbers mean little.
    changes: positiveInteger("changes", options.changes, quick ? 400 : 10_000),
    shops: positiveInteger("shops", options.shops, quick ? 4 : 100),
    workers,
    bucket: positiveInteger("bucket", options.bucket, DEFAULT_BUCKET),
    maxSeconds: positiveInteger(
      "max-seconds",
      options["max-seconds"],
      quick ? 120 : 600,
    ),
    quick,
  };
}

// ---------------------------------------------------------------------------------------------
// The simulator in its own process, driven through its control routes

interface RemoteSimulator {
  origin: string;
  child: ChildServer;
}

async function control(
  simulator: RemoteSimulator,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const response = await fetch(`${simulator.origin}/__simulator/${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(
      `simulator ${path}: ${response.status} ${await response.text()}`,
    );
  return response.json();
}

const shopCustomers = z.object({
  customers: z.array(
    z.object({ legacyId: z.number(), tags: z.array(z.string()) }),
  ),
});

const shopCalls = z.object({
  calls: z.array(
    z.object({
      status: z.number(),
      operationName: z.string().nullable(),
      response: z.unknown(),
    }),
  ),
});

// ---------------------------------------------------------------------------------------------
// The workload

interface BenchCustomer {
  shop: string;
  id: number;
  initial: Tier;
  foreignTag: boolean;
  /** The tier of its last change (its initial one when it has none). */
  final: Tier;
}

interface Change {
  shop: string;
  shopIndex: number;
  /** Index into the workload's customers. */
  customer: number;
  to: Tier;
  payload: CustomerTagsPayload;
}

interface Workload {
  shops: string[];
  customers: BenchCustomer[];
  changes: Change[];
  customersPerShop: number;
  /** The most changes any one shop gets. */
  busiestShop: number;
}

const shopName = (index: number) => `bench-tags-${index + 1}.myshopify.com`;
const tagOf = (tier: Tier) => tierTag(DEFAULT_TIER_TAG_PREFIX, tier);

/**
 * Customers start in a tier; each change moves one to another tier, as reviewMemberTier does:
 * add the new tier's tag, remove every other tier's. About two changes per customer on average,
 * so many customers change several times (coalescing shows) and some not at all.
 */
function buildWorkload(settings: Settings): Workload {
  const random = seededRandom(20_261_201);
  const pick = <T>(values: readonly T[]): T => {
    const value = values[Math.floor(random() * values.length)];
    if (value === undefined) throw new Error("pick from an empty list");
    return value;
  };
  const shops = Array.from({ length: settings.shops }, (_, index) =>
    shopName(index),
  );
  const customersPerShop = Math.max(
    2,
    Math.ceil(settings.changes / settings.shops / 2),
  );
  const customers: BenchCustomer[] = [];
  for (const [shopIndex, shop] of shops.entries()) {
    for (let index = 0; index < customersPerShop; index += 1) {
      const initial = pick(TIERS);
      customers.push({
        shop,
        // Unique across shops, so an id in a log names one customer.
        id: 1_000_000 + shopIndex * 100_000 + index,
        initial,
        foreignTag: random() < 0.2,
        final: initial,
      });
    }
  }
  const perShop = new Array<number>(settings.shops).fill(0);
  const changes: Change[] = [];
  for (let index = 0; index < settings.changes; index += 1) {
    const shopIndex = Math.floor(random() * settings.shops);
    const customerIndex =
      shopIndex * customersPerShop + Math.floor(random() * customersPerShop);
    const customer = customers[customerIndex];
    if (!customer) throw new Error(`no customer ${customerIndex}`);
    const to = pick(TIERS.filter((tier) => tier !== customer.final));
    customer.final = to;
    perShop[shopIndex] = (perShop[shopIndex] ?? 0) + 1;
    changes.push({
      shop: customer.shop,
      shopIndex,
      customer: customerIndex,
      to,
      payload: {
        customerId: String(customer.id),
        add: [tagOf(to)],
        remove: TIERS.filter((tier) => tier !== to).map(tagOf),
      },
    });
  }
  return {
    shops,
    customers,
    changes,
    customersPerShop,
    busiestShop: Math.max(...perShop),
  };
}

// ---------------------------------------------------------------------------------------------
// One run: a fresh outbox and simulator, the changes enqueued, the worker(s) until all is sent

interface Context {
  database: Database;
  simulator: RemoteSimulator;
  adminFor: (shop: string) => Promise<AdminGraphqlApi>;
  workload: Workload;
  settings: Settings;
  /** performance.now() after which the bench stops where it is. */
  deadline: number;
}

interface CaseResult {
  workers: number;
  enqueued: number;
  shown: number;
  enqueueMs: number;
  /** From the first enqueue to the last change shown at the simulator. */
  totalMs: number;
  /** From the first enqueue until the outbox was empty or the time bound stopped the run. */
  elapsedMs: number;
  /** Per change shown, ascending (ms). */
  latencies: Float64Array;
  counts: Record<OutboxStatus, number>;
  /** Jobs that failed at least once and were tried again. */
  retried: number;
  firstDeadError?: string;
  throttled: number;
  tagRequests: number;
  non2xx: number;
  customersChecked: number;
  mismatched: number;
  firstMismatch?: string;
  stoppedByTime: boolean;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil(fraction * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? 0;
}

const throttledAnswer = z.object({
  errors: z
    .array(
      z.object({
        extensions: z
          .object({ code: z.string().optional() })
          .loose()
          .optional(),
      }),
    )
    .refine((errors) =>
      errors.some((error) => error.extensions?.code === "THROTTLED"),
    ),
});

/** The run's length: until the last change was shown, or until the time bound stopped it. */
function runMs(result: CaseResult): number {
  return result.stoppedByTime ? result.elapsedMs : result.totalMs;
}

function workersLabel(workers: number): string {
  return `${workers} worker${workers === 1 ? "" : "s"}`;
}

async function resetShops(context: Context): Promise<void> {
  const { simulator, database, workload } = context;
  // Data, calls and buckets go; the shops and their tokens stay registered.
  await control(simulator, "reset", {});
  await database.sql.query(`DELETE FROM "OutboxJob"`);
  const batch = 50;
  for (let first = 0; first < workload.customers.length; first += batch)
    await Promise.all(
      workload.customers.slice(first, first + batch).map((customer) => {
        const input: CustomerInput = {
          id: customer.id,
          email: `customer${customer.id}@example.com`,
          tags: [
            tagOf(customer.initial),
            ...(customer.foreignTag ? [FOREIGN_TAG] : []),
          ],
        };
        return control(simulator, "customers", {
          shop: customer.shop,
          customer: input,
        });
      }),
    );
}

async function runCase(context: Context, workers: number): Promise<CaseResult> {
  const { database, simulator, workload } = context;
  const { changes } = workload;
  await resetShops(context);

  // When each job's tags were in place at the simulator: the handler returns once Shopify has
  // answered its last mutation, so the customer shows the job's tags from then on.
  const shownAt = new Map<number, number>();
  const send = outboxHandlers.CUSTOMER_TAGS;
  if (!send) throw new Error("the app has no CUSTOMER_TAGS handler");
  const handlers: OutboxHandlers = {
    ...outboxHandlers,
    CUSTOMER_TAGS: async (admin, payload, job) => {
      await send(admin, payload, job);
      if (!shownAt.has(job.id)) shownAt.set(job.id, performance.now());
    },
  };

  const running: OutboxWorker[] = Array.from({ length: workers }, (_, index) =>
    startOutboxWorker({
      sql: database.sql,
      adminFor: context.adminFor,
      handlers,
      workerId: `bench-tags-${workers}w-${index + 1}`,
      // Its own estimate per worker: several workers are several processes in production, and
      // none sees what the others spend until Shopify's answers say.
      budget: new AdminCostBudget(),
      intervalMs: WORKER_INTERVAL_MS,
    }),
  );

  const jobIds = new Float64Array(changes.length).fill(Number.NaN);
  const enqueuedAt = new Float64Array(changes.length).fill(Number.NaN);
  let enqueued = 0;
  let stoppedByTime = false;
  const started = performance.now();
  let enqueueMs = 0;
  try {
    const writer = async (shard: number) => {
      for (const [index, change] of changes.entries()) {
        if (change.shopIndex % ENQUEUERS !== shard) continue;
        if (performance.now() >= context.deadline) {
          stoppedByTime = true;
          return;
        }
        // Taken before the transaction: the job can be claimed the moment it commits.
        const at = performance.now();
        const { id } = await database.sql.transaction((tx) =>
          enqueue(tx, customerTagsJob(change.shop, change.payload)),
        );
        jobIds[index] = id;
        enqueuedAt[index] = at;
        enqueued += 1;
      }
    };
    await Promise.all(
      Array.from(
        { length: Math.min(ENQUEUERS, workload.shops.length) },
        (_, shard) => writer(shard),
      ),
    );
    enqueueMs = performance.now() - started;

    let progressAt = performance.now();
    for (;;) {
      const { counts } = await outboxHealth(database.sql, undefined, {
        deadLimit: 0,
      });
      if (counts.PENDING + counts.RUNNING === 0) break;
      const now = performance.now();
      if (now >= context.deadline) {
        stoppedByTime = true;
        break;
      }
      if (now - progressAt >= 15_000) {
        progressAt = now;
        console.log(
          `  ${workersLabel(workers)}: ${formatNumber((now - started) / 1000, 0)} s · ${formatNumber(counts.DONE)} jobs done, ${formatNumber(counts.SUPERSEDED)} superseded, ${formatNumber(counts.PENDING + counts.RUNNING)} waiting`,
        );
      }
      await sleep(100);
    }
  } finally {
    // Each finishes the batch in hand, so no job is left RUNNING behind the measurement.
    await Promise.all(running.map((worker) => worker.stop()));
  }
  const elapsedMs = performance.now() - started;

  // Per change: the first job at or after its own for the same customer that reached the
  // simulator. A customer's jobs run one at a time in id order, so that job carried this change's
  // tags or a later change's, which replaced them.
  const completions = new Map<number, { id: number; at: number }[]>();
  for (const [index, change] of changes.entries()) {
    const id = jobIds[index];
    if (id === undefined || Number.isNaN(id)) continue;
    const at = shownAt.get(id);
    if (at === undefined) continue;
    const list = completions.get(change.customer) ?? [];
    list.push({ id, at });
    completions.set(change.customer, list);
  }
  for (const list of completions.values()) list.sort((a, b) => a.id - b.id);
  const latencies: number[] = [];
  let lastShown = started;
  for (const [index, change] of changes.entries()) {
    const id = jobIds[index];
    const from = enqueuedAt[index];
    if (id === undefined || from === undefined || Number.isNaN(id)) continue;
    const shown = completions
      .get(change.customer)
      ?.find((completion) => completion.id >= id);
    if (!shown) continue;
    latencies.push(shown.at - from);
    if (shown.at > lastShown) lastShown = shown.at;
  }

  const health = await outboxHealth(database.sql, undefined, { deadLimit: 1 });
  const [retriedRow] = await database.sql.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM "OutboxJob" WHERE "lastError" IS NOT NULL`,
  );

  let throttled = 0;
  let tagRequests = 0;
  let non2xx = 0;
  const tagsByCustomer = new Map<number, string[]>();
  for (const shop of workload.shops) {
    const { calls } = shopCalls.parse(
      await control(simulator, `calls?shop=${encodeURIComponent(shop)}`),
    );
    for (const call of calls) {
      if (call.status !== 200) non2xx += 1;
      if (throttledAnswer.safeParse(call.response).success) throttled += 1;
      else if (/^LoyaltyCustomerT(ags|ierTags)/.test(call.operationName ?? ""))
        tagRequests += 1;
    }
    const { customers } = shopCustomers.parse(
      await control(simulator, `state?shop=${encodeURIComponent(shop)}`),
    );
    for (const customer of customers)
      tagsByCustomer.set(customer.legacyId, customer.tags);
  }

  // What each customer should show: its last enqueued change (a customer's changes are enqueued
  // in order, so a run stopped by the time bound has enqueued a prefix of them).
  const expectedTier = workload.customers.map((customer) => customer.initial);
  for (const [index, change] of changes.entries())
    if (!Number.isNaN(jobIds[index])) expectedTier[change.customer] = change.to;

  // The simulator's state, customer by customer: exactly the tier tag of the last change, and the
  // tag the app did not write still there.
  let mismatched = 0;
  let firstMismatch: string | undefined;
  for (const [index, customer] of workload.customers.entries()) {
    const tags = tagsByCustomer.get(customer.id) ?? [];
    const tierTags = tags.filter((tag) =>
      tag.startsWith(DEFAULT_TIER_TAG_PREFIX),
    );
    const expected = tagOf(expectedTier[index] ?? customer.final);
    const ok =
      tierTags.length === 1 &&
      tierTags[0] === expected &&
      tags.includes(FOREIGN_TAG) === customer.foreignTag;
    if (ok) continue;
    mismatched += 1;
    firstMismatch ??= `${customer.shop} customer ${customer.id}: expected ${expected}${customer.foreignTag ? ` and ${FOREIGN_TAG}` : ""}, has [${tags.join(", ")}]`;
  }

  return {
    workers,
    enqueued,
    shown: latencies.length,
    enqueueMs,
    totalMs: lastShown - started,
    elapsedMs,
    latencies: Float64Array.from(latencies).sort(),
    counts: health.counts,
    retried: retriedRow?.count ?? 0,
    firstDeadError: health.dead[0]?.lastError ?? undefined,
    throttled,
    tagRequests,
    non2xx,
    customersChecked: workload.customers.length,
    mismatched,
    firstMismatch,
    stoppedByTime,
  };
}

// ---------------------------------------------------------------------------------------------
// Reporting

function describe(result: CaseResult, total: number): string {
  const { counts } = result;
  const parts = [
    `${workersLabel(result.workers)}: ${formatNumber(result.enqueued)}/${formatNumber(total)} changes enqueued in ${formatNumber(result.enqueueMs / 1000, 1)} s`,
    result.stoppedByTime
      ? `${formatNumber(result.shown)} shown when stopped after ${formatNumber(result.elapsedMs / 1000, 1)} s`
      : `all shown at the simulator after ${formatNumber(result.totalMs / 1000, 1)} s`,
    `p50 ${formatMs(percentile(result.latencies, 0.5))} p99 ${formatMs(percentile(result.latencies, 0.99))} max ${formatMs(percentile(result.latencies, 1))} ms`,
    `jobs ${formatNumber(counts.DONE)} done, ${formatNumber(counts.SUPERSEDED)} superseded, ${formatNumber(counts.DEAD)} dead, ${formatNumber(counts.PENDING + counts.RUNNING)} unfinished`,
    `${formatNumber(result.tagRequests)} tag requests, ${formatNumber(result.throttled)} THROTTLED, ${formatNumber(result.retried)} jobs retried`,
  ];
  if (result.stoppedByTime) parts.push("stopped by the time bound");
  return `  ${parts.join(" · ")}`;
}

function printResults(
  results: CaseResult[],
  workload: Workload,
  settings: Settings,
): void {
  const rows = results.map((result) => [
    workersLabel(result.workers),
    formatNumber(result.enqueued),
    formatNumber(result.counts.DONE),
    formatNumber(result.counts.SUPERSEDED),
    formatNumber(runMs(result) / 1000, 1),
    formatNumber(result.shown / Math.max(0.001, runMs(result) / 1000)),
    formatMs(percentile(result.latencies, 0.5)),
    formatMs(percentile(result.latencies, 0.99)),
    formatMs(percentile(result.latencies, 1)),
    formatNumber(result.throttled),
    formatNumber(result.retried),
    formatNumber(result.counts.DEAD),
    formatNumber(result.counts.PENDING + result.counts.RUNNING),
    `${formatNumber(result.customersChecked - result.mismatched)}/${formatNumber(result.customersChecked)}`,
  ]);
  console.log("");
  console.log(
    formatTable(
      [
        { title: "workers" },
        { title: "changes", align: "right" },
        { title: "jobs sent", align: "right" },
        { title: "superseded", align: "right" },
        { title: "total s", align: "right" },
        { title: "changes/s", align: "right" },
        { title: "p50 ms", align: "right" },
        { title: "p99 ms", align: "right" },
        { title: "max ms", align: "right" },
        { title: "THROTTLED", align: "right" },
        { title: "retried", align: "right" },
        { title: "dead", align: "right" },
        { title: "unfinished", align: "right" },
        { title: "tags right", align: "right" },
      ],
      rows,
    ),
  );
  console.log("");
  // The bucket's own floor: the busiest shop's changes, every one sent (no coalescing), cannot
  // all be at Shopify before the points they cost have been restored beyond a full bucket.
  const demand = workload.busiestShop * POINTS_PER_JOB;
  const floorSeconds = Math.max(0, demand - settings.bucket) / RESTORE_RATE;
  console.log(
    `  bucket: ${formatNumber(settings.bucket)} points, ${RESTORE_RATE}/s per shop; the busiest shop's ${formatNumber(workload.busiestShop)} changes cost ${formatNumber(demand)} points sent one by one, ` +
      (floorSeconds > 0
        ? `so ${formatNumber(floorSeconds, 1)} s at least without coalescing`
        : "within one full bucket: the bucket allows them all at once"),
  );
  console.log(
    "  target: p99 < 5 s per change where the bucket allows, 0 lost jobs",
  );
  for (const result of results) {
    const lost =
      result.counts.DEAD + result.counts.PENDING + result.counts.RUNNING;
    const p99 =
      result.shown > 0
        ? `p99 ${formatNumber(percentile(result.latencies, 0.99) / 1000, 2)} s`
        : "no change shown";
    console.log(
      `  ${workersLabel(result.workers)}: ${p99}, ${formatNumber(lost)} jobs dead or unfinished, ${result.mismatched === 0 ? "every customer shows exactly its last tier tag" : `${formatNumber(result.mismatched)} customers with the wrong tags (first: ${result.firstMismatch ?? "?"})`}` +
        (result.firstDeadError
          ? ` · a dead job's error: ${result.firstDeadError}`
          : "") +
        (result.stoppedByTime ? " (stopped by the time bound)" : ""),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Running

async function runTagBench(options: OptionValues): Promise<BenchResult> {
  const settings = settingsFrom(options);
  const server = await benchServer();
  if (!("adminUrl" in server)) return server;
  if (globalThis.loyaltyDatabase)
    throw new Error(
      "the app's database is already open in this process; the tags bench needs its own",
    );

  const benchStarted = performance.now();
  const deadline = benchStarted + settings.maxSeconds * 1000;
  const workload = buildWorkload(settings);
  console.log(
    `  ${formatNumber(settings.changes)} tier changes over ${formatNumber(settings.shops)} shops × ${formatNumber(workload.customersPerShop)} customers, workers ${settings.workers.join(", ")}, bucket ${formatNumber(settings.bucket)} restoring ${RESTORE_RATE}/s, at most ${settings.maxSeconds} s${settings.quick ? " (BENCH_QUICK)" : ""}`,
  );

  let restoreEnvironment: (() => void) | undefined;
  try {
    return await withThrowawayDatabase(
      server.adminUrl,
      "loyalty_bench_tags",
      async (throwaway) => {
        const database = await openDatabase({ url: throwaway.url });
        throwaway.beforeDrop(async () => {
          await database.close();
          globalThis.loyaltyDatabase = undefined;
        });
        const child = await startChildServer(
          "../../simulator/main.ts",
          {
            SIMULATOR_PORT: "0",
            SIMULATOR_BUCKET_SIZE: String(settings.bucket),
            SIMULATOR_RESTORE_RATE: String(RESTORE_RATE),
          },
          { readyLine: /^Shopify simulator listening on (http:\/\/\S+)$/m },
        );
        throwaway.beforeDrop(() => child.stop());
        const simulator: RemoteSimulator = { origin: child.url, child };
        restoreEnvironment = useAppEnvironment({
          apiKey: "loyalty-bench-api-key",
          apiSecret: "loyalty-bench-api-secret",
          adminApiOrigin: simulator.origin,
          scopes: "read_customers,write_customers",
        });
        globalThis.loyaltyDatabase = Promise.resolve(database);
        // Only now: these read the environment and open the database when first imported.
        const { unauthenticated } = await import("../../app/shopify.server");
        const { registerLocalShop } = await import("../lib/register-shop");

        const registering = performance.now();
        // A few at a time: each is a session row, a simulator call and a shop query.
        for (let first = 0; first < workload.shops.length; first += 10)
          await Promise.all(
            workload.shops.slice(first, first + 10).map((shop, offset) =>
              registerLocalShop({
                shop,
                accessToken: `shpat_bench_tags_${first + offset + 1}`,
              }),
            ),
          );
        console.log(
          `  registered ${formatNumber(workload.shops.length)} shops in ${formatNumber((performance.now() - registering) / 1000, 1)} s; simulator at ${simulator.origin}`,
        );

        const context: Context = {
          database,
          simulator,
          adminFor: async (shop) => (await unauthenticated.admin(shop)).admin,
          workload,
          settings,
          deadline,
        };
        const results: CaseResult[] = [];
        for (const workers of settings.workers) {
          if (performance.now() >= deadline) {
            console.log(
              `  ${workersLabel(workers)}: not run, the ${settings.maxSeconds} s bound was reached`,
            );
            continue;
          }
          const result = await runCase(context, workers);
          console.log(describe(result, settings.changes));
          results.push(result);
        }

        printResults(results, workload, settings);
        return {
          status: "ran",
          rows: results.map((result): SummaryRow => {
            const lost =
              result.counts.DEAD +
              result.counts.PENDING +
              result.counts.RUNNING;
            return {
              case: `${workersLabel(result.workers)}, bucket ${formatNumber(settings.bucket)}`,
              requests: result.shown,
              perSecond: result.shown / Math.max(0.001, runMs(result) / 1000),
              p50Ms: percentile(result.latencies, 0.5),
              p99Ms: percentile(result.latencies, 0.99),
              maxMs: percentile(result.latencies, 1),
              non2xx: result.non2xx,
              note:
                `${formatNumber(result.throttled)} THROTTLED · ${formatNumber(lost)} dead/unfinished · ` +
                `tags ${formatNumber(result.customersChecked - result.mismatched)}/${formatNumber(result.customersChecked)}` +
                (result.stoppedByTime ? " · time bound" : ""),
            };
          }),
        };
      },
    );
  } finally {
    // After the drop: the pool's end resolves before its connections have gone, and the forced
    // drop may cut one on its way out, which the app logs as a lost connection unless its logging
    // is still quiet.
    restoreEnvironment?.();
  }
}

export const tagBench: Bench = {
  name: "tags",
  description:
    "tier changes through the outbox to the simulator's customers, 100 points/s buckets",
  options: {
    changes: { type: "string" },
    shops: { type: "string" },
    workers: { type: "string" },
    bucket: { type: "string" },
    "max-seconds": { type: "string" },
  },
  run: runTagBench,
};
