import type { Tx } from "~/db/client.server";
import {
  defaultProgramConfig,
  programConfigSchema,
  type ProgramConfig,
} from "~/loyalty/program";

export interface ShopFacts {
  shop: string;
  currency: string;
  timezone?: string;
}

export interface ShopRow {
  shop: string;
  currency: string;
  timezone: string;
  installedAt: Date;
  uninstalledAt: Date | null;
}

/** The shop's row, created with the default program (switched off) the first time the app meets it. */
export async function ensureShop(tx: Tx, facts: ShopFacts): Promise<ShopRow> {
  const [row] = await tx.query<ShopRow>(
    `INSERT INTO "Shop" (shop, currency, timezone, config, "updatedAt")
     VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (shop) DO UPDATE SET "uninstalledAt" = NULL,
       timezone = COALESCE($5, "Shop".timezone), "updatedAt" = now()
     RETURNING shop, currency, timezone, "installedAt", "uninstalledAt"`,
    [
      facts.shop,
      facts.currency,
      facts.timezone ?? "UTC",
      serialiseConfig(defaultProgramConfig(facts.currency)),
      facts.timezone ?? null,
    ],
  );
  if (!row) throw new Error(`could not record shop ${facts.shop}`);
  return row;
}

export async function shopWithProgram(
  tx: Tx,
  shop: string,
): Promise<{ shop: ShopRow; config: ProgramConfig } | null> {
  const [row] = await tx.query<ShopRow & { config: string }>(
    `SELECT shop, currency, timezone, "installedAt", "uninstalledAt", config::text AS config
     FROM "Shop" WHERE shop = $1`,
    [shop],
  );
  if (!row) return null;
  const { config, ...facts } = row;
  return { shop: facts, config: readProgramConfig(config) };
}

const readConfigs = new Map<string, ProgramConfig>();
const maxReadConfigs = 1_000;

/**
 * The program stored as `text` (jsonb read as text), validated once per distinct text: every
 * webhook and checkout read needs it, and it changes only when a merchant saves settings. The
 * result is shared between callers, so it is frozen: a caller that tried to change it would fail
 * loudly rather than change another request's program.
 */
export function readProgramConfig(text: string): ProgramConfig {
  const known = readConfigs.get(text);
  if (known) return known;
  const config = deepFreeze(programConfigSchema.parse(JSON.parse(text)));
  // Oldest first out: a Map iterates in insertion order.
  if (readConfigs.size >= maxReadConfigs)
    readConfigs.delete(readConfigs.keys().next().value ?? "");
  readConfigs.set(text, config);
  return config;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

export async function programConfig(
  tx: Tx,
  shop: string,
): Promise<ProgramConfig | null> {
  return (await shopWithProgram(tx, shop))?.config ?? null;
}

export async function saveProgramConfig(
  tx: Tx,
  shop: string,
  config: ProgramConfig,
): Promise<void> {
  await tx.query(
    `UPDATE "Shop" SET config = $2, "updatedAt" = now() WHERE shop = $1`,
    [shop, serialiseConfig(programConfigSchema.parse(config))],
  );
}

// Dates become ISO strings in JSON; the schema coerces them back on read.
function serialiseConfig(config: ProgramConfig) {
  return {
    ...config,
    programStartAt: config.programStartAt?.toISOString() ?? null,
  };
}
