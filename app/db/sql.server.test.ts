import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { expect, it } from "vitest";
import { unreachableReason } from "../../scripts/bench/postgres";
import { onServer, serverUrl } from "../../test/support/postgres-server";
import { postgresSql } from "./sql.server";

it("a connection the server drops between a transaction's statements fails that transaction, not the process", async (context) => {
  const unreachable = await unreachableReason(serverUrl);
  if (unreachable) context.skip(`no PostgreSQL server: ${unreachable}`);
  const sql = postgresSql(serverUrl, 2);
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const transaction = sql.transaction(async (tx) => {
      const [row] = await tx.query<{ pid: number }>(
        "SELECT pg_backend_pid() AS pid",
      );
      await admin.query("SELECT pg_terminate_backend($1)", [row?.pid]);
      // The server's goodbye arrives while no statement is running: an 'error' event.
      await sleep(200);
      return tx.query("SELECT 1");
    });
    await expect(transaction).rejects.toThrow();
    // The lost connection is not handed out again.
    expect(await sql.transaction((tx) => tx.query("SELECT 1 AS one"))).toEqual([
      { one: 1 },
    ]);
  } finally {
    await admin.end();
    await sql.close();
  }
});

it("a transaction waiting for the connection starts behind a COMMIT in flight, and keeps its work when that COMMIT rolls back", (context) =>
  // One connection, so both transactions share it, and so does the session's temporary table.
  onServer(context, 1, async (sql) => {
    await sql.query("CREATE TEMP TABLE chained (id int PRIMARY KEY)");
    const events: string[] = [];
    let commitSent = false;
    const first = sql.transaction(
      async (tx) => {
        tx.write("INSERT INTO chained VALUES (1)");
        // A duplicate: the COMMIT is answered with a rollback.
        tx.write("INSERT INTO chained VALUES (1)");
        return "first";
      },
      { onCommitSent: () => (commitSent = true) },
    );
    const firstSettled = first.then(
      () => events.push("first settled"),
      () => events.push("first settled"),
    );
    const second = sql.transaction(async (tx) => {
      events.push("second began");
      await tx.query("INSERT INTO chained VALUES (2) RETURNING id");
      tx.write("INSERT INTO chained VALUES (3)");
      return "second";
    });
    await expect(first).rejects.toThrow(/duplicate key/);
    expect(await second).toBe("second");
    await firstSettled;
    expect(commitSent).toBe(true);
    expect(events).toEqual(["second began", "first settled"]);
    expect(await sql.query("SELECT id FROM chained ORDER BY id")).toEqual([
      { id: 2 },
      { id: 3 },
    ]);
  }));

it("answers a query asked for between two writes of the same turn, as when two deliveries share a transaction", (context) =>
  onServer(context, 1, async (sql) => {
    await sql.query("CREATE TEMP TABLE interleaved (id int PRIMARY KEY)");
    const answered = await sql.transaction(async (tx) => {
      // One delivery's write, another's query, then the first one's next write, all in one turn:
      // the query must leave for the server even though a write follows it.
      tx.write("INSERT INTO interleaved VALUES (1)");
      const counted = tx.query<{ count: number }>(
        "SELECT count(*)::int AS count FROM interleaved",
      );
      tx.write("INSERT INTO interleaved VALUES (2)");
      return counted;
    });
    expect(answered).toEqual([{ count: 1 }]);
    expect(await sql.query("SELECT id FROM interleaved ORDER BY id")).toEqual([
      { id: 1 },
      { id: 2 },
    ]);
  }));
