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
    await tx.session.deleteMany({ where: { shop } });
    await tx.shop.updateMany({
      where: { shop },
      data: { uninstalledAt: triggeredAt ?? new Date() },
    });
    return { status: "applied" };
  },
};

/** Keeps stored sessions' scopes in step when the merchant grants or revokes optional scopes. */
export const appScopesUpdate: TopicHandler<typeof appScopesUpdatePayload> = {
  topic: "APP_SCOPES_UPDATE",
  payload: appScopesUpdatePayload,
  async handle(tx, { shop, payload }) {
    await tx.session.updateMany({
      where: { shop },
      data: { scope: payload.current.join(",") },
    });
    return { status: "applied" };
  },
};
