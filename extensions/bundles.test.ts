import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  bundleExtension,
  extensionHandles,
  TARGET_BYTES,
} from "../scripts/extensions-build";
import { lookup, type Messages } from "./shared/testing/fake-i18n";

const APP_URL = "https://loyalty.example.test";
const PLURAL_FORMS = new Set(["zero", "one", "two", "few", "many", "other"]);

type Bundle = Awaited<ReturnType<typeof bundleExtension>>;
const bundles = new Map<string, Bundle>();

beforeAll(async () => {
  for (const handle of extensionHandles())
    bundles.set(handle, await bundleExtension(handle, APP_URL));
});

function bundle(handle: string): Bundle {
  const found = bundles.get(handle);
  if (found === undefined) throw new Error(`${handle} was not bundled`);
  return found;
}

function readLocale(handle: string, file: string): Messages {
  return JSON.parse(
    readFileSync(resolve(import.meta.dirname, handle, "locales", file), "utf8"),
  ) as Messages;
}

/** Dotted paths of the translatable entries; a plural group ({one, other}) counts as one entry. */
function entries(messages: Messages, prefix = ""): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const [key, value] of Object.entries(messages)) {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    if (typeof value === "string") found.set(path, [value]);
    else if (Object.keys(value).every((form) => PLURAL_FORMS.has(form))) {
      found.set(
        path,
        Object.values(value).filter((form) => typeof form === "string"),
      );
    } else
      for (const [nested, texts] of entries(value, path))
        found.set(nested, texts);
  }
  return found;
}

function placeholders(texts: string[]): string[] {
  return [
    ...new Set(
      texts.flatMap((text) =>
        [...text.matchAll(/\{\{(\w+)\}\}/g)].map((match) => match[1] ?? ""),
      ),
    ),
  ].sort();
}

/** Every key the extension's bundled source asks for: `t("…")` and `translate("…")` calls. */
function keysUsedBy(handle: string): { keys: Set<string>; dynamic: string[] } {
  const keys = new Set<string>();
  const dynamic: string[] = [];
  const sources = bundle(handle).inputs.filter((input) =>
    input.startsWith("extensions/"),
  );
  for (const source of sources) {
    const code = readFileSync(
      resolve(import.meta.dirname, "..", source),
      "utf8",
    );
    for (const match of code.matchAll(
      /\b(?:t|translate)\(\s*("([^"]*)"|[^\s)])/g,
    )) {
      if (match[2] === undefined) dynamic.push(`${source}: ${match[0]}`);
      else keys.add(match[2]);
    }
  }
  return { keys, dynamic };
}

describe.each(extensionHandles())("%s", (handle) => {
  it(`bundles within the ${TARGET_BYTES / 1024} KB compressed target`, () => {
    const { compressedBytes } = bundle(handle);

    expect(compressedBytes).toBeLessThanOrEqual(TARGET_BYTES);
  });

  it("calls the app at the APP_URL given at build time", () => {
    const { code } = bundle(handle);

    expect(code).toContain(APP_URL);
    expect(code).not.toContain("process.env");
  });

  it("has the same translations, with the same placeholders, in English and French", () => {
    const en = entries(readLocale(handle, "en.default.json"));
    const fr = entries(readLocale(handle, "fr.json"));

    expect([...fr.keys()].sort()).toEqual([...en.keys()].sort());
    for (const [key, texts] of en) {
      expect(placeholders(fr.get(key) ?? []), key).toEqual(placeholders(texts));
    }
  });

  it("translates every key its code uses, and no key is built at run time", () => {
    const { keys, dynamic } = keysUsedBy(handle);

    expect(dynamic).toEqual([]);
    expect(keys.size).toBeGreaterThan(10);
    for (const file of ["en.default.json", "fr.json"]) {
      const messages = readLocale(handle, file);
      const missing = [...keys].filter(
        (key) => lookup(messages, key) === undefined,
      );
      expect(missing, file).toEqual([]);
    }
  });

  it("has no translation that its code never uses", () => {
    const { keys } = keysUsedBy(handle);
    const unused = [
      ...entries(readLocale(handle, "en.default.json")).keys(),
    ].filter((key) => !keys.has(key));

    expect(unused).toEqual([]);
  });
});
