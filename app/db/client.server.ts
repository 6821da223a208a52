import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@prisma/client";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import {
  applyMigrations,
  readMigrations,
  type SqlConnection,
} from "./migrations.server";
import { pgliteSql, postgresSql, type SqlDatabase } from "./sql.server";

export type { Queryable, Tx } from "./sql.server";

export type DatabaseKind = "postgresql" | "pglite";

export interface Database {
  /** Sessions (the library's storage) and read models. */
  prisma: PrismaClient;
  /** The write path: services take its `Tx` and run inside `sql.transaction`. */
  sql: SqlDatabase;
  kind: DatabaseKind;
  /** Where it lives, without credentials, for logs. */
  description: string;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgresql://… for a server; absent for the embedded database. */
  url?: string;
  /** PGlite data directory; "memory://" keeps it in memory. */
  dataDir?: string;
  migrate?: boolean;
}

export const defaultPgliteDataDir = ".data/pglite";

export async function openDatabase(
  options: DatabaseOptions = {},
): Promise<Database> {
  const migrate = options.migrate ?? true;
  if (options.url) return openPostgres(options.url, migrate);
  return openPglite(options.dataDir ?? defaultPgliteDataDir, migrate);
}

async function openPostgres(url: string, migrate: boolean): Promise<Database> {
  if (migrate) await migratePostgres(url);
  const prisma = new PrismaClient({
    adapter: new PrismaPg({ connectionString: url }),
  });
  const sql = postgresSql(url);
  const parsed = new URL(url);
  return {
    prisma,
    sql,
    kind: "postgresql",
    description: `PostgreSQL ${parsed.host}${parsed.pathname}`,
    close: async () => {
      await prisma.$disconnect();
      await sql.close();
    },
  };
}

export async function migratePostgres(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const connection: SqlConnection = {
      query: async (sql, params) => ({
        rows: (await client.query(sql, params)).rows,
      }),
      exec: (sql) => client.query(sql),
    };
    return await applyMigrations(connection, await readMigrations(), {
      useAdvisoryLock: true,
    });
  } finally {
    await client.end();
  }
}

async function openPglite(
  dataDir: string,
  migrate: boolean,
): Promise<Database> {
  if (!dataDir.includes("://")) await mkdir(dataDir, { recursive: true });
  const pglite = new PGlite(dataDir);
  // One embedded connection: nothing else can migrate it concurrently, so no advisory lock.
  if (migrate)
    await applyMigrations(pglite, await readMigrations(), {
      useAdvisoryLock: false,
    });
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    prisma,
    sql: pgliteSql(pglite),
    kind: "pglite",
    description: `PGlite ${dataDir}`,
    close: async () => {
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}
