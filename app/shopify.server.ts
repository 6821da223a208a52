import "@shopify/shopify-app-remix/adapters/node";
import {
  AppDistribution,
  LogSeverity,
  shopifyApp,
} from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import prisma, { sql } from "./db.server";
import { env } from "./env.server";
import { syncShopDetails } from "./services/shop-setup.server";
import { routeAdminApiTo } from "./shopify/admin-origin.server";
import { ADMIN_API_VERSION } from "./shopify/api-version";

const config = env();
if (config.SHOPIFY_ADMIN_API_ORIGIN)
  routeAdminApiTo(config.SHOPIFY_ADMIN_API_ORIGIN);

const shopify = shopifyApp({
  apiKey: config.SHOPIFY_API_KEY,
  apiSecretKey: config.SHOPIFY_API_SECRET,
  apiVersion: ADMIN_API_VERSION,
  scopes: config.SCOPES?.split(","),
  appUrl: config.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  sessionStorage: new PrismaSessionStorage(prisma),
  distribution: AppDistribution.AppStore,
  logger: {
    level: config.NODE_ENV === "test" ? LogSeverity.Warning : LogSeverity.Info,
  },
  future: { unstable_newEmbeddedAuthStrategy: true },
  hooks: {
    // Install (and re-install): the program row is created with its defaults, switched off.
    afterAuth: async ({ session, admin }) => {
      await syncShopDetails(sql, admin, session.shop);
    },
  },
  ...(config.SHOP_CUSTOM_DOMAIN
    ? { customShopDomains: [config.SHOP_CUSTOM_DOMAIN] }
    : {}),
});

export default shopify;
export const apiVersion = ADMIN_API_VERSION;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;
export const sessionStorage = shopify.sessionStorage;
