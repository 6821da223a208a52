import {
  defaultAdminUrl,
  unreachableReason,
} from "../../scripts/bench/postgres";
import { postgresSql, type SqlDatabase } from "~/db/sql.server";

/**
 * A PostgreSQL server (DATABASE_URL's, else the local default one), for what only a server does:
 * drop a connection under a transaction, as a restart or a failover does, or answer a COMMIT that
 * was sent ahead of the statements behind it.
 */
export const serverUrl = process.env.DATABASE_URL || defaultAdminUrl;

/** The write path on the server with `poolSize` connections, closed when `use` is done. */
export async function onServer(
  context: { skip(note: string): void },
  poolSize: number,
  use: (sql: SqlDatabase) => Promise<void>,
) {
  const unreachable = await unreachableReason(serverUrl);
  if (unreachable) context.skip(`no PostgreSQL server: ${unreachable}`);
  const sql = postgresSql(serverUrl, poolSize);
  try {
    await use(sql);
  } finally {
    await sql.close();
  }
}
