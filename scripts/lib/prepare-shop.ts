import type { Database } from "../../app/db/client.server";
import type { ProgramConfig } from "../../app/loyalty/program";
import {
  ensureShop,
  programConfig,
  saveProgramConfig,
} from "../../app/services/program.server";

/**
 * The state an installed shop is in, written straight to its database: the shop row, the program
 * switched on (changed by `configure`), and the offline session the app's Admin calls use.
 */
export async function prepareShop(
  database: Database,
  options: {
    shop: string;
    accessToken: string;
    configure?: (config: ProgramConfig) => ProgramConfig;
  },
): Promise<void> {
  const { shop } = options;
  await database.sql.transaction(async (tx) => {
    await ensureShop(tx, { shop, currency: "USD", timezone: "UTC" });
    const config = await programConfig(tx, shop);
    if (!config) throw new Error(`ensureShop left no program for ${shop}`);
    const enabled = { ...config, enabled: true };
    await saveProgramConfig(
      tx,
      shop,
      options.configure ? options.configure(enabled) : enabled,
    );
  });
  await storeOfflineSession(database, shop, options.accessToken);
}

/** The offline session the app's Admin API calls for `shop` use. */
export async function storeOfflineSession(
  database: Database,
  shop: string,
  accessToken: string,
): Promise<void> {
  await database.prisma.session.upsert({
    where: { id: `offline_${shop}` },
    create: {
      id: `offline_${shop}`,
      shop,
      state: "local",
      isOnline: false,
      accessToken,
      scope:
        "read_customers,write_customers,read_orders,write_discounts,write_store_credit_account_transactions",
    },
    update: { accessToken },
  });
}
