import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient, type Prisma } from "@prisma/client";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import {
  applyMigrations,
  readMigrations,
  type SqlConnection,
} from "./migrations.server";

/** A Prisma client inside an interactive transaction; services take it so callers own the transaction. */
export type Tx = Prisma.TransactionClient;

/**
 * Runs `work` in one interactive transaction. Writes for one member queue on its row lock, so the
 * wait and run limits are wider than Prisma's defaults (2 s / 5 s) to survive a burst on one member.
 */
export function inTransaction<T>(
  prisma: PrismaClient,
  work: (tx: Tx) => Promise<T>,
): Promise<T> {
  return prisma.$transaction(work, { maxWait: 15_000, timeout: 20_000 });
}

export type DatabaseKind = "postgresql" | "pglite";

export interface Database {
  prisma: PrismaClient;
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
  const parsed = new URL(url);
  return {
    prisma,
    kind: "postgresql",
    description: `PostgreSQL ${parsed.host}${parsed.pathname}`,
    close: () => prisma.$disconnect(),
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
    kind: "pglite",
    description: `PGlite ${dataDir}`,
    close: async () => {
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}
