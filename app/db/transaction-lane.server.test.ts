import { afterAll, beforeAll, expect, it } from "vitest";
import {
  createTestDatabase,
  type TestDatabase,
} from "../../test/support/database";
import type { Tx } from "./sql.server";
import { TransactionLane } from "./transaction-lane.server";

// The lane on whichever database the suite runs on (PGlite, or PostgreSQL when DATABASE_URL is set).
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.sql.query(`CREATE TABLE "LaneProbe" (key text PRIMARY KEY)`);
});
afterAll(() => db.destroy());

/** Writes its row and answers with the transaction it ran in. */
const insertRow = (key: string) => async (tx: Tx) => {
  const [row] = await tx.query<{ transaction: string }>(
    `INSERT INTO "LaneProbe" (key) VALUES ($1) RETURNING txid_current()::text AS transaction`,
    [key],
  );
  return row?.transaction;
};

/** Holds the lane until `letGo` is called, so that the works sent meanwhile wait together. */
function holdLane(lane: TransactionLane) {
  let letGo!: () => void;
  const released = new Promise<void>((resolve) => (letGo = resolve));
  const held = lane.run(["holding"], () => released);
  return async () => {
    letGo();
    await held;
  };
}

const rowsLike = async (prefix: string) =>
  (
    await db.sql.query<{ key: string }>(
      `SELECT key FROM "LaneProbe" WHERE key LIKE $1 ORDER BY key`,
      [`${prefix}%`],
    )
  ).map((row) => row.key);

it("runs works that claim different rows in one transaction, and answers each with its own result", async () => {
  const lane = new TransactionLane(db.sql);
  const letGo = holdLane(lane);
  const transactions = Promise.all(
    ["a", "b", "c"].map((key) =>
      lane.run([`shared/${key}`], insertRow(`shared-${key}`)),
    ),
  );
  await letGo();
  const [a, b, c] = await transactions;
  expect(a).toBeDefined();
  expect([b, c]).toEqual([a, a]);
  expect(await rowsLike("shared-")).toEqual([
    "shared-a",
    "shared-b",
    "shared-c",
  ]);
});

it("keeps works that claim the same row in separate transactions, the later one seeing what the earlier committed", async () => {
  const lane = new TransactionLane(db.sql);
  const letGo = holdLane(lane);
  const first = lane.run(["order/1"], insertRow("same-first"));
  const second = lane.run(["order/1"], async (tx) => {
    const seen = await tx.query<{ key: string }>(
      `SELECT key FROM "LaneProbe" WHERE key = 'same-first'`,
    );
    return { transaction: await insertRow("same-second")(tx), seen };
  });
  const other = lane.run(["order/2"], insertRow("same-other"));
  await letGo();
  const [firstTransaction, later, otherTransaction] = await Promise.all([
    first,
    second,
    other,
  ]);
  // The work for another order joined the first group; the second work for order 1 waited for it.
  expect(otherTransaction).toBe(firstTransaction);
  expect(later.transaction).not.toBe(firstTransaction);
  expect(later.seen).toEqual([{ key: "same-first" }]);
});

it("when one work of a group fails, commits the others each on its own and fails that one alone", async () => {
  await db.sql.query(`INSERT INTO "LaneProbe" (key) VALUES ('failing-taken')`);
  const lane = new TransactionLane(db.sql);
  const letGo = holdLane(lane);
  const runs = ["failing-a", "failing-taken", "failing-c"].map((key) =>
    lane.run([key], insertRow(key)),
  );
  await letGo();
  const [a, taken, c] = await Promise.allSettled(runs);
  expect(taken?.status).toBe("rejected");
  expect(taken?.status === "rejected" && String(taken.reason)).toMatch(
    /duplicate key/,
  );
  expect(a?.status).toBe("fulfilled");
  expect(c?.status).toBe("fulfilled");
  // Run again after the group's rollback, in transactions of their own.
  expect(a?.status === "fulfilled" && a.value).not.toBe(
    c?.status === "fulfilled" && c.value,
  );
  expect(await rowsLike("failing-")).toEqual([
    "failing-a",
    "failing-c",
    "failing-taken",
  ]);
});

it("puts no more works in one transaction than its groups may hold", async () => {
  const lane = new TransactionLane(db.sql, { maxGroup: 2 });
  const letGo = holdLane(lane);
  const transactions = Promise.all(
    [1, 2, 3, 4, 5].map((key) =>
      lane.run([`capped/${key}`], insertRow(`capped-${key}`)),
    ),
  );
  await letGo();
  const [one, two, three, four, five] = await transactions;
  expect(new Set([one, two, three, four, five]).size).toBe(3);
  expect([two, four]).toEqual([one, three]);
  expect(five).not.toBe(three);
});

it("tells each work how long it waited for its transaction, and one that found the lane free that it did not wait", async () => {
  const lane = new TransactionLane(db.sql);
  const waits: Record<string, number> = {};
  await lane.run(["told/free"], insertRow("told-free"), (ms) => {
    waits.free = ms;
  });
  const letGo = holdLane(lane);
  const waiting = lane.run(
    ["told/waiting"],
    insertRow("told-waiting"),
    (ms) => {
      waits.waiting = ms;
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 20));
  await letGo();
  await waiting;
  expect(waits.free).toBe(0);
  expect(waits.waiting).toBeGreaterThanOrEqual(15);
});
