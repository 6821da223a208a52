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

/** The command name and user + system CPU of a process, in clock ticks; null once it is gone. */
function processTicks(pid: string): { name: string; ticks: number } | null {
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
  // utime and stime are the 14th and 15th fields of the line, the 12th and 13th after the name.
  return { name, ticks: Number(fields[11]) + Number(fields[12]) };
}

/**
 * CPU used so far by the server process, by every PostgreSQL process on this machine (backends,
 * WAL writer, checkpointer: the database's whole cost) and by this process, the load generator.
 * A process that exits between two snapshots (an autovacuum worker, say) takes its CPU with it, so
 * the database's figure is a floor. Null where /proc is not there to read.
 */
export function cpuSnapshot(serverPid: number | undefined): CpuSeconds | null {
  if (!ticksPerSecond || serverPid === undefined) return null;
  const server = processTicks(String(serverPid));
  if (!server) return null;
  let databaseTicks = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    const found = processTicks(pid);
    if (found?.name === "postgres") databaseTicks += found.ticks;
  }
  const own = process.cpuUsage();
  return {
    server: server.ticks / ticksPerSecond,
    database: databaseTicks / ticksPerSecond,
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
