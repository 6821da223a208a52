// Prisma's schema engine compiled to WebAssembly, loaded by hand: the Prisma CLI downloads a native
// engine on every command and cannot run offline, and the package targets bundlers (it imports its
// .wasm as an ES module, which Node cannot). Internal API, so it stays behind this one module and
// is only used to write migration SQL and to check the committed migrations against the schema.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import * as bindings from "@prisma/schema-engine-wasm/schema_engine_bg";

const require = createRequire(import.meta.url);

async function loadEngineModule() {
  const wasmPath = join(
    dirname(require.resolve("@prisma/schema-engine-wasm")),
    "schema_engine_bg.wasm",
  );
  const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), {
    "./schema_engine_bg.js": bindings as unknown as WebAssembly.ModuleImports,
  });
  bindings.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return bindings;
}

const noFilters = { externalTables: [], externalEnums: [] };

/** SQL that takes a database from the state `fromSql` builds (empty when absent) to `schema`. */
export async function diffToSchema(
  schema: string,
  fromSql: string[] = [],
): Promise<string> {
  const { SchemaEngine } = await loadEngineModule();
  const pglite = new PGlite();
  for (const sql of fromSql) await pglite.exec(sql);
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPGlite(pglite));
  const engine = await SchemaEngine.new(
    { datamodels: [["schema.prisma", schema]] },
    () => {},
    adapter,
  );
  try {
    const result = await engine.diff({
      from: {
        tag: "schemaDatasource",
        files: [{ path: "schema.prisma", content: schema }],
        configDir: ".",
      },
      to: {
        tag: "schemaDatamodel",
        files: [{ path: "schema.prisma", content: schema }],
      },
      script: true,
      exitCode: null,
      filters: noFilters,
    });
    return result.stdout ?? "";
  } finally {
    engine.free();
    await pglite.close();
  }
}
