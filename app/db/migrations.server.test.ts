import { readFile } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { describe, expect, it } from "vitest";
import { diffToSchema } from "../../scripts/db/schema-engine";
import {
  applyMigrations,
  MigrationError,
  readMigrations,
} from "./migrations.server";

describe("committed migrations", () => {
  it("build exactly the database prisma/schema.prisma describes", async () => {
    const schema = await readFile(
      new URL("../../prisma/schema.prisma", import.meta.url),
      "utf8",
    );
    const migrations = await readMigrations();
    const remaining = await diffToSchema(
      schema,
      migrations.map((migration) => migration.sql),
    );
    expect(remaining.replace(/^--.*$/gm, "").trim()).toBe("");
  });

  it("index no member balance, so that a balance change updates the member's row in place", async () => {
    const pglite = new PGlite();
    await applyMigrations(pglite, await readMigrations(), {
      useAdvisoryLock: false,
    });
    const indexes = await pglite.query<{ indexdef: string }>(
      `SELECT indexdef FROM pg_indexes WHERE tablename = 'Member'`,
    );
    // One indexed balance makes every earn, hold and expiry write the row into all of the
    // table's indexes (docs/decisions/007-webhook-path.md).
    const balances = /\b(available|pending|held|"lifetimeEarned")\b/;
    expect(indexes.rows.length).toBeGreaterThan(0);
    expect(
      indexes.rows.filter((index) => balances.test(index.indexdef)),
    ).toEqual([]);
  });

  it("apply once, record Prisma's history, and are a no-op the second time", async () => {
    const pglite = new PGlite();
    const migrations = await readMigrations();
    expect(
      await applyMigrations(pglite, migrations, { useAdvisoryLock: false }),
    ).toEqual(migrations.map((migration) => migration.name));
    expect(
      await applyMigrations(pglite, migrations, { useAdvisoryLock: false }),
    ).toEqual([]);
    const history = await pglite.query<{
      migration_name: string;
      checksum: string;
    }>(
      `SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(history.rows).toEqual(
      migrations.map(({ name, checksum }) => ({
        migration_name: name,
        checksum,
      })),
    );
    await pglite.close();
  });

  it("refuse to continue over an applied migration whose file changed", async () => {
    const pglite = new PGlite();
    const migrations = await readMigrations();
    await applyMigrations(pglite, migrations, { useAdvisoryLock: false });
    const edited = migrations.map((migration, index) =>
      index === 0 ? { ...migration, checksum: "0".repeat(64) } : migration,
    );
    await expect(
      applyMigrations(pglite, edited, { useAdvisoryLock: false }),
    ).rejects.toThrow(MigrationError);
    await pglite.close();
  });

  it("roll back a failing migration and leave no history row for it", async () => {
    const pglite = new PGlite();
    const broken = [
      {
        name: "99990101000000_broken",
        sql: "CREATE TABLE t (id int); SELECT nonsense(",
        checksum: "x",
      },
    ];
    await expect(
      applyMigrations(pglite, broken, { useAdvisoryLock: false }),
    ).rejects.toThrow(/broken failed/);
    const tables = await pglite.query(
      `SELECT 1 FROM information_schema.tables WHERE table_name = 't'`,
    );
    expect(tables.rows).toHaveLength(0);
    const history = await pglite.query(`SELECT 1 FROM "_prisma_migrations"`);
    expect(history.rows).toHaveLength(0);
    await pglite.close();
  });
});
