import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/** The little a migration needs from a connection; PostgreSQL (pg) and PGlite both fit. */
export interface SqlConnection {
  query<Row = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
  ): Promise<{ rows: Row[] }>;
  exec(sql: string): Promise<unknown>;
}

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export const migrationsDirectory = new URL(
  "../../prisma/migrations/",
  import.meta.url,
);

// Prisma's own history table, so `prisma migrate status` and friends read this database as theirs.
const historyTable = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

// The key Prisma Migrate itself locks with, so this runner and Prisma never migrate at once.
const migrationLockKey = 72707369;

export async function readMigrations(
  directory: URL | string = migrationsDirectory,
): Promise<Migration[]> {
  const path = directory instanceof URL ? directory.pathname : directory;
  const names = (await readdir(path, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(path, name, "migration.sql"), "utf8");
      return {
        name,
        sql,
        checksum: createHash("sha256").update(sql).digest("hex"),
      };
    }),
  );
}

export class MigrationError extends Error {}

/**
 * Applies every committed migration not yet recorded, each in its own transaction, and refuses to
 * run over an applied migration whose file has since changed.
 */
export async function applyMigrations(
  connection: SqlConnection,
  migrations: Migration[],
  options: { useAdvisoryLock: boolean },
): Promise<string[]> {
  if (options.useAdvisoryLock)
    await connection.query("SELECT pg_advisory_lock($1)", [migrationLockKey]);
  try {
    await connection.exec(historyTable);
    const { rows } = await connection.query<{
      migration_name: string;
      checksum: string;
    }>(
      `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const applied = new Map(
      rows.map((row) => [row.migration_name, row.checksum]),
    );
    const appliedNow: string[] = [];
    for (const migration of migrations) {
      const checksum = applied.get(migration.name);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new MigrationError(
            `Migration ${migration.name} was changed after it was applied.`,
          );
        }
        continue;
      }
      await connection.exec("BEGIN");
      try {
        await connection.exec(migration.sql);
        await connection.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), 1)`,
          [randomUUID(), migration.checksum, migration.name],
        );
        await connection.exec("COMMIT");
      } catch (error) {
        await connection.exec("ROLLBACK");
        throw new MigrationError(
          `Migration ${migration.name} failed: ${(error as Error).message}`,
          { cause: error },
        );
      }
      appliedNow.push(migration.name);
    }
    return appliedNow;
  } finally {
    if (options.useAdvisoryLock)
      await connection.query("SELECT pg_advisory_unlock($1)", [
        migrationLockKey,
      ]);
  }
}
