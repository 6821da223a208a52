// Runs after `npm install`: generates the Prisma client and creates or migrates the database
// (the embedded one unless DATABASE_URL says otherwise), so the app and the tests can start.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const env = { ...process.env };
// Prisma 7's CLI looks for a native schema engine (and downloads one, which fails offline) even
// for `generate`, which never runs it; pointing it at a harmless binary lets generate proceed.
if (!env.PRISMA_SCHEMA_ENGINE_BINARY && existsSync("/bin/false"))
  env.PRISMA_SCHEMA_ENGINE_BINARY = "/bin/false";
execFileSync(
  process.execPath,
  [require.resolve("prisma/build/index.js"), "generate"],
  { stdio: "inherit", env },
);

const { openDatabase } = await import("../app/db/client.server");
const database = await openDatabase({
  url: process.env.DATABASE_URL || undefined,
  dataDir: process.env.PGLITE_DATA_DIR,
});
console.log(`Database ready: ${database.description}`);
await database.close();
