import { readFile, readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildSchema,
  parse,
  validate,
  type OperationDefinitionNode,
} from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_API_VERSION } from "~/shopify/api-version";

const root = fileURLToPath(new URL("../../", import.meta.url));

async function sourceFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(directory, entry.name);
      if (entry.isDirectory())
        return entry.name === "types" ? [] : sourceFiles(path);
      return /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".test.ts")
        ? [path]
        : [];
    }),
  );
  return nested.flat();
}

interface FoundDocument {
  file: string;
  source: string;
}

async function appDocuments(): Promise<FoundDocument[]> {
  const found: FoundDocument[] = [];
  for (const file of await sourceFiles(join(root, "app"))) {
    const text = await readFile(file, "utf8");
    for (const match of text.matchAll(/`(#graphql[\s\S]*?)`/g)) {
      found.push({ file: relative(root, file), source: match[1] ?? "" });
    }
  }
  return found;
}

describe("Admin GraphQL documents", () => {
  let documents: FoundDocument[];
  let schema: ReturnType<typeof buildSchema>;

  beforeAll(async () => {
    documents = await appDocuments();
    schema = buildSchema(
      await readFile(
        join(root, "shopify-schema/admin-2025-04.schema.graphql"),
        "utf8",
      ),
    );
  });

  it("exist in the app", () => {
    expect(documents.length).toBeGreaterThan(0);
  });

  it("are each one named Loyalty… operation with no interpolation, valid against the vendored Admin schema", () => {
    for (const { file, source } of documents) {
      expect(source, `${file} interpolates into a document`).not.toContain(
        "${",
      );
      const document = parse(source);
      const operations = document.definitions.filter(
        (definition): definition is OperationDefinitionNode =>
          definition.kind === "OperationDefinition",
      );
      expect(
        operations,
        `${file} must hold exactly one operation per document`,
      ).toHaveLength(1);
      expect(operations[0]?.name?.value ?? "(anonymous)", file).toMatch(
        /^Loyalty[A-Z]\w+$/,
      );
      expect(
        validate(schema, document).map((error) => `${file}: ${error.message}`),
      ).toEqual([]);
    }
  });

  it("have unique names", () => {
    const names = documents.map(
      ({ source }) => /(?:query|mutation)\s+(\w+)/.exec(source)?.[1],
    );
    expect(new Set(names).size).toBe(names.length);
  });

  it("are all typed by the committed codegen output", async () => {
    const generated = await readFile(
      join(root, "app/types/admin.generated.d.ts"),
      "utf8",
    );
    for (const { source } of documents) {
      expect(generated, "run `npm run graphql-codegen`").toContain(
        JSON.stringify(source),
      );
    }
  });
});

describe("the pinned Admin API version", () => {
  it("is the one shopify.app.toml subscribes webhooks with", async () => {
    const toml = await readFile(join(root, "shopify.app.toml"), "utf8");
    expect(/^api_version = "([\d-]+)"/m.exec(toml)?.[1]).toBe(
      ADMIN_API_VERSION,
    );
  });
});
