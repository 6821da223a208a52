import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { expect, it } from "vitest";
import {
  defaultAdminUrl,
  unreachableReason,
} from "../../scripts/bench/postgres";
import { postgresSql } from "./sql.server";

// The write path on a PostgreSQL server (DATABASE_URL's, else the local default one): only a
// server can drop a connection under a transaction, as a restart or a failover does.
const serverUrl = process.env.DATABASE_URL || defaultAdminUrl;

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
