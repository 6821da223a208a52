import { randomBytes } from "node:crypto";
import pg from "pg";
import {
  openDatabase,
  type Database,
  type Queryable,
} from "~/db/client.server";

export interface TestDatabase extends Database {
  /** Closes the connections and drops the throwaway database. */
  destroy(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: a new database on the PostgreSQL server when
 * DATABASE_URL is set (CI sets it), otherwise an in-memory PGlite.
 */
/** The keys starting with `prefix` of a test's probe table (a table with a text `key`), in order. */
export async function keysLike(
  sql: Queryable,
  table: string,
  prefix: string,
): Promise<string[]> {
  const rows = await sql.query<{ key: string }>(
    `SELECT key FROM "${table}" WHERE key LIKE $1 ORDER BY key`,
    [`${prefix}%`],
  );
  return rows.map((row) => row.key);
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const database = await openDatabase({ dataDir: "memory://" });
    return { ...database, destroy: () => database.close() };
  }
  const name = `loyalty_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  await withAdminClient(serverUrl, (client) =>
    client.query(`CREATE DATABASE "${name}"`),
  );
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.href });
  return {
    ...database,
    destroy: async () => {
      await database.close();
      await withAdminClient(serverUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      );
    },
  };
}

async function withAdminClient<T>(
  serverUrl: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
