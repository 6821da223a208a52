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

/**
 * The PostgreSQL server a bench runs on: DATABASE_URL's, or the local one. When nothing answers
 * there, the reason to skip the bench with.
 */
export async function benchServer(): Promise<
  { adminUrl: string } | { status: "skipped"; reason: string }
> {
  const adminUrl = process.env.DATABASE_URL || defaultAdminUrl;
  const unreachable = await unreachableReason(adminUrl);
  return unreachable === undefined
    ? { adminUrl }
    : {
        status: "skipped",
        reason: `no PostgreSQL server answers at ${redact(adminUrl)} (${unreachable}); set DATABASE_URL to one`,
      };
}

export interface ThrowawayDatabase {
  name: string;
  url: string;
  /** Work to finish before the database is dropped (child servers, pools), run last first. */
  beforeDrop(cleanup: () => Promise<void> | void): void;
}

/**
 * Runs `work` against a database of its own, created on the server `adminUrl` points at and
 * dropped afterwards, also when the run is interrupted (Ctrl-C, SIGTERM): a bench leaves nothing
 * behind on a developer's server.
 */
export async function withThrowawayDatabase<T>(
  adminUrl: string,
  prefix: string,
  work: (database: ThrowawayDatabase) => Promise<T>,
): Promise<T> {
  const name = `${prefix}_${Date.now()}`;
  const cleanups: Array<() => Promise<void> | void> = [];
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    for (const cleanup of cleanups.reverse()) await cleanup();
    await withClient(adminUrl, (client) =>
      client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
    );
    console.log(`  dropped database ${name}`);
  };
  const interrupted = () => {
    void drop().finally(() => process.exit(130));
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  try {
    await withClient(adminUrl, (client) =>
      client.query(`CREATE DATABASE "${name}"`),
    );
    console.log(`  created database ${name}`);
    return await work({
      name,
      url: databaseUrl(adminUrl, name),
      beforeDrop: (cleanup) => cleanups.push(cleanup),
    });
  } finally {
    process.off("SIGINT", interrupted);
    process.off("SIGTERM", interrupted);
    await drop();
  }
}
