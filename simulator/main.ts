// Standalone simulator for the demo and manual runs:
//   tsx simulator/main.ts --shop demo.myshopify.com --token shpat_demo [--shop … --token …]
//   SIMULATOR_PORT=4010 SIMULATOR_SHOPS=demo.myshopify.com:shpat_demo[:EUR],… tsx simulator/main.ts
//   SIMULATOR_BUCKET_SIZE and SIMULATOR_RESTORE_RATE size every shop's cost bucket (benchmarks).
// Other processes register shops with POST /__simulator/shops.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { startShopifySimulator } from "./server";
import type { ShopRegistration } from "./state";

export function parseShopArguments(
  argv: readonly string[],
  env: { SIMULATOR_SHOPS?: string },
): ShopRegistration[] {
  const shops: ShopRegistration[] = [];
  for (const entry of (env.SIMULATOR_SHOPS ?? "").split(",")) {
    const [shop, accessToken, currencyCode] = entry.trim().split(":");
    if (shop && accessToken)
      shops.push({
        shop,
        accessToken,
        currencyCode: currencyCode || undefined,
      });
  }
  let pending: Partial<ShopRegistration> = {};
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index];
    const value = argv[index + 1];
    if (flag !== "--shop" && flag !== "--token" && flag !== "--currency")
      continue;
    if (value === undefined) throw new Error(`${flag} needs a value`);
    index += 1;
    if (flag === "--shop") {
      if (pending.shop)
        throw new Error(`--shop ${pending.shop} has no --token`);
      pending = { ...pending, shop: value };
    } else if (flag === "--token") {
      pending = { ...pending, accessToken: value };
    } else {
      pending = { ...pending, currencyCode: value };
    }
    if (pending.shop && pending.accessToken) {
      shops.push({
        shop: pending.shop,
        accessToken: pending.accessToken,
        currencyCode: pending.currencyCode,
      });
      pending = {};
    }
  }
  if (pending.shop || pending.accessToken)
    throw new Error("Each --shop needs a --token");
  return shops;
}

/** An optional positive number from the environment; undefined keeps the simulator's default. */
function positiveNumber(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`Invalid ${name}: ${text}`);
  return value;
}

async function main(): Promise<void> {
  const port = Number(process.env.SIMULATOR_PORT ?? 4010);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`Invalid SIMULATOR_PORT: ${process.env.SIMULATOR_PORT}`);
  const shops = parseShopArguments(process.argv.slice(2), {
    SIMULATOR_SHOPS: process.env.SIMULATOR_SHOPS,
  });
  const simulator = await startShopifySimulator({
    port,
    host: "127.0.0.1",
    bucketSize: positiveNumber("SIMULATOR_BUCKET_SIZE"),
    restoreRate: positiveNumber("SIMULATOR_RESTORE_RATE"),
  });
  for (const shop of shops) simulator.registerShop(shop);
  console.log(`Shopify simulator listening on ${simulator.origin}`);
  console.log(
    `  Admin GraphQL: ${simulator.origin}/admin/api/<version>/graphql.json`,
  );
  console.log(
    `  Shops: ${shops.map((shop) => shop.shop).join(", ") || "(none yet: POST /__simulator/shops)"}`,
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping the simulator`);
    simulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

// Run only as the entry point, so tests can import parseShopArguments.
const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(resolve(entry)).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
