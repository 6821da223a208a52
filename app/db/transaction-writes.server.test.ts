import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestDatabase,
  keysLike,
  type TestDatabase,
} from "../../test/support/database";
import type { SharedQuery, SharedWrite, Tx } from "./sql.server";

// Tx.write sends a write without waiting for it. These are the promises that makes, on whichever
// database the suite runs on (PGlite, or PostgreSQL when DATABASE_URL is set).
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.sql.query(
    `CREATE TABLE "WriteProbe" (key text PRIMARY KEY, points int NOT NULL CHECK (points >= 0))`,
  );
});
afterAll(() => db.destroy());

const insert = `INSERT INTO "WriteProbe" (key, points) VALUES ($1, $2)`;
const pointsOf = async (key: string) =>
  (
    await db.sql.query<{ points: number }>(
      `SELECT points FROM "WriteProbe" WHERE key = $1`,
      [key],
    )
  ).map((row) => row.points);

class NothingWritten extends Error {}

describe("writes sent without waiting", () => {
  it("are seen by the statements after them, in order, and committed with the transaction", async () => {
    const seen = await db.sql.transaction(async (tx) => {
      tx.write(insert, ["ordered", 10]);
      tx.write(`UPDATE "WriteProbe" SET points = points * 3 WHERE key = $1`, [
        "ordered",
      ]);
      tx.write(`UPDATE "WriteProbe" SET points = points + 2 WHERE key = $1`, [
        "ordered",
      ]);
      return tx.query<{ points: number }>(
        `SELECT points FROM "WriteProbe" WHERE key = $1`,
        ["ordered"],
      );
    });
    expect(seen).toEqual([{ points: 32 }]);
    expect(await pointsOf("ordered")).toEqual([32]);
  });

  it("fail the next query with their own error, and the transaction commits nothing", async () => {
    const transaction = db.sql.transaction(async (tx) => {
      tx.write(insert, ["kept-out", 5]);
      tx.write(insert, ["negative", -1]);
      return tx.query("SELECT 1");
    });
    await expect(transaction).rejects.toThrow(/WriteProbe_points_check/);
    expect(await pointsOf("kept-out")).toEqual([]);
  });

  it("fail the transaction when the commit is the next thing sent, instead of committing it", async () => {
    const transaction = db.sql.transaction(async (tx) => {
      // After a query: writes made once the work has waited for something are checked too.
      await tx.query("SELECT 1");
      tx.write(insert, ["before-commit", 5]);
      tx.write(insert, ["before-commit", 6]);
      return "done";
    });
    await expect(transaction).rejects.toThrow(/duplicate key/);
    expect(await pointsOf("before-commit")).toEqual([]);
  });

  it.each([
    ["the next query", (tx: Tx) => tx.query("SELECT 1")],
    // No statement behind the write but the COMMIT, which must not leave before it is answered.
    ["the commit", async () => "done"],
  ])(
    "that must write a row and write none fail with the caller's error, checked at %s, and roll everything back",
    async (checkedAt, finish) => {
      const key = `taken at ${checkedAt}`;
      await db.sql.query(insert, [key, 1]);
      const transaction = db.sql.transaction(async (tx) => {
        tx.write(`UPDATE "WriteProbe" SET points = 100 WHERE key = $1`, [key]);
        tx.write(
          `INSERT INTO "WriteProbe" (key, points) VALUES ($1, $2)
           ON CONFLICT DO NOTHING RETURNING 1`,
          [key, 7],
          () => new NothingWritten(),
        );
        return finish(tx);
      });
      await expect(transaction).rejects.toBeInstanceOf(NothingWritten);
      expect(await pointsOf(key)).toEqual([1]);
    },
  );

  it("leave no transaction reporting success when its work carried on past a failed statement", async () => {
    const transaction = db.sql.transaction(async (tx) => {
      tx.write(insert, ["carried-on", 5]);
      await tx.query(insert, ["carried-on-negative", -1]).catch(() => null);
      return "done";
    });
    await expect(transaction).rejects.toThrow();
    expect(await pointsOf("carried-on")).toEqual([]);
  });
});

