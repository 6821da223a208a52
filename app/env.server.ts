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
  })
  .refine(
    (env) => !(env.NODE_ENV === "production" && env.SHOPIFY_ADMIN_API_ORIGIN),
    {
      message:
        "SHOPIFY_ADMIN_API_ORIGIN sends Admin API calls to a simulator and cannot be used in production",
      path: ["SHOPIFY_ADMIN_API_ORIGIN"],
    },
  );

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
