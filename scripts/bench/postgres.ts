import pg from "pg";

/** Where a bench creates its throwaway database when DATABASE_URL names no server. */
export const defaultAdminUrl = "postgresql://postgres@127.0.0.1:5432/postgres";

const unreachableCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/**
 * Why no server answers at `adminUrl`, or undefined when one does. A bench skips only when nothing
 * answers; a server that refuses us (auth, permissions) is an error worth seeing.
 */
export async function unreachableReason(
  adminUrl: string,
): Promise<string | undefined> {
  const client = new pg.Client({
    connectionString: adminUrl,
    connectionTimeoutMillis: 5_000,
  });
  try {
    await client.connect();
    return undefined;
  } catch (error) {
    const code =
      typeof error === "object" && error !== null && "code" in error
        ? String(error.code)
        : "";
    const message = error instanceof Error ? error.message : String(error);
    if (unreachableCodes.has(code) || /timeout/i.test(message))
      return code || message;
    throw error;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function withClient<T>(
  url: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The URL of database `name` on the server `adminUrl` points at. */
export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.href;
}

/** For printing: the URL without its password. */
export function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.href;
}