describe("rows of a shared write", () => {
  // Counts the statements that insert into the probe table, whatever number of rows each carries.
  beforeAll(async () => {
    await db.sql.query(`CREATE TABLE "RowProbe" (key text PRIMARY KEY)`);
    await db.sql.query(`CREATE TABLE "RowProbeStatements" (key text)`);
    await db.sql.query(
      `CREATE FUNCTION row_probe_statement() RETURNS trigger LANGUAGE plpgsql AS
       $$ BEGIN INSERT INTO "RowProbeStatements" VALUES (NULL); RETURN NULL; END $$`,
    );
    await db.sql.query(
      `CREATE TRIGGER row_probe_statement AFTER INSERT ON "RowProbe"
       FOR EACH STATEMENT EXECUTE FUNCTION row_probe_statement()`,
    );
  });

  const probeRow: SharedWrite<{ key: string }> = {
    text: `INSERT INTO "RowProbe" (key) SELECT key FROM jsonb_to_recordset($1::jsonb) AS r(key text)
      ON CONFLICT DO NOTHING RETURNING key`,
    key: (row) => row.key,
  };
  const statements = async () =>
    (
      await db.sql.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM "RowProbeStatements"`,
      )
    )[0]?.count ?? 0;
  const rowsLike = (prefix: string) => keysLike(db.sql, "RowProbe", prefix);

  it("leave as one statement ahead of the next one, which sees them", async () => {
    const before = await statements();
    const seen = await db.sql.transaction(async (tx) => {
      for (const key of ["one-a", "one-b", "one-c"])
        tx.writeRow(probeRow, { key });
      return tx.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM "RowProbe" WHERE key LIKE 'one-%'`,
      );
    });
    expect(seen).toEqual([{ count: 3 }]);
    expect((await statements()) - before).toBe(1);
    expect(await rowsLike("one-")).toEqual(["one-a", "one-b", "one-c"]);
  });

  it("fail the next query with the error of a row that was not written, and nothing commits", async () => {
    await db.sql.query(`INSERT INTO "RowProbe" (key) VALUES ('taken-b')`);
    const transaction = db.sql.transaction(async (tx) => {
      tx.writeRow(probeRow, { key: "taken-a" }, () => new NothingWritten());
      tx.writeRow(probeRow, { key: "taken-b" }, () => new NothingWritten());
      tx.writeRow(probeRow, { key: "taken-c" }, () => new NothingWritten());
      return tx.query("SELECT 1");
    });
    await expect(transaction).rejects.toBeInstanceOf(NothingWritten);
    expect(await rowsLike("taken-")).toEqual(["taken-b"]);
  });

  it("fail the transaction with the error of a row not written when they leave with the commit", async () => {
    await db.sql.query(`INSERT INTO "RowProbe" (key) VALUES ('last-b')`);
    const transaction = db.sql.transaction(async (tx) => {
      tx.writeRow(probeRow, { key: "last-a" }, () => new NothingWritten());
      tx.writeRow(probeRow, { key: "last-b" }, () => new NothingWritten());
    });
    await expect(transaction).rejects.toBeInstanceOf(NothingWritten);
    expect(await rowsLike("last-")).toEqual(["last-b"]);
  });

  it("leave in a second statement when their key is given again, which sees the first", async () => {
    const addPoints: SharedWrite<{ key: string; points: number }> = {
      text: `INSERT INTO "WriteProbe" (key, points)
        SELECT key, points FROM jsonb_to_recordset($1::jsonb) AS r(key text, points int)
        ON CONFLICT (key) DO UPDATE SET points = "WriteProbe".points + EXCLUDED.points
        RETURNING key`,
      key: (row) => row.key,
    };
    await db.sql.transaction(async (tx) => {
      tx.writeRow(addPoints, { key: "again-a", points: 1 });
      tx.writeRow(addPoints, { key: "again-b", points: 2 });
      tx.writeRow(addPoints, { key: "again-a", points: 4 });
    });
    expect(await pointsOf("again-a")).toEqual([5]);
    expect(await pointsOf("again-b")).toEqual([2]);
  });

  it("go on gathering past writes that go ahead of them, and leave as one statement with the commit", async () => {
    const before = await statements();
    await db.sql.transaction(async (tx) => {
      for (const key of ["ahead-a", "ahead-b", "ahead-c"]) {
        tx.writeRow(probeRow, { key });
        tx.writeAhead(insert, [key, 1]);
      }
    });
    expect((await statements()) - before).toBe(1);
    expect(await rowsLike("ahead-")).toEqual(["ahead-a", "ahead-b", "ahead-c"]);
    expect(await pointsOf("ahead-b")).toEqual([1]);
  });

  it("leave one statement a caller when the writes between them do not go ahead", async () => {
    const before = await statements();
    await db.sql.transaction(async (tx) => {
      for (const key of ["behind-a", "behind-b", "behind-c"]) {
        tx.writeRow(probeRow, { key });
        tx.write(insert, [key, 1]);
      }
    });
    expect((await statements()) - before).toBe(3);
  });

  it("commit nothing when a write that went ahead of them fails", async () => {
    const transaction = db.sql.transaction(async (tx) => {
      tx.writeRow(probeRow, { key: "failed-ahead-a" });
      tx.writeAhead(insert, ["failed-ahead-a", -1]);
    });
    await expect(transaction).rejects.toThrow(/WriteProbe_points_check/);
    expect(await rowsLike("failed-ahead-")).toEqual([]);
  });

  describe("of a shared query", () => {
    const probeQuery: SharedQuery<
      { key: string },
      { key: string; length: number }
    > = {
      text: `INSERT INTO "RowProbe" (key) SELECT key FROM jsonb_to_recordset($1::jsonb) AS r(key text)
        RETURNING key, length(key) AS length`,
      key: (row) => row.key,
    };

    it("leave as one statement ahead of the next one, and each caller gets its own row", async () => {
      const before = await statements();
      const answers = await db.sql.transaction(async (tx) => {
        const asked = ["query-a", "query-bb", "query-ccc"].map((key) =>
          tx.queryRow(probeQuery, { key }),
        );
        await tx.query("SELECT 1");
        return Promise.all(asked);
      });
      expect(answers).toEqual([
        { key: "query-a", length: 7 },
        { key: "query-bb", length: 8 },
        { key: "query-ccc", length: 9 },
      ]);
      expect((await statements()) - before).toBe(1);
    });

    it("leave by the end of the turn when no statement follows them", async () => {
      const answer = await db.sql.transaction((tx) =>
        tx.queryRow(probeQuery, { key: "alone" }),
      );
      expect(answer).toEqual({ key: "alone", length: 5 });
    });

    it("fail each caller with their statement's error, and nothing commits", async () => {
      await db.sql.query(`INSERT INTO "RowProbe" (key) VALUES ('clash-b')`);
      const errors: unknown[] = [];
      const transaction = db.sql.transaction(async (tx) => {
        const asked = ["clash-a", "clash-b"].map((key) =>
          tx.queryRow(probeQuery, { key }).catch((error: unknown) => {
            errors.push(error);
          }),
        );
        await Promise.all(asked);
      });
      await expect(transaction).rejects.toThrow();
      expect(errors).toHaveLength(2);
      for (const error of errors)
        expect(String(error)).toMatch(/RowProbe_pkey/);
      expect(await rowsLike("clash-")).toEqual(["clash-b"]);
    });
  });

  it("given after a statement, leave with the next one or with the commit", async () => {
    const before = await statements();
    await db.sql.transaction(async (tx) => {
      tx.writeRow(probeRow, { key: "later-a" });
      await tx.query("SELECT 1");
      tx.writeRow(probeRow, { key: "later-b" });
    });
    expect((await statements()) - before).toBe(2);
    expect(await rowsLike("later-")).toEqual(["later-a", "later-b"]);
  });
});
