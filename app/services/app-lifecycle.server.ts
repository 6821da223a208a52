import {
  appScopesUpdatePayload,
  appUninstalledPayload,
} from "~/shopify/webhook-payloads";
import type { TopicHandler } from "./webhook-runner.server";

/** Sessions go at once; the program's data stays until Shopify sends shop/redact (48 h later). */
export const appUninstalled: TopicHandler<typeof appUninstalledPayload> = {
  topic: "APP_UNINSTALLED",
  payload: appUninstalledPayload,
  async handle(tx, { shop, triggeredAt }) {
    await tx.query(`DELETE FROM "Session" WHERE shop = $1`, [shop]);
    await tx.query(
      `UPDATE "Shop" SET "uninstalledAt" = $2, "updatedAt" = now() WHERE shop = $1`,
      [shop, triggeredAt ?? new Date()],
    );
    return { status: "applied" };
  },
};

/** Keeps stored sessions' scopes in step when the merchant grants or revokes optional scopes. */
export const appScopesUpdate: TopicHandler<typeof appScopesUpdatePayload> = {
  topic: "APP_SCOPES_UPDATE",
  payload: appScopesUpdatePayload,
  async handle(tx, { shop, payload }) {
    await tx.query(`UPDATE "Session" SET scope = $2 WHERE shop = $1`, [
      shop,
      payload.current.join(","),
    ]);
    return { status: "applied" };
  },
};
