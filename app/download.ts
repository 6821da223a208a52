/**
 * Saves what an app route answers as a file. Inside Shopify's admin a plain link would reach the
 * route without the session token; App Bridge adds it to `fetch` calls to the app's own origin
 * (https://shopify.dev/docs/api/app-bridge-library#fetch), so the file is fetched, then saved.
 */
export async function downloadFrom(url: string, fileName: string) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = fileName;
  link.click();
  URL.revokeObjectURL(link.href);
}
