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
  const [row] = await tx.query<ShopRow & { config: unknown }>(
    `SELECT shop, currency, timezone, "installedAt", "uninstalledAt", config FROM "Shop" WHERE shop = $1`,
    [shop],
  );
  if (!row) return null;
  const { config, ...facts } = row;
  return { shop: facts, config: programConfigSchema.parse(config) };
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
