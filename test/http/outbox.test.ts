import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  vi,
} from "vitest";
import {
  customerTagsJob,
  sendCustomerTags,
  type CustomerTagsPayload,
} from "~/services/customer-tags.server";
import {
  outboxHandlers,
  runOutboxOnce,
  startOutboxWorker,
  type OutboxWorkerOptions,
} from "~/services/outbox-worker.server";
import {
  claimJobs,
  completeJob,
  DEFAULT_LEASE_MS,
  enqueue,
  enqueueAll,
  failJob,
  outboxHealth,
  retryDeadJob,
  retryDelayMs,
  type NewOutboxJob,
} from "~/services/outbox.server";
import {
  AdminCostBudget,
  AdminThrottledError,
  AdminUnavailableError,
  createAdminClient,
  type AdminGraphqlApi,
} from "~/shopify/admin-client.server";
import {
  CUSTOMER_TAGS_ADD_MUTATION,
  CUSTOMER_TIER_TAGS_MUTATION,
} from "~/shopify/admin-operations";
import type { Fault } from "../../simulator/faults";
import { startShopifySimulator, type Simulator } from "../../simulator/server";
import { registerLocalShop } from "../../scripts/lib/register-shop";
import { testApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";

// The outbox against a real database (PGlite, or PostgreSQL when DATABASE_URL is set) and the
// simulator as Shopify, through the library's own Admin client. No app server: the worker is
// called directly, on a fake clock that the simulator's rate-limit bucket shares.

const BUCKET_SIZE = 60;
const RESTORE_RATE = 10;

let db: TestDatabase;
let simulator: Simulator;
let unauthenticated: typeof import("~/shopify.server").unauthenticated;

/** The fake clock: `sleep` moves it (and the simulator's bucket refills accordingly). */
const sleeps: number[] = [];
const clock = {
  ms: Date.parse("2026-12-01T09:00:00.000Z"),
  sleeps,
  now: () => new Date(clock.ms),
  advance(ms: number) {
    clock.ms += ms;
  },
  async sleep(ms: number) {
    clock.sleeps.push(ms);
    clock.ms += ms;
  },
};

const SHOPS = {
  main: "outbox-main.myshopify.com",
  other: "outbox-other.myshopify.com",
  race: "outbox-race.myshopify.com",
};

beforeAll(async () => {
  db = await createTestDatabase();
  simulator = await startShopifySimulator({
    now: () => clock.ms,
    bucketSize: BUCKET_SIZE,
    restoreRate: RESTORE_RATE,
  });
  // The app's environment as the test server would set it, without serving anything.
  Object.assign(process.env, {
    NODE_ENV: "test",
    LOYALTY_LOG: process.env.LOYALTY_LOG ?? "silent",
    SHOPIFY_API_KEY: testApp.apiKey,
    SHOPIFY_API_SECRET: testApp.apiSecret,
    SHOPIFY_APP_URL: "http://127.0.0.1:9",
    SCOPES: "read_customers,write_customers",
    SHOPIFY_ADMIN_API_ORIGIN: simulator.origin,
  });
  globalThis.loyaltyDatabase = Promise.resolve(db);
  ({ unauthenticated } = await import("~/shopify.server"));
  for (const [name, shop] of Object.entries(SHOPS))
    await registerLocalShop({ shop, accessToken: `shpat_outbox_${name}` });
});
afterAll(async () => {
  await simulator?.close();
  await db?.destroy();
});

let budget: AdminCostBudget;
beforeEach(async () => {
  simulator.reset();
  budget = new AdminCostBudget();
  sleeps.length = 0;
  await db.sql.query(`DELETE FROM "OutboxJob"`);
});

const libraryAdmin = async (shop: string): Promise<AdminGraphqlApi> =>
  (await unauthenticated.admin(shop)).admin;

function worker(overrides: Partial<OutboxWorkerOptions> = {}) {
  return runOutboxOnce({
    sql: db.sql,
    adminFor: libraryAdmin,
    handlers: outboxHandlers,
    workerId: "worker-a",
    now: clock.now,
    sleep: (ms) => clock.sleep(ms),
    random: () => 0.5,
    budget,
    ...overrides,
  });
}

function tags(
  customerId: number,
  add: string[],
  remove: string[] = [],
): CustomerTagsPayload {
  return { customerId: String(customerId), add, remove };
}

async function enqueueCommitted(job: NewOutboxJob) {
  return db.sql.transaction((tx) => enqueue(tx, job, clock.now()));
}

interface JobRow {
  id: number;
  kind: string;
  coalesceKey: string | null;
  status: string;
  attempts: number;
  runAfter: Date;
  lockedBy: string | null;
  lastError: string | null;
  payload: unknown;
}

const jobsOf = (shop: string) =>
  db.sql.query<JobRow>(
    `SELECT id, kind, "coalesceKey", status, attempts, "runAfter", "lockedBy", "lastError", payload
     FROM "OutboxJob" WHERE shop = $1 ORDER BY id`,
    [shop],
  );

const customerTags = (shop: string, id: number) =>
  simulator.state.require(shop).customers.get(`gid://shopify/Customer/${id}`)
    ?.tags;

/**
 * The tag changes Shopify executed (faults left out), as [field, tags], in order: a tier change's
 * one request counts as its tagsAdd then its tagsRemove.
 */
const tagCalls = (shop: string) =>
  tagRequests(shop).flatMap((call) =>
    call.operationName === "LoyaltyCustomerTierTags"
      ? [
          ["tagsAdd", call.variables.add],
          ["tagsRemove", call.variables.remove],
        ]
      : [
          [
            call.operationName === "LoyaltyCustomerTagsAdd"
              ? "tagsAdd"
              : "tagsRemove",
            call.variables.tags,
          ],
        ],
  );

const tagRequests = (shop: string) =>
  simulator.calls.filter(
    (call) =>
      call.shop === shop &&
      call.fault === null &&
      /^LoyaltyCustomerT(ags|ierTags)/.test(call.operationName ?? ""),
  );

describe("enqueueing", () => {
  it("writes the job with the transaction it belongs to, and not without it", async () => {
    const job = customerTagsJob(SHOPS.main, tags(701, ["loyalty-tier:gold"]));
    await expect(
      db.sql.transaction(async (tx) => {
        await enqueue(tx, job, clock.now());
        throw new Error("the ledger write failed");
      }),
    ).rejects.toThrow("the ledger write failed");
    expect(await jobsOf(SHOPS.main)).toEqual([]);

    await enqueueCommitted(job);
    expect(await jobsOf(SHOPS.main)).toMatchObject([
      {
        kind: "CUSTOMER_TAGS",
        status: "PENDING",
        attempts: 0,
        runAfter: clock.now(),
        payload: { customerId: "701", add: ["loyalty-tier:gold"], remove: [] },
      },
    ]);
  });
});

describe("coalescing", () => {
  it("sends only the latest of several tag jobs for one customer", async () => {
    simulator.addCustomer(SHOPS.main, { id: 701, tags: ["vip"] });
    simulator.addCustomer(SHOPS.main, { id: 702 });
    const bronze = "loyalty-tier:bronze";
    const silver = "loyalty-tier:silver";
    const gold = "loyalty-tier:gold";
    const superseded = [];
    for (const payload of [
      tags(701, [bronze], [silver, gold]),
      tags(701, [silver], [bronze, gold]),
      tags(701, [gold], [bronze, silver]),
      tags(702, [bronze], [silver, gold]),
    ])
      superseded.push(
        (await enqueueCommitted(customerTagsJob(SHOPS.main, payload)))
          .superseded,
      );
    expect(superseded).toEqual([0, 1, 1, 0]);

    const report = await worker();

    expect(report).toMatchObject({ claimed: 2, done: 2, retrying: 0 });
    expect((await jobsOf(SHOPS.main)).map((job) => job.status)).toEqual([
      "SUPERSEDED",
      "SUPERSEDED",
      "DONE",
      "DONE",
    ]);
    expect(tagCalls(SHOPS.main)).toEqual([
      ["tagsAdd", [gold]],
      ["tagsRemove", [bronze, silver]],
      ["tagsAdd", [bronze]],
      ["tagsRemove", [silver, gold]],
    ]);
    expect(customerTags(SHOPS.main, 701)).toEqual([gold, "vip"]);
    expect(customerTags(SHOPS.main, 702)).toEqual([bronze]);
  });

  it("jobs recorded together in one statement coalesce as if recorded one after another", async () => {
    simulator.addCustomer(SHOPS.main, { id: 704 });
    simulator.addCustomer(SHOPS.main, { id: 705 });
    const bronze = "loyalty-tier:bronze";
    const silver = "loyalty-tier:silver";
    const gold = "loyalty-tier:gold";
    await enqueueCommitted(customerTagsJob(SHOPS.main, tags(704, [bronze])));

    await db.sql.transaction(async (tx) =>
      enqueueAll(
        tx,
        [
          customerTagsJob(SHOPS.main, tags(704, [silver], [bronze])),
          customerTagsJob(SHOPS.main, tags(705, [bronze])),
          customerTagsJob(SHOPS.main, tags(704, [gold], [bronze, silver])),
        ],
        clock.now(),
      ),
    );

    expect(await worker()).toMatchObject({ claimed: 2, done: 2 });
    expect((await jobsOf(SHOPS.main)).map((job) => job.status)).toEqual([
      "SUPERSEDED",
      "DONE",
      "DONE",
    ]);
    expect(customerTags(SHOPS.main, 704)).toEqual([gold]);
    expect(customerTags(SHOPS.main, 705)).toEqual([bronze]);
    expect(tagCalls(SHOPS.main)).toEqual([
      ["tagsAdd", [bronze]],
      ["tagsAdd", [gold]],
      ["tagsRemove", [bronze, silver]],
    ]);
  });

  it("jobs of several calls in one transaction coalesce as one call's would: per shop and key only the last is kept", async () => {
    const [here, there] = [
      "outbox-calls-a.myshopify.com",
      "outbox-calls-b.myshopify.com",
    ];
    await enqueueCommitted(customerTagsJob(here, tags(706, ["bronze"])));

    await db.sql.transaction(async (tx) => {
      enqueueAll(
        tx,
        [customerTagsJob(here, tags(706, ["silver"]))],
        clock.now(),
      );
      enqueueAll(
        tx,
        [customerTagsJob(there, tags(706, ["silver"]))],
        clock.now(),
      );
      enqueueAll(tx, [customerTagsJob(here, tags(706, ["gold"]))], clock.now());
    });

    const statesOf = async (shop: string) =>
      (await jobsOf(shop)).map((job) => [job.status, job.payload]);
    expect(await statesOf(here)).toEqual([
      ["SUPERSEDED", tags(706, ["bronze"])],
      ["PENDING", tags(706, ["gold"])],
    ]);
    expect(await statesOf(there)).toEqual([["PENDING", tags(706, ["silver"])]]);
  });

  it("holds a newer state back while an older one is on its way, and drops an older one that fails", async () => {
    simulator.addCustomer(SHOPS.main, { id: 703 });
    // GIVEN a job for the customer claimed by one worker (being sent)
    await enqueueCommitted(
      customerTagsJob(SHOPS.main, tags(703, ["loyalty-tier:silver"])),
    );
    const [sending] = await claimJobs(db.sql, {
      workerId: "worker-a",
      limit: 10,
      now: clock.now(),
    });
    if (!sending) throw new Error("nothing claimed");
    // WHEN a newer state is enqueued meanwhile, it does not supersede the running job…
    const newer = await enqueueCommitted(
      customerTagsJob(
        SHOPS.main,
        tags(703, ["loyalty-tier:gold"], ["loyalty-tier:silver"]),
      ),
    );
    expect(newer.superseded).toBe(0);
    // …and no worker may send it before the older one is finished, or the two could cross.
    expect(
      await claimJobs(db.sql, {
        workerId: "worker-b",
        limit: 10,
        now: clock.now(),
      }),
    ).toEqual([]);
    expect(await completeJob(db.sql, sending, clock.now())).toBe(true);
    expect(await worker()).toMatchObject({ claimed: 1, done: 1 });
    expect(customerTags(SHOPS.main, 703)).toEqual(["loyalty-tier:gold"]);

    // GIVEN another change being sent, and a newer one enqueued meanwhile
    await enqueueCommitted(
      customerTagsJob(
        SHOPS.main,
        tags(703, ["loyalty-tier:bronze"], ["loyalty-tier:gold"]),
      ),
    );
    const [failing] = await claimJobs(db.sql, {
      workerId: "worker-a",
      limit: 10,
      now: clock.now(),
    });
    if (!failing) throw new Error("nothing claimed");
    await enqueueCommitted(
      customerTagsJob(
        SHOPS.main,
        tags(703, ["loyalty-tier:platinum"], ["loyalty-tier:gold"]),
      ),
    );
    // WHEN the older one fails, it is not retried: the newer state is what must reach Shopify
    expect(
      await failJob(db.sql, failing, {
        error: "HTTP 502",
        retryable: true,
        now: clock.now(),
      }),
    ).toEqual({ status: "SUPERSEDED" });
    expect(await worker()).toMatchObject({ claimed: 1, done: 1 });
    expect(customerTags(SHOPS.main, 703)).toEqual(["loyalty-tier:platinum"]);
  });
});

describe("retries", () => {
  it("backs off on THROTTLED, a 502 and a dropped connection, and ends with exactly the right tags", async () => {
    simulator.addCustomer(SHOPS.main, {
      id: 704,
      tags: ["vip", "loyalty-tier:bronze"],
    });
    const { id } = await enqueueCommitted(
      customerTagsJob(
        SHOPS.main,
        tags(704, ["loyalty-tier:silver"], ["loyalty-tier:bronze"]),
      ),
    );
    // The connection drops on tagsRemove, after tagsAdd succeeded, when the test asks for it.
    let dropNextAnswer = false;
    const adminFor = async (shop: string): Promise<AdminGraphqlApi> => {
      const admin = await libraryAdmin(shop);
      return {
        graphql(query, options) {
          if (dropNextAnswer && query.includes("LoyaltyCustomerTierTags")) {
            dropNextAnswer = false;
            simulator.faults.enqueue({ kind: "TIMEOUT", ms: 5 }, { shop });
          }
          return admin.graphql(query, options);
        },
      };
    };
    const job = async () => {
      const [row] = (await jobsOf(SHOPS.main)).filter((job) => job.id === id);
      if (!row) throw new Error("job missing");
      return row;
    };
    const waits: number[] = [];
    const runDue = async () => {
      const before = await job();
      waits.push(before.runAfter.getTime() - clock.ms);
      clock.ms = Math.max(clock.ms, before.runAfter.getTime());
      return worker({ adminFor });
    };

    simulator.faults.enqueue({ kind: "THROTTLED" }, { shop: SHOPS.main });
    expect(await runDue()).toMatchObject({ claimed: 1, retrying: 1 });
    expect(await job()).toMatchObject({
      status: "PENDING",
      attempts: 1,
      lastError: "LoyaltyCustomerTierTags: THROTTLED by Shopify",
    });
    // Not due yet: nothing is claimed before the backoff has passed.
    expect(await worker({ adminFor })).toMatchObject({ claimed: 0 });

    simulator.faults.enqueue(
      { kind: "HTTP", status: 502 },
      { shop: SHOPS.main },
    );
    expect(await runDue()).toMatchObject({ retrying: 1 });
    expect((await job()).lastError).toMatch(
      /^LoyaltyCustomerTierTags: Shopify answered HTTP 502/,
    );

    dropNextAnswer = true;
    expect(await runDue()).toMatchObject({ retrying: 1 });
    expect((await job()).lastError).toMatch(
      /^LoyaltyCustomerTierTags: no answer from Shopify/,
    );

    expect(await runDue()).toMatchObject({ done: 1 });
    expect(await job()).toMatchObject({ status: "DONE", attempts: 4 });
    // Backoff with random() = 0.5: three quarters of 30 s, 60 s, 120 s.
    expect(waits).toEqual([0, 22_500, 45_000, 90_000]);
    // Only the answered request counts: the change went through once, in one request.
    expect(tagCalls(SHOPS.main)).toEqual([
      ["tagsAdd", ["loyalty-tier:silver"]],
      ["tagsRemove", ["loyalty-tier:bronze"]],
    ]);
    expect(customerTags(SHOPS.main, 704)).toEqual([
      "loyalty-tier:silver",
      "vip",
    ]);
  });

  it("grows the backoff exponentially with jitter, up to its ceiling", () => {
    const policy = { maxAttempts: 8, baseDelayMs: 1_000, maxDelayMs: 10_000 };
    expect(
      [1, 2, 3, 4, 5, 6].map((attempts) =>
        retryDelayMs(attempts, () => 0, policy),
      ),
    ).toEqual([500, 1_000, 2_000, 4_000, 5_000, 5_000]);
    expect(
      [1, 2, 3, 4, 5, 6].map((attempts) =>
        retryDelayMs(attempts, () => 1, policy),
      ),
    ).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  });

  it("makes a job that keeps failing DEAD with its error, shows it, and revives it on retry", async () => {
    simulator.addCustomer(SHOPS.main, { id: 705 });
    const { id } = await enqueueCommitted(
      customerTagsJob(SHOPS.main, tags(705, ["loyalty-tier:gold"])),
    );
    simulator.faults.enqueue(
      { kind: "HTTP", status: 503 },
      { shop: SHOPS.main, times: 8 },
    );
    const outcomes = [];
    for (let attempt = 1; attempt <= 8; attempt += 1) {
      const report = await worker();
      outcomes.push(report.dead > 0 ? "dead" : "retrying");
      clock.advance(2 * 3_600_000);
    }
    expect(outcomes).toEqual([...Array(7).fill("retrying"), "dead"]);

    const health = await outboxHealth(db.sql, SHOPS.main);
    expect(health.counts).toEqual({
      PENDING: 0,
      RUNNING: 0,
      DONE: 0,
      DEAD: 1,
      SUPERSEDED: 0,
    });
    expect(health.dead).toMatchObject([
      {
        id,
        kind: "CUSTOMER_TAGS",
        attempts: 8,
        lastError: expect.stringMatching(
          /^LoyaltyCustomerTagsAdd: Shopify answered HTTP 503/,
        ),
        payload: { customerId: "705" },
      },
    ]);
    expect((await outboxHealth(db.sql, SHOPS.other)).dead).toEqual([]);
    expect(await worker()).toMatchObject({ claimed: 0 });

    // The retry button: only the job's own shop may retry it, and only while it is dead.
    expect(await retryDeadJob(db.sql, { shop: SHOPS.other, id })).toEqual({
      ok: false,
      reason: "NOT_FOUND",
    });
    expect(
      await retryDeadJob(db.sql, { shop: SHOPS.main, id }, clock.now()),
    ).toEqual({ ok: true });
    expect(await retryDeadJob(db.sql, { shop: SHOPS.main, id })).toEqual({
      ok: false,
      reason: "NOT_DEAD",
    });
    expect(await worker()).toMatchObject({ claimed: 1, done: 1 });
    expect(customerTags(SHOPS.main, 705)).toEqual(["loyalty-tier:gold"]);
    expect((await outboxHealth(db.sql, SHOPS.main)).counts.DONE).toBe(1);
  });

  it("makes a job DEAD at once when Shopify refuses its input or nothing can send it", async () => {
    // GIVEN a customer Shopify does not know, a payload no handler can read, an unknown kind
    const missing = await enqueueCommitted(
      customerTagsJob(SHOPS.main, tags(799, ["loyalty-tier:gold"])),
    );
    await enqueueCommitted({
      shop: SHOPS.main,
      kind: "CUSTOMER_TAGS",
      payload: { customerId: "not-a-number", add: [], remove: [] },
    });
    await enqueueCommitted({
      shop: SHOPS.main,
      kind: "CUSTOMER_TAGS",
      payload: { customerId: "799", add: ["a"], remove: ["A"] },
    });
    await enqueueCommitted({
      shop: SHOPS.main,
      kind: "SOMETHING_NEW",
      payload: {},
    });

    expect(await worker()).toMatchObject({ claimed: 4, dead: 4 });

    expect(
      (await jobsOf(SHOPS.main)).map((job) => [
        job.status,
        job.attempts,
        job.lastError,
      ]),
    ).toEqual([
      [
        "DEAD",
        1,
        "LoyaltyCustomerTagsAdd: userErrors: id: Resource does not exist",
      ],
      ["DEAD", 1, expect.stringContaining("invalid CUSTOMER_TAGS payload")],
      ["DEAD", 1, expect.stringContaining("cannot be both added and removed")],
      ["DEAD", 1, "no handler for kind SOMETHING_NEW"],
    ]);
    // Only the first reached Shopify.
    expect(tagCalls(SHOPS.main)).toHaveLength(1);

    // WHEN the customer exists after all and the merchant retries the job, it goes through.
    simulator.addCustomer(SHOPS.main, { id: 799 });
    expect(
      await retryDeadJob(
        db.sql,
        { shop: SHOPS.main, id: missing.id },
        clock.now(),
      ),
    ).toEqual({ ok: true });
    expect(await worker()).toMatchObject({ claimed: 1, done: 1 });
    expect(customerTags(SHOPS.main, 799)).toEqual(["loyalty-tier:gold"]);
  });

  it("does not revive a dead job that a newer one for the same customer replaced", async () => {
    simulator.addCustomer(SHOPS.main, { id: 706 });
    const old = await enqueueCommitted(
      customerTagsJob(SHOPS.main, tags(706, ["loyalty-tier:silver"])),
    );
    simulator.faults.enqueue(
      { kind: "HTTP", status: 500 },
      { shop: SHOPS.main },
    );
    expect(
      await worker({
        retry: { maxAttempts: 1 },
      }),
    ).toMatchObject({ dead: 1 });
    await enqueueCommitted(
      customerTagsJob(
        SHOPS.main,
        tags(706, ["loyalty-tier:gold"], ["loyalty-tier:silver"]),
      ),
    );
    expect(await worker()).toMatchObject({ done: 1 });

    expect(
      await retryDeadJob(db.sql, { shop: SHOPS.main, id: old.id }),
    ).toEqual({ ok: false, reason: "SUPERSEDED" });
    expect(await worker()).toMatchObject({ claimed: 0 });
    expect(customerTags(SHOPS.main, 706)).toEqual(["loyalty-tier:gold"]);
  });
});

describe("workers", () => {
  it("lets a second worker finish what a killed worker had claimed, once its lease runs out", async () => {
    for (const id of [711, 712, 713]) simulator.addCustomer(SHOPS.main, { id });
    for (const id of [711, 712, 713])
      await enqueueCommitted(
        customerTagsJob(SHOPS.main, tags(id, ["loyalty-tier:gold"])),
      );
    // GIVEN a worker that claimed the batch and died before sending anything
    const claimed = await claimJobs(db.sql, {
      workerId: "worker-killed",
      limit: 10,
      now: clock.now(),
    });
    expect(claimed).toHaveLength(3);

    // WHEN another worker runs while the lease holds, it leaves the jobs alone…
    clock.advance(60_000);
    expect(await worker({ workerId: "worker-b" })).toMatchObject({
      claimed: 0,
    });
    // …and once the lease has run out it sends them all.
    clock.advance(DEFAULT_LEASE_MS);
    expect(await worker({ workerId: "worker-b" })).toMatchObject({
      claimed: 3,
      done: 3,
    });

    expect([711, 712, 713].map((id) => customerTags(SHOPS.main, id))).toEqual([
      ["loyalty-tier:gold"],
      ["loyalty-tier:gold"],
      ["loyalty-tier:gold"],
    ]);
    expect(
      (await jobsOf(SHOPS.main)).map((job) => [job.status, job.attempts]),
    ).toEqual([
      ["DONE", 2],
      ["DONE", 2],
      ["DONE", 2],
    ]);
    // The killed worker coming back late cannot mark anything: its claim is gone.
    const [late] = claimed;
    if (!late) throw new Error("nothing claimed");
    expect(await completeJob(db.sql, late, clock.now())).toBe(false);
  });

  it("makes a job DEAD when its workers keep dying on it", async () => {
    await enqueueCommitted(
      customerTagsJob(SHOPS.main, tags(714, ["loyalty-tier:gold"])),
    );
    const claim = () =>
      claimJobs(db.sql, {
        workerId: "worker-crashing",
        limit: 10,
        now: clock.now(),
        maxAttempts: 2,
      });
    expect(await claim()).toHaveLength(1);
    clock.advance(DEFAULT_LEASE_MS + 1);
    expect(await claim()).toHaveLength(1);
    clock.advance(DEFAULT_LEASE_MS + 1);
    expect(await claim()).toEqual([]);
    expect(await jobsOf(SHOPS.main)).toMatchObject([
      {
        status: "DEAD",
        attempts: 2,
        lastError:
          "its worker (worker-crashing) stopped before finishing it, 2 times",
      },
    ]);
  });

  it("never hands one job to two workers claiming at the same time", async () => {
    const total = 200;
    await db.sql.transaction(async (tx) => {
      for (let index = 0; index < total; index += 1)
        await enqueue(
          tx,
          // Distinct coalesce keys, so the claim's check for older jobs of a key is exercised too.
          customerTagsJob(SHOPS.race, tags(10_000 + index, ["t"])),
          clock.now(),
        );
    });
    const claimer = async (workerId: string) => {
      const mine: number[] = [];
      for (;;) {
        const batch = await claimJobs(db.sql, {
          workerId,
          limit: 7,
          now: clock.now(),
        });
        if (batch.length === 0) return mine;
        mine.push(...batch.map((job) => job.id));
      }
    };
    const workers = ["w1", "w2", "w3", "w4"];
    const claims = await Promise.all(workers.map(claimer));

    const all = claims.flat();
    expect(all).toHaveLength(total);
    expect(new Set(all).size).toBe(total);
    const rows = await jobsOf(SHOPS.race);
    expect(rows.every((row) => row.status === "RUNNING")).toBe(true);
    expect(rows.every((row) => row.attempts === 1)).toBe(true);
    for (const [index, workerId] of workers.entries()) {
      const mine = new Set(claims[index]);
      expect(
        rows.filter((row) => mine.has(row.id)).map((row) => row.lockedBy),
      ).toEqual([...mine].map(() => workerId));
    }
    // On PostgreSQL the claims ran on separate connections side by side.
    if (db.kind === "postgresql")
      expect(claims.filter((mine) => mine.length > 0).length).toBeGreaterThan(
        1,
      );
  });
  it("takes at most a shop's share of a claim, and none of a shop the worker is still sending for", async () => {
    for (const id of [751, 752, 753])
      await enqueueCommitted(customerTagsJob(SHOPS.main, tags(id, ["t"])));
    for (const id of [754, 755])
      await enqueueCommitted(customerTagsJob(SHOPS.other, tags(id, ["t"])));
    const claim = (skipShops: string[] = []) =>
      claimJobs(db.sql, {
        workerId: "worker-a",
        limit: 10,
        shopLimit: 2,
        skipShops,
        now: clock.now(),
      }).then((jobs) => jobs.map((job) => job.coalesceKey));

    // One shop's backlog leaves room for the others, oldest first within each shop.
    expect(await claim()).toEqual([
      "tags:751",
      "tags:752",
      "tags:754",
      "tags:755",
    ]);
    await enqueueCommitted(customerTagsJob(SHOPS.other, tags(756, ["t"])));
    expect(await claim([SHOPS.other])).toEqual(["tags:753"]);
    expect(await claim([SHOPS.main])).toEqual(["tags:756"]);
    expect(await claim()).toEqual([]);
  });

  it("sends other shops' jobs while one shop's are still on their way, and that shop's next ones after them", async () => {
    for (const id of [741, 743]) simulator.addCustomer(SHOPS.main, { id });
    simulator.addCustomer(SHOPS.other, { id: 742 });
    // GIVEN a shop whose first send hangs (a slow answer, a wait for its bucket) until released
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let hanging = false;
    const background = startOutboxWorker({
      sql: db.sql,
      adminFor: libraryAdmin,
      handlers: {
        ...outboxHandlers,
        CUSTOMER_TAGS: async (admin, payload, job) => {
          if (job.coalesceKey === "tags:741") {
            hanging = true;
            await gate;
          }
          await sendCustomerTags(admin, payload);
        },
      },
      intervalMs: 2,
      now: clock.now,
      sleep: (ms) => clock.sleep(ms),
      budget,
    });
    const statusOf = async (shop: string, coalesceKey: string) =>
      (await jobsOf(shop)).find((job) => job.coalesceKey === coalesceKey)
        ?.status;
    try {
      await enqueueCommitted(
        customerTagsJob(SHOPS.main, tags(741, ["loyalty-tier:gold"])),
      );
      await vi.waitFor(() => expect(hanging).toBe(true), {
        timeout: 5_000,
        interval: 2,
      });

      // WHEN changes for another shop and for the hanging shop arrive meanwhile
      await enqueueCommitted(
        customerTagsJob(SHOPS.other, tags(742, ["loyalty-tier:gold"])),
      );
      await enqueueCommitted(
        customerTagsJob(SHOPS.main, tags(743, ["loyalty-tier:gold"])),
      );

      // THEN the other shop's is sent at once, and the hanging shop's waits for its first
      await vi.waitFor(
        async () =>
          expect(await statusOf(SHOPS.other, "tags:742")).toBe("DONE"),
        { timeout: 5_000, interval: 2 },
      );
      expect(await statusOf(SHOPS.main, "tags:741")).toBe("RUNNING");
      expect(await statusOf(SHOPS.main, "tags:743")).toBe("PENDING");
      release();
      await vi.waitFor(
        async () => expect(await statusOf(SHOPS.main, "tags:743")).toBe("DONE"),
        { timeout: 5_000, interval: 2 },
      );
    } finally {
      release();
      await background.stop();
    }
    expect(await statusOf(SHOPS.main, "tags:741")).toBe("DONE");
    expect(customerTags(SHOPS.other, 742)).toEqual(["loyalty-tier:gold"]);
    expect(customerTags(SHOPS.main, 743)).toEqual(["loyalty-tier:gold"]);
  });

  it("keeps sending in the background until it is stopped", async () => {
    simulator.addCustomer(SHOPS.main, { id: 731 });
    simulator.addCustomer(SHOPS.main, { id: 732 });
    const background = startOutboxWorker({
      sql: db.sql,
      adminFor: libraryAdmin,
      handlers: outboxHandlers,
      intervalMs: 2,
      now: clock.now,
      sleep: (ms) => clock.sleep(ms),
      budget,
    });
    try {
      await enqueueCommitted(
        customerTagsJob(SHOPS.main, tags(731, ["loyalty-tier:gold"])),
      );
      await vi.waitFor(
        async () => expect((await jobsOf(SHOPS.main))[0]?.status).toBe("DONE"),
        { timeout: 5_000, interval: 2 },
      );
    } finally {
      await background.stop();
    }
    expect(customerTags(SHOPS.main, 731)).toEqual(["loyalty-tier:gold"]);

    // Stopped: a job enqueued now waits for the next worker.
    await enqueueCommitted(
      customerTagsJob(SHOPS.main, tags(732, ["loyalty-tier:gold"])),
    );
    await new Promise((done) => setTimeout(done, 20));
    expect((await jobsOf(SHOPS.main))[1]?.status).toBe("PENDING");
  });
});

describe("the cost-aware Admin client", () => {
  it("waits for the shop's bucket before sending instead of being throttled", async () => {
    // GIVEN five tier changes: five requests of two 10-point mutations each (tagsAdd and
    // tagsRemove) against a 60-point bucket refilling 10/s
    for (const id of [721, 722, 723, 724, 725]) {
      simulator.addCustomer(SHOPS.other, { id, tags: ["loyalty-tier:bronze"] });
      await enqueueCommitted(
        customerTagsJob(
          SHOPS.other,
          tags(id, ["loyalty-tier:silver"], ["loyalty-tier:bronze"]),
        ),
      );
    }

    expect(await worker()).toMatchObject({ claimed: 5, done: 5 });

    // Every answer was a success: the client waited (fake clock) whenever the bucket ran low.
    const calls = simulator.calls.filter((call) => call.shop === SHOPS.other);
    expect(calls).toHaveLength(5);
    expect(
      calls.every(
        (call) =>
          call.status === 200 &&
          !JSON.stringify(call.response).includes("THROTTLED"),
      ),
    ).toBe(true);
    const waited = clock.sleeps.reduce((sum, ms) => sum + ms, 0);
    expect(waited).toBeGreaterThanOrEqual(4_000);
    expect(budget.available(SHOPS.other, clock.ms)).toBeGreaterThanOrEqual(0);
  });

  it("holds a shop's jobs back untried, without an attempt, when its bucket would take too long to refill", async () => {
    for (const id of [726, 728]) {
      simulator.addCustomer(SHOPS.other, { id });
      await enqueueCommitted(
        customerTagsJob(SHOPS.other, tags(id, ["loyalty-tier:gold"])),
      );
    }
    // GIVEN an estimate, from another answer, of an empty bucket refilling a point every 4 s
    budget.observe(
      SHOPS.other,
      "LoyaltyShopDetails",
      {
        throttleStatus: {
          maximumAvailable: BUCKET_SIZE,
          currentlyAvailable: 0,
          restoreRate: 0.25,
        },
      },
      clock.ms,
    );

    expect(await worker()).toMatchObject({
      claimed: 2,
      deferred: 2,
      retrying: 0,
    });

    // Nothing reached Shopify, so nothing counts as a failed attempt: both wait, untried, as long
    // as the bucket needs (10 points at 0.25 a second), and no worker picks them up before.
    expect(simulator.calls).toEqual([]);
    expect(
      (await jobsOf(SHOPS.other)).map((job) => ({
        status: job.status,
        attempts: job.attempts,
        lastError: job.lastError,
        runAfter: job.runAfter.getTime(),
      })),
    ).toEqual(
      [726, 728].map(() => ({
        status: "PENDING",
        attempts: 0,
        lastError: null,
        runAfter: clock.ms + 40_000,
      })),
    );
    expect(await worker()).toMatchObject({ claimed: 0 });
    clock.advance(40_000);
    expect(await worker()).toMatchObject({ claimed: 2, done: 2 });
    expect(customerTags(SHOPS.other, 728)).toEqual(["loyalty-tier:gold"]);
  });

  const faults: Array<[string, Fault, new (...args: never[]) => Error]> = [
    ["THROTTLED", { kind: "THROTTLED" }, AdminThrottledError],
    ["HTTP 429", { kind: "HTTP", status: 429 }, AdminThrottledError],
    ["HTTP 500", { kind: "HTTP", status: 500 }, AdminUnavailableError],
    ["HTTP 503", { kind: "HTTP", status: 503 }, AdminUnavailableError],
    ["a dropped connection", { kind: "TIMEOUT", ms: 5 }, AdminUnavailableError],
  ];
  it.each(faults)(
    "reports %s from the library's client as a retryable typed error",
    async (_name, fault, type) => {
      simulator.addCustomer(SHOPS.other, { id: 727 });
      simulator.faults.enqueue(fault, { shop: SHOPS.other });
      const client = createAdminClient({
        shop: SHOPS.other,
        admin: await libraryAdmin(SHOPS.other),
        budget,
        now: () => clock.ms,
        sleep: (ms) => clock.sleep(ms),
      });
      const sent = client.mutate(
        CUSTOMER_TAGS_ADD_MUTATION,
        { id: "gid://shopify/Customer/727", tags: ["x"] },
        "tagsAdd",
      );
      await expect(sent).rejects.toBeInstanceOf(type);
      await expect(sent).rejects.toMatchObject({ retryable: true });
    },
  );

  /** An Admin API answering with fixed Responses, as a plain fetch-based client would. */
  const answering = (response: () => Response): AdminGraphqlApi => ({
    graphql: async () => response(),
  });
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { "Content-Type": "application/json" },
    });
  const cost = {
    cost: {
      requestedQueryCost: 10,
      throttleStatus: {
        maximumAvailable: 1000,
        currentlyAvailable: 4,
        restoreRate: 50,
      },
    },
  };

  it.each([
    [
      "a THROTTLED answer, waiting for the missing points",
      json({
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
        extensions: cost,
      }),
      { kind: "THROTTLED", retryable: true, retryAfterMs: 120 },
    ],
    [
      "an HTTP 502",
      json({ errors: "Bad Gateway" }, 502),
      { kind: "UNAVAILABLE", retryable: true },
    ],
    [
      "Shopify's internal error",
      json({
        errors: [
          {
            message: "Internal error",
            extensions: { code: "INTERNAL_SERVER_ERROR" },
          },
        ],
      }),
      { kind: "UNAVAILABLE", retryable: true },
    ],
    [
      "access denied",
      json({
        errors: [
          { message: "Access denied", extensions: { code: "ACCESS_DENIED" } },
        ],
      }),
      { kind: "REJECTED", retryable: false, codes: ["ACCESS_DENIED"] },
    ],
    [
      "an HTTP 401 (token revoked)",
      json({ errors: "[API] Invalid API key or access token" }, 401),
      { kind: "REJECTED", retryable: false, status: 401 },
    ],
    [
      "userErrors about the input",
      json({
        data: {
          tagsAdd: {
            userErrors: [{ field: ["id"], message: "Resource does not exist" }],
          },
        },
      }),
      { kind: "USER_ERRORS", retryable: false },
    ],
    [
      "transient userErrors",
      json({
        data: {
          tagsAdd: {
            userErrors: [
              { field: null, message: "Try again", code: "INTERNAL_ERROR" },
            ],
          },
        },
      }),
      { kind: "USER_ERRORS", retryable: true },
    ],
    [
      "a payload missing from the answer",
      json({ data: { tagsAdd: null } }),
      { kind: "REJECTED", retryable: false },
    ],
  ])("translates %s", async (_name, response, expected) => {
    const client = createAdminClient({
      shop: SHOPS.other,
      admin: answering(() => response),
      budget,
      now: () => clock.ms,
      sleep: (ms) => clock.sleep(ms),
    });
    await expect(
      client.mutate(
        CUSTOMER_TAGS_ADD_MUTATION,
        { id: "gid://shopify/Customer/1", tags: ["x"] },
        "tagsAdd",
      ),
    ).rejects.toMatchObject(expected);
  });

  it("returns the payload of a mutation without userErrors, and learns the shop's bucket from it", async () => {
    const client = createAdminClient({
      shop: SHOPS.other,
      admin: answering(() =>
        json({ data: { tagsAdd: { userErrors: [] } }, extensions: cost }),
      ),
      budget,
      now: () => clock.ms,
    });
    await expect(
      client.mutate(
        CUSTOMER_TAGS_ADD_MUTATION,
        { id: "gid://shopify/Customer/1", tags: ["x"] },
        "tagsAdd",
      ),
    ).resolves.toEqual({ userErrors: [] });
    expect(budget.available(SHOPS.other, clock.ms)).toBe(4);
    expect(budget.available(SHOPS.other, clock.ms + 1_000)).toBe(54);
    expect(budget.expectedCost("LoyaltyCustomerTagsAdd")).toBe(10);
  });

  it("checks every payload of a request that runs two mutations, the second's userErrors too", async () => {
    const client = createAdminClient({
      shop: SHOPS.other,
      admin: answering(() =>
        json({
          data: {
            tagsAdd: { userErrors: [] },
            tagsRemove: {
              userErrors: [{ field: ["id"], message: "Customer is locked" }],
            },
          },
          extensions: cost,
        }),
      ),
      budget,
      now: () => clock.ms,
    });
    await expect(
      client.mutate(
        CUSTOMER_TIER_TAGS_MUTATION,
        { id: "gid://shopify/Customer/1", add: ["x"], remove: ["y"] },
        ["tagsAdd", "tagsRemove"],
      ),
    ).rejects.toThrow(
      "LoyaltyCustomerTierTags: userErrors: id: Customer is locked",
    );
  });
});
