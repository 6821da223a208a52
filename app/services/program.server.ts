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

/** The shop's row, created with the default program (switched off) the first time the app meets it. */
export async function ensureShop(tx: Tx, facts: ShopFacts) {
  return tx.shop.upsert({
    where: { shop: facts.shop },
    create: {
      shop: facts.shop,
      currency: facts.currency,
      timezone: facts.timezone ?? "UTC",
      config: serialiseConfig(defaultProgramConfig(facts.currency)),
    },
    update: {
      uninstalledAt: null,
      ...(facts.timezone ? { timezone: facts.timezone } : {}),
    },
  });
}

export async function programConfig(
  tx: Tx,
  shop: string,
): Promise<ProgramConfig | null> {
  const row = await tx.shop.findUnique({
    where: { shop },
    select: { config: true },
  });
  return row ? programConfigSchema.parse(row.config) : null;
}

export async function saveProgramConfig(
  tx: Tx,
  shop: string,
  config: ProgramConfig,
): Promise<void> {
  await tx.shop.update({
    where: { shop },
    data: { config: serialiseConfig(programConfigSchema.parse(config)) },
  });
}

// Dates become ISO strings in JSON; the schema coerces them back on read.
function serialiseConfig(config: ProgramConfig) {
  return {
    ...config,
    programStartAt: config.programStartAt?.toISOString() ?? null,
  };
}
