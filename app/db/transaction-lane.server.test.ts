import { afterAll, beforeAll, expect, it } from "vitest";
import {
  createTestDatabase,
  keysLike,
  type TestDatabase,
} from "../../test/support/database";
import { onServer } from "../../test/support/postgres-server";
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

const rowsLike = (prefix: string) => keysLike(db.sql, "LaneProbe", prefix);

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

it("runs works that claim the same row one after the other in one transaction, the later one seeing what the earlier wrote", async () => {
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
  expect([later.transaction, otherTransaction]).toEqual([
    firstTransaction,
    firstTransaction,
  ]);
  expect(later.seen).toEqual([{ key: "same-first" }]);
});

it("leaves a work whose chain would grow too long for the next group, and with it every later work on its rows", async () => {
  const lane = new TransactionLane(db.sql, { maxChain: 2 });
  const finished: string[] = [];
  const letGo = holdLane(lane);
  const works = [
    ["x1", ["x"]],
    ["x2", ["x"]],
    ["x3", ["x"]],
    ["xy", ["x", "y"]],
    ["y", ["y"]],
    ["z", ["z"]],
  ] as const;
  const runs = Promise.all(
    works.map(([key, claims]) =>
      lane.run(claims, async (tx) => {
        const transaction = await insertRow(`chain-${key}`)(tx);
        finished.push(key);
        return transaction;
      }),
    ),
  );
  await letGo();
  const [x1, x2, x3, xy, y, z] = await runs;
  expect([x2, z]).toEqual([x1, x1]);
  expect(xy).toBe(x3);
  expect(new Set([x1, x3, y]).size).toBe(3);
  expect(finished.filter((key) => key.includes("x"))).toEqual([
    "x1",
    "x2",
    "x3",
    "xy",
  ]);
  expect(finished.indexOf("y")).toBeGreaterThan(finished.indexOf("xy"));
});

it("when one work of a group fails, commits the others each on its own and fails that one alone", async () => {
  await db.sql.query(`INSERT INTO "LaneProbe" (key) VALUES ('failing-taken')`);
  const lane = new TransactionLane(db.sql);
  const letGo = holdLane(lane);
  const runs = ["failing-a", "failing-taken", "failing-c"].map((key) =>
    lane.run([key], insertRow(key)),
  );
  // Behind the failing work in the group: it does not start there, and runs again alone.
  const started: string[] = [];
  runs.push(
    lane.run(["failing-taken"], async (tx) => {
      started.push("behind");
      return insertRow("failing-z-behind")(tx);
    }),
  );
  await letGo();
  const [a, taken, c, behind] = await Promise.allSettled(runs);
  expect(behind?.status).toBe("fulfilled");
  expect(started).toEqual(["behind"]);
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
    "failing-z-behind",
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

// Only a server answers a COMMIT after the lane has been handed on: PGlite hands it on when done.
it("lets the works that arrive while a COMMIT is answered, with no one waiting before them, start together once it is", (context) =>
  onServer(context, 1, async (sql) => {
    await sql.query(`CREATE TEMP TABLE arrivals (key text PRIMARY KEY)`);
    // A COMMIT that takes a while: a deferred trigger that sleeps at commit time.
    await sql.query(
      `CREATE FUNCTION pg_temp.slow_commit() RETURNS trigger LANGUAGE plpgsql AS
       $$ BEGIN PERFORM pg_sleep(0.3); RETURN NULL; END $$`,
    );
    await sql.query(
      `CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON arrivals
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.key = 'slow')
       EXECUTE FUNCTION pg_temp.slow_commit()`,
    );
    const arrive = (key: string) => async (tx: Tx) => {
      const [row] = await tx.query<{ transaction: string }>(
        `INSERT INTO arrivals (key) VALUES ($1) RETURNING txid_current()::text AS transaction`,
        [key],
      );
      return row?.transaction;
    };
    const lane = new TransactionLane(sql);
    const committing = lane.run(["slow"], arrive("slow"));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const [first, second] = await Promise.all([
      lane.run(["a"], arrive("a")),
      lane.run(["b"], arrive("b")),
    ]);
    const slow = await committing;
    expect(first).not.toBe(slow);
    expect(second).toBe(first);
  }));
