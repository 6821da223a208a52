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

const localHosts = new Set(["", "localhost", "127.0.0.1", "[::1]"]);

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * Drops what runs on this machine left behind when they were killed: a database's name holds its
 * run's process id, and a run that is gone will never drop it. tsx passes a Ctrl-C on to its
 * process and kills it with SIGKILL when the process does not acknowledge it within 30 ms, which
 * a busy bench cannot always do. On another machine's server a process id says nothing, so
 * nothing is dropped there.
 */
export async function dropLeftovers(adminUrl: string, prefix: string) {
  if (!localHosts.has(new URL(adminUrl).hostname)) return;
  const pattern = new RegExp(`^${prefix}_(\\d+)_\\d+$`);
  await withClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`,
      [`${prefix}_`],
    );
    for (const { datname } of rows) {
      const pid = pattern.exec(datname)?.[1];
      if (pid === undefined || isRunning(Number(pid))) continue;
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      console.log(
        `  dropped database ${datname}, left by a run that was killed`,
      );
    }
  });
}

/**
 * Runs `work` against a database of its own, created on the server `adminUrl` points at and
 * dropped afterwards, also when the run is interrupted (Ctrl-C, SIGTERM), or else by the next run:
 * a bench leaves nothing behind on a developer's server.
 */
export async function withThrowawayDatabase<T>(
  adminUrl: string,
  prefix: string,
  work: (database: ThrowawayDatabase) => Promise<T>,
): Promise<T> {
  await dropLeftovers(adminUrl, prefix);
  const name = `${prefix}_${process.pid}_${Date.now()}`;
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
  // A Ctrl-C reaches the bench more than once (the terminal signals npm, tsx and node, and tsx
  // passes its own on): the listeners stay, and the repeats are ignored while the first one's
  // drop runs. With no listener left, a repeat would end the process before the drop.
  let interrupting = false;
  const interrupted = () => {
    if (interrupting) return;
    interrupting = true;
    void drop().finally(() => process.exit(130));
  };
  process.on("SIGINT", interrupted);
  process.on("SIGTERM", interrupted);
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
