import { z } from "zod";

const required = (message: string) =>
  z.string({ error: message }).min(1, message);

const envSchema = z
  .object({
    NODE_ENV: z
      .enum(["development", "test", "production"])
      .default("development"),
    SHOPIFY_API_KEY: required(
      "SHOPIFY_API_KEY is required (the app's client id)",
    ),
    SHOPIFY_API_SECRET: required(
      "SHOPIFY_API_SECRET is required (the app's client secret)",
    ),
    SHOPIFY_APP_URL: z.url({
      error: "SHOPIFY_APP_URL is required: the app's public URL",
    }),
    SCOPES: z.string().optional(),
    SHOP_CUSTOM_DOMAIN: z.string().optional(),
    DATABASE_URL: z
      .string()
      .regex(
        /^postgres(ql)?:\/\//,
        "DATABASE_URL must be a postgresql:// URL; leave it unset for the embedded database",
      )
      .optional(),
    PGLITE_DATA_DIR: z.string().optional(),
    // Points every Admin API request at the offline Shopify simulator (tests, demo).
    SHOPIFY_ADMIN_API_ORIGIN: z.url().optional(),
    // The offline demo in a browser (docs/decisions/009-demo-mode-and-dashboard.md): set only by
    // `npm run demo` and the browser tests. The shop whose admin the app plays, and the local
    // stand-in for App Bridge that @shopify/shopify-app-remix's node adapter loads instead of
    // Shopify's CDN script.
    LOYALTY_DEMO_SHOP: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/,
        "LOYALTY_DEMO_SHOP must be a <name>.myshopify.com domain",
      )
      .optional(),
    APP_BRIDGE_URL: z.url().optional(),
  })
  .refine(
    (env) => !(env.NODE_ENV === "production" && env.SHOPIFY_ADMIN_API_ORIGIN),
    {
      message:
        "SHOPIFY_ADMIN_API_ORIGIN sends Admin API calls to a simulator and cannot be used in production",
      path: ["SHOPIFY_ADMIN_API_ORIGIN"],
    },
  )
  .refine((env) => !(env.NODE_ENV === "production" && env.LOYALTY_DEMO_SHOP), {
    message:
      "LOYALTY_DEMO_SHOP hands out session tokens without Shopify and cannot be used in production",
    path: ["LOYALTY_DEMO_SHOP"],
  })
  .refine((env) => !(env.NODE_ENV === "production" && env.APP_BRIDGE_URL), {
    message:
      "APP_BRIDGE_URL replaces Shopify's App Bridge and cannot be used in production",
    path: ["APP_BRIDGE_URL"],
  })
  .refine((env) => !env.LOYALTY_DEMO_SHOP || env.APP_BRIDGE_URL, {
    message:
      "the demo needs APP_BRIDGE_URL pointing at its App Bridge stand-in",
    path: ["APP_BRIDGE_URL"],
  });

export type Env = z.infer<typeof envSchema>;

export class EnvironmentError extends Error {}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const blankAsUnset = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== ""),
  );
  const result = envSchema.safeParse(blankAsUnset);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `  - ${issue.path.join(".")}: ${issue.message}`,
    );
    throw new EnvironmentError(
      `The app's environment is not valid:\n${problems.join("\n")}`,
    );
  }
  return result.data;
}

let cached: Env | undefined;

/** The validated environment, checked once at boot so a missing secret fails at start. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
