// npm run extensions:build
// Bundles each UI extension the way the Shopify CLI does (one minified ESM file per extension,
// Preact and @shopify/ui-extensions inside it, one `shopify.extend` per target) and prints its
// size, minified and compressed. Shopify limits the compressed bundle to 64 KB
// (https://shopify.dev/docs/apps/build/app-extensions/optimize-bundle-size); this app's target is
// 30 KB compressed. Nothing is written to disk. APP_URL is taken from the environment like the
// CLI does; a placeholder stands in when it is unset, which does not change the size.
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

export const TARGET_BYTES = 30 * 1024;
const EXTENSIONS_DIR = resolve(
  fileURLToPath(import.meta.url),
  "../../extensions",
);

export interface ExtensionBundle {
  handle: string;
  targets: string[];
  /** Minified. */
  bytes: number;
  /** Minified then gzipped: what Shopify's limit counts. */
  compressedBytes: number;
}

interface Targeting {
  target: string;
  module: string;
}

/** The `[[extensions.targeting]]` entries of a shopify.extension.toml. */
export function readTargets(toml: string): Targeting[] {
  return toml
    .split(/^\[\[extensions\.targeting\]\]\s*$/m)
    .slice(1)
    .map((section) => {
      const target = /^target\s*=\s*"([^"]+)"/m.exec(section)?.[1];
      const module = /^module\s*=\s*"([^"]+)"/m.exec(section)?.[1];
      if (target === undefined || module === undefined) {
        throw new Error(
          `A [[extensions.targeting]] entry lacks target or module:\n${section}`,
        );
      }
      return { target, module };
    });
}

/** The UI extensions, the ones with code to bundle (Flow triggers and actions are toml only). */
export function extensionHandles(): string[] {
  return readdirSync(EXTENSIONS_DIR, { withFileTypes: true })
    .filter((entry) => {
      const toml = join(EXTENSIONS_DIR, entry.name, "shopify.extension.toml");
      return (
        entry.isDirectory() &&
        existsSync(toml) &&
        /^type = "ui_extension"$/m.test(readFileSync(toml, "utf8"))
      );
    })
    .map((entry) => entry.name)
    .sort();
}

export async function bundleExtension(
  handle: string,
  appUrl: string,
): Promise<ExtensionBundle & { code: string; inputs: string[] }> {
  const dir = join(EXTENSIONS_DIR, handle);
  const targets = readTargets(
    readFileSync(join(dir, "shopify.extension.toml"), "utf8"),
  );
  // The same entry the CLI generates: each target's default export handed to shopify.extend.
  const entry = targets
    .map(
      ({ target, module }, index) =>
        `import Target${index} from ${JSON.stringify(module)};\n` +
        `shopify.extend(${JSON.stringify(target)}, (...args) => Target${index}(...args));`,
    )
    .join("\n");
  const result = await build({
    stdin: {
      contents: entry,
      resolveDir: dir,
      loader: "js",
    },
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2020",
    jsx: "automatic",
    jsxImportSource: "preact",
    define: {
      "process.env.APP_URL": JSON.stringify(appUrl),
      "process.env.NODE_ENV": JSON.stringify("production"),
    },
    legalComments: "none",
    metafile: true,
    write: false,
    logLevel: "silent",
  });
  const [output] = result.outputFiles;
  if (output === undefined)
    throw new Error(`esbuild produced no bundle for ${handle}`);
  return {
    handle,
    targets: targets.map(({ target }) => target),
    bytes: output.contents.byteLength,
    compressedBytes: gzipSync(output.contents).byteLength,
    code: output.text,
    inputs: Object.keys(result.metafile.inputs),
  };
}

function kilobytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

async function main() {
  const appUrl = process.env.APP_URL ?? "https://loyalty.example.com";
  let over = false;
  for (const handle of extensionHandles()) {
    const bundle = await bundleExtension(handle, appUrl);
    const verdict =
      bundle.compressedBytes <= TARGET_BYTES ? "ok" : "OVER TARGET";
    over ||= bundle.compressedBytes > TARGET_BYTES;
    console.log(
      `${handle.padEnd(18)} ${kilobytes(bundle.bytes).padStart(8)} minified  ` +
        `${kilobytes(bundle.compressedBytes).padStart(8)} compressed / ${kilobytes(TARGET_BYTES)} target  ${verdict}`,
    );
  }
  if (over) process.exit(1);
}

if (
  process.argv[1] !== undefined &&
  resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  await main();
}
