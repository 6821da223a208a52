// Writes the migration that takes the committed migrations to prisma/schema.prisma:
//   npm run db:diff -- add_outbox
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { readMigrations } from "../../app/db/migrations.server";
import { diffToSchema } from "./schema-engine";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("Usage: npm run db:diff -- <snake_case_name>");
  process.exit(1);
}
const schema = await readFile(
  new URL("../../prisma/schema.prisma", import.meta.url),
  "utf8",
);
const migrations = await readMigrations();
const sql = await diffToSchema(
  schema,
  migrations.map((migration) => migration.sql),
);
if (sql.trim() === "" || sql.includes("This is an empty migration")) {
  console.log("The migrations already match prisma/schema.prisma.");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const directory = new URL(
  `../../prisma/migrations/${stamp}_${name}/`,
  import.meta.url,
);
await mkdir(directory, { recursive: true });
await writeFile(new URL("migration.sql", directory), sql);
console.log(`Wrote prisma/migrations/${stamp}_${name}/migration.sql`);
