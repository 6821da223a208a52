// The app's Shopify Flow extensions as tests read them: a reader for the small part of TOML their
// shopify.extension.toml files use, and a check of a trigger payload against the fields a
// trigger declares (https://shopify.dev/docs/apps/build/flow/triggers/reference).
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

type Value = string | number | boolean;
export type Table = Record<string, Value>;

export interface FlowExtension {
  directory: string;
  extension: Table;
  fields: Table[];
}

const root = fileURLToPath(new URL("../../extensions/", import.meta.url));

/**
 * Reads `[[extensions]]`, `[settings]` and `[[settings.fields]]` tables of `key = value` lines
 * (double-quoted strings, booleans, integers); anything else is an error, so a file this reader
 * misunderstands fails the tests rather than passing them.
 */
export function readExtensionToml(text: string): {
  extensions: Table[];
  fields: Table[];
} {
  const extensions: Table[] = [];
  const fields: Table[] = [];
  let current: Table | null = null;
  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (line === "[[extensions]]") {
      current = {};
      extensions.push(current);
    } else if (line === "[[settings.fields]]") {
      current = {};
      fields.push(current);
    } else if (line === "[settings]") {
      current = null;
    } else {
      const match = /^([A-Za-z_][\w-]*)\s*=\s*(.+)$/.exec(line);
      if (!match || current === null)
        throw new Error(`line ${index + 1} is not understood: ${raw}`);
      const [, key = "", value = ""] = match;
      current[key] = parseValue(value, index + 1);
    }
  }
  return { extensions, fields };
}

function parseValue(text: string, line: number): Value {
  if (text === "true" || text === "false") return text === "true";
  if (/^-?\d+$/.test(text)) return Number(text);
  if (/^"(?:[^"\\]|\\.)*"$/.test(text)) return JSON.parse(text) as string;
  throw new Error(`line ${line}: unsupported value ${text}`);
}

/** Every Flow extension of `type` under extensions/, with its directory. */
export async function flowExtensions(type: string): Promise<FlowExtension[]> {
  const found: FlowExtension[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const text = await readFile(
      join(root, entry.name, "shopify.extension.toml"),
      "utf8",
    ).catch(() => null);
    // The UI extensions' files use more of TOML than this reader knows; they are not Flow's.
    if (text === null || !/^type = "flow_/m.test(text)) continue;
    const { extensions, fields } = readExtensionToml(text);
    for (const extension of extensions)
      if (extension.type === type)
        found.push({ directory: entry.name, extension, fields });
  }
  return found;
}

/** The custom field types a trigger may declare, and how a payload value of each is checked. */
const FIELD_CHECKS: Record<string, (value: unknown) => boolean> = {
  single_line_text_field: (value) =>
    typeof value === "string" && !value.includes("\n"),
  number_decimal: (value) =>
    typeof value === "number" && Number.isFinite(value),
  boolean: (value) => typeof value === "boolean",
  email: (value) =>
    typeof value === "string" && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value),
  url: (value) => typeof value === "string" && URL.canParse(value),
};

/** A reference field arrives in the payload under the referenced resource's id. */
const REFERENCE_KEYS: Record<string, string> = {
  customer_reference: "customer_id",
  order_reference: "order_id",
  product_reference: "product_id",
};

export const TRIGGER_FIELD_TYPES = [
  ...Object.keys(FIELD_CHECKS),
  ...Object.keys(REFERENCE_KEYS),
];

export const FLOW_PAYLOAD_MAX_BYTES = 50_000;

/**
 * What is wrong with `payload` for a trigger declaring `fields`: every declared field present with
 * a value of its type, nothing undeclared, at most 50 KB. Empty when it fits.
 */
export function triggerPayloadProblems(
  fields: readonly Table[],
  payload: unknown,
): string[] {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload))
    return ["the payload is not an object"];
  const values = new Map(Object.entries(payload));
  const problems: string[] = [];
  const declared = new Set<string>();
  for (const field of fields) {
    const type = String(field.type);
    const reference = REFERENCE_KEYS[type];
    const key = reference ?? String(field.key);
    declared.add(key);
    const check =
      reference === undefined
        ? FIELD_CHECKS[type]
        : (value: unknown) =>
            typeof value === "number" &&
            Number.isSafeInteger(value) &&
            value > 0;
    if (check === undefined) {
      problems.push(`${key}: unknown field type ${type}`);
    } else if (!values.has(key)) {
      problems.push(`${key}: missing`);
    } else if (!check(values.get(key))) {
      problems.push(
        `${key}: ${JSON.stringify(values.get(key))} is not a ${type}`,
      );
    }
  }
  for (const key of values.keys())
    if (!declared.has(key)) problems.push(`${key}: not declared`);
  const size = Buffer.byteLength(JSON.stringify(payload));
  if (size > FLOW_PAYLOAD_MAX_BYTES)
    problems.push(`${size} bytes, above ${FLOW_PAYLOAD_MAX_BYTES}`);
  return problems;
}

/** The fields of the trigger extension with `handle`; throws when there is none. */
export async function triggerFields(handle: string): Promise<Table[]> {
  const trigger = (await flowExtensions("flow_trigger")).find(
    (candidate) => candidate.extension.handle === handle,
  );
  if (!trigger)
    throw new Error(`no flow_trigger extension has handle ${handle}`);
  return trigger.fields;
}
