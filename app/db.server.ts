import { env } from "./env.server";
import { openDatabase, type Database } from "./db/client.server";

declare global {
  // Survives Vite's module reloads in development, and lets the test harness and scripts hand the
  // app a database they have already opened.
  var loyaltyDatabase: Promise<Database> | undefined;
}

export function database(): Promise<Database> {
  globalThis.loyaltyDatabase ??= openDatabase({
    url: env().DATABASE_URL,
    dataDir: env().PGLITE_DATA_DIR,
  });
  return globalThis.loyaltyDatabase;
}

const prisma = (await database()).prisma;

export default prisma;

/** The write path's SQL (see app/db/sql.server.ts). */
export const sql = (await database()).sql;
