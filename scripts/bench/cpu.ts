// CPU time spent by each side of a run, read from /proc. On a shared two-core VM the throughput of
// one run moves by ±10% with the neighbours, while the CPU an order costs barely moves; it also
// says which side (app, database, load generator) a gain has to come from, and what the machine
// can reach at that cost.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

export interface CpuSeconds {
  server: number;
  database: number;
  client: number;
}

export interface CpuPerRequest extends CpuSeconds {
  total: number;
  /** Requests per second the machine's cores allow at this cost, were they all busy with it. */
  ceilingPerSecond: number;
}

function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim());
  } catch {
    return 100;
  }
}

const ticksPerSecond = process.platform === "linux" ? clockTicksPerSecond() : 0;

export interface ProcessTicks {
  pid: string;
  parent: string;
  name: string;
  /** User + system CPU of the process itself. */
  ticks: number;
  /** User + system CPU of its children that have exited and been waited for. */
  exitedChildTicks: number;
}

/** A process's name, parent and CPU from /proc, in clock ticks; null once it is gone. */
function processTicks(pid: string): ProcessTicks | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // The name sits in parentheses and may hold spaces; the counters follow the last ")".
  const nameEnd = stat.lastIndexOf(")");
  const name = stat.slice(stat.indexOf("(") + 1, nameEnd);
  const fields = stat.slice(nameEnd + 2).split(" ");
  // After the name: state, ppid, … utime, stime, cutime, cstime (the 12th to 15th).
  return {
    pid,
    parent: fields[1] ?? "",
    name,
    ticks: Number(fields[11]) + Number(fields[12]),
    exitedChildTicks: Number(fields[13]) + Number(fields[14]),
  };
}

/**
 * All the CPU PostgreSQL has used so far: its living processes, and through the postmaster (the
 * one whose parent is not PostgreSQL) every process it has waited for. A backend or an autovacuum
 * worker that exits between two snapshots moves its CPU from the one to the other, so the
 * difference between two snapshots keeps it.
 */
export function databaseTicks(processes: readonly ProcessTicks[]): number {
  const database = processes.filter(({ name }) => name === "postgres");
  const pids = new Set(database.map(({ pid }) => pid));
  return database.reduce(
    (sum, process) =>
      sum +
      process.ticks +
      (pids.has(process.parent) ? 0 : process.exitedChildTicks),
    0,
  );
}

/**
 * CPU used so far by the server process, by PostgreSQL (backends, WAL writer, checkpointer,
 * autovacuum: the database's whole cost, see `databaseTicks`) and by this process, the load
 * generator. Null where /proc is not there to read.
 */
export function cpuSnapshot(serverPid: number | undefined): CpuSeconds | null {
  if (!ticksPerSecond || serverPid === undefined) return null;
  const server = processTicks(String(serverPid));
  if (!server) return null;
  const processes = readdirSync("/proc")
    .filter((pid) => /^\d+$/.test(pid))
    .flatMap((pid) => processTicks(pid) ?? []);
  const own = process.cpuUsage();
  return {
    server: server.ticks / ticksPerSecond,
    database: databaseTicks(processes) / ticksPerSecond,
    client: (own.user + own.system) / 1e6,
  };
}

/** Milliseconds of CPU per request between two snapshots. */
export function cpuPerRequest(
  before: CpuSeconds | null,
  after: CpuSeconds | null,
  requests: number,
): CpuPerRequest | null {
  if (!before || !after || requests === 0) return null;
  const per = (side: keyof CpuSeconds) =>
    ((after[side] - before[side]) * 1000) / requests;
  const server = per("server");
  const database = per("database");
  const client = per("client");
  const total = server + database + client;
  return {
    server,
    database,
    client,
    total,
    ceilingPerSecond: total > 0 ? (availableParallelism() * 1000) / total : 0,
  };
}
