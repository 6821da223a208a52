import type { ProgramConfig } from "~/loyalty/program";
import { programConfig, saveProgramConfig } from "~/services/program.server";
import { registerLocalShop } from "../../scripts/lib/register-shop";
import { orderPayload } from "../../simulator/webhooks";
import type { TestStack } from "./stack";
import { sendWebhook } from "./webhooks";

/**
 * A shop registered with the app (offline session) and the simulator, its program switched on
 * from 2025 with `change` applied, in `timezone`.
 */
export async function openProgramShop(
  stack: TestStack,
  shop: string,
  options: {
    change?: (config: ProgramConfig) => ProgramConfig;
    timezone?: string;
  } = {},
): Promise<string> {
  await registerLocalShop({ shop, accessToken: `shpat_${shop.split(".")[0]}` });
  await stack.db.sql.transaction(async (tx) => {
    const config = await programConfig(tx, shop);
    if (!config) throw new Error(`${shop} has no program`);
    const opened = {
      ...config,
      enabled: true,
      programStartAt: new Date("2025-01-01T00:00:00Z"),
    };
    await saveProgramConfig(tx, shop, options.change?.(opened) ?? opened);
    await tx.query(`UPDATE "Shop" SET timezone = $2 WHERE shop = $1`, [
      shop,
      options.timezone ?? "UTC",
    ]);
  });
  return shop;
}

/** A signed orders/paid of one line at `price` by `customer`, placed at `createdAt`. */
export function sendPaidOrder(
  stack: TestStack,
  shop: string,
  order: {
    id: number;
    price: string;
    customer: { id: number; email: string };
    createdAt: Date;
  },
) {
  return sendWebhook(
    stack.app,
    shop,
    "orders/paid",
    orderPayload({
      id: order.id,
      currency: "USD",
      customer: order.customer,
      lines: [{ id: order.id * 10, price: order.price, quantity: 1 }],
      createdAt: order.createdAt.toISOString(),
    }),
  );
}
