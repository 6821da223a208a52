// `process.env.APP_URL` is replaced at build time: the Shopify CLI hands its environment to
// esbuild as `define`s (`shopify app dev` sets APP_URL to the tunnel; set it yourself for
// `shopify app deploy`), and scripts/extensions-build.ts does the same. Nothing named
// `process` exists in the extension sandbox, so an unreplaced reference throws; that is
// caught and reported as "not configured" instead of breaking the page.
declare const process: { env: { APP_URL?: string } };

export function configuredAppUrl(): string | null {
  try {
    const url = process.env.APP_URL;
    return typeof url === "string" && /^https?:\/\//.test(url) ? url : null;
  } catch {
    return null;
  }
}
