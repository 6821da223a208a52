// A PostgreSQL cluster of the proof's own, in a temporary folder on a free port: the database
// outage scenario stops and starts it, which no shared server may suffer. Trust authentication on
// 127.0.0.1 only, and gone when the run ends.
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface ThrowawayCluster {
  /** postgresql://postgres@127.0.0.1:<port>/postgres */
  adminUrl: string;
  description: string;
  /** `fast` ends sessions cleanly; `immediate` is a crash (recovery runs at the next start). */
  stop(mode: "fast" | "immediate"): Promise<void>;
  start(): Promise<void>;
  /** Stops it and deletes its folder. */
  destroy(): Promise<void>;
}

export type ClusterStart =
  { ok: true; cluster: ThrowawayCluster } | { ok: false; reason: string };

/** The newest installed PostgreSQL's programs: PG_BIN, else Debian's /usr/lib/postgresql/<n>/bin. */
function binDirectory(): string | undefined {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  return versions
    .map((version) => join(root, version, "bin"))
    .find((dir) => existsSync(join(dir, "initdb")));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** PostgreSQL refuses to run as root: as root, its programs run as the `postgres` user. */
async function runAs(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const id = async (flag: string) =>
    Number((await run("id", [flag, "postgres"])).stdout.trim());
  return { uid: await id("-u"), gid: await id("-g") };
}

export async function startThrowawayCluster(): Promise<ClusterStart> {
  const bin = binDirectory();
  if (!bin)
    return {
      ok: false,
      reason:
        "no PostgreSQL programs found (initdb, pg_ctl); set PG_BIN to their folder",
    };
  let user: { uid: number; gid: number } | undefined;
  try {
    user = await runAs();
  } catch {
    return {
      ok: false,
      reason: "running as root and there is no postgres user to run initdb as",
    };
  }
  const folder = await mkdtemp(join(tmpdir(), "loyalty-proof-pg-"));
  if (user) await chown(folder, user.uid, user.gid);
  const data = join(folder, "data");
  const port = await freePort();
  const as = user ? { uid: user.uid, gid: user.gid } : {};
  const pgCtl = (...args: string[]) =>
    run(join(bin, "pg_ctl"), ["-D", data, "-w", "-t", "60", ...args], {
      ...as,
      cwd: folder,
    });
  try {
    await run(
      join(bin, "initdb"),
      ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
      { ...as, cwd: folder },
    );
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    return {
      ok: false,
      reason: `initdb failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
    };
  }
  // fsync off: the scenario kills PostgreSQL, never the machine, and the OS keeps what was written.
  // Commits stay synchronous, so an acknowledged commit is in the WAL before the answer.
  const options = `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  const start = async () => {
    await pgCtl("-l", join(folder, "postgres.log"), "-o", options, "start");
  };
  const stop = async (mode: "fast" | "immediate") => {
    await pgCtl("-m", mode, "stop");
  };
  await start();
  return {
    ok: true,
    cluster: {
      adminUrl: `postgresql://postgres@127.0.0.1:${port}/postgres`,
      description: `throwaway PostgreSQL cluster on port ${port} (${bin})`,
      stop,
      start,
      destroy: async () => {
        await stop("immediate").catch(() => undefined);
        await rm(folder, { recursive: true, force: true });
      },
    },
  };
}
