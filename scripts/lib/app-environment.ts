/**
 * The app's environment for a process that runs its background services (the outbox, the expiry
 * sweep) without serving anything, its Admin API calls going to the simulator at `adminApiOrigin`.
 * Set before any of the app's Shopify modules is imported: they read it when they load. Returns a
 * function that puts the previous values back.
 */
export function useAppEnvironment(options: {
  apiKey: string;
  apiSecret: string;
  adminApiOrigin: string;
  scopes?: string;
}): () => void {
  const values: Record<string, string> = {
    NODE_ENV: "test",
    LOYALTY_LOG: process.env.LOYALTY_LOG ?? "silent",
    SHOPIFY_API_KEY: options.apiKey,
    SHOPIFY_API_SECRET: options.apiSecret,
    // Nothing is served: the process only calls out.
    SHOPIFY_APP_URL: "http://127.0.0.1:9",
    SCOPES:
      options.scopes ??
      "read_customers,write_customers,read_orders,write_discounts,write_store_credit_account_transactions",
    SHOPIFY_ADMIN_API_ORIGIN: options.adminApiOrigin,
  };
  const previous = Object.fromEntries(
    Object.keys(values).map((key) => [key, process.env[key]]),
  );
  Object.assign(process.env, values);
  return () => {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}
