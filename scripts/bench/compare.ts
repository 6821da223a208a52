// npm run bench:compare -- --base <git-rev> [--concurrency 50] [--segments 8] [--per-segment 1000]
//   [--warmup 3000]
// The webhook path of the working tree (B) against the build of a git revision (A). On a shared
// two-core VM the throughput of one run moves by ±10% with the neighbours, more than most changes
// move it, so two runs one after the other say little. Here both apps are served at once, each on a
// fresh PostgreSQL database of its own, and get the same signed orders/paid deliveries in segments,
// one side right after the other, so a neighbour's burst falls on both alike. It measures and
// reports; it never fails on the numbers.
import { availableParallelism } from "node:os";
import { join, resolve as resolvePath } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { ensureBuild } from "../lib/app-build";
import type * as ChildServers from "./child";
import type { ChildServer } from "./child";
import {
  summariseComparison,
  perSecond,
  type SegmentResult,
  type SideResult,
  type SideSummary,
} from "./compare-summary";
import { cpuSnapshot } from "./cpu";
import { formatStatusCounts, runLoad, type PreparedRequest } from "./load";
import { positiveInteger } from "./options";
import {
  benchServer,
  databaseUrl,
  dropLeftovers,
  withClient,
} from "./postgres";
import type { TreeShop } from "./prepare-tree-shop";
import { formatMs, formatNumber, formatTable } from "./report";
import { runToEnd } from "./run-to-end";
import { buildTree, extractRevision, type RevisionTree } from "./revision-tree";
import {
  apiKey,
  apiSecret,
  benchShop,
  countEarnEntries,
  cpuMs,
  prepareDeliveries,
} from "./webhooks";

const usage =
  "Usage: npm run bench:compare -- --base <git-rev> [--concurrency 50] [--segments 8] [--per-segment 1000] [--warmup 3000]";

const repoRoot = resolvePath(fileURLToPath(new URL("../../", import.meta.url)));
// The webhook bench's default: enough customers that most orders find a member with history.
const customers = 1_000;
const databasePrefix = { A: "loyalty_compare_a", B: "loyalty_compare_b" };
// A segment is a few seconds; this bound only stops a server that has stopped answering.
const maxSegmentMs = 600_000;

interface Settings {
  base: string;
  concurrency: number;
  segments: number;
  perSegment: number;
  warmup: number;
}

function settingsFrom(args: string[]): Settings {
  const { values } = parseArgs({
    args,
    options: {
      base: { type: "string" },
      concurrency: { type: "string" },
      segments: { type: "string" },
      "per-segment": { type: "string" },
      warmup: { type: "string" },
    },
  });
  if (!values.base) throw new Error("--base <git-rev> is required");
  return {
    base: values.base,
    concurrency: positiveInteger("concurrency", values.concurrency, 50),
    segments: positiveInteger("segments", values.segments, 8),
    perSegment: positiveInteger("per-segment", values["per-segment"], 1_000),
    warmup: positiveInteger("warmup", values.warmup, 3_000),
  };
}

type Label = "A" | "B";

interface Side {
  label: Label;
  tree: string;
  database: string;
  url: string;
  server?: ChildServer;
  result: SideResult;
}

function serverOf(side: Side): ChildServer {
  if (!side.server) throw new Error(`${side.label}'s app is not running`);
  return side.server;
}

/** Seeds the bench's shop with the tree's own code, in a child process working in that tree. */
function prepareTreeShop(
  tree: string,
  url: string,
  signal: AbortSignal,
): Promise<void> {
  const script = fileURLToPath(
    new URL("./prepare-tree-shop.ts", import.meta.url),
  );
  const shop: TreeShop = { databaseUrl: url, ...benchShop };
  return runToEnd(
    `seeding the shop in ${tree}`,
    process.execPath,
    ["--import", "tsx", script, JSON.stringify(shop)],
    { cwd: tree, signal },
  );
}

/** The tree's built app, started by the tree's own child.ts. */
async function startAppIn(tree: string, url: string): Promise<ChildServer> {
  const { startAppServer } = (await import(
    pathToFileURL(join(tree, "scripts/bench/child.ts")).href
  )) as typeof ChildServers;
  // tsx maps `~/` imports with the working directory's tsconfig, and the app's process inherits
  // this one's: the revision's server files reach its app/ through `~/`, and from the working tree
  // they would load the working tree's modules. startAppServer spawns before it returns.
  const previous = process.cwd();
  process.chdir(tree);
  try {
    return startAppServer({ databaseUrl: url, apiKey, apiSecret });
  } finally {
    process.chdir(previous);
  }
}

/**
 * Sends every delivery, and insists that each was answered 2xx: a side that turns deliveries away
 * is not doing the work being compared.
 */
async function sendAll(
  server: ChildServer,
  requests: PreparedRequest[],
  concurrency: number,
  latenciesMs: number[],
) {
  const report = await runLoad({
    origin: server.url,
    requests,
    concurrency,
    maxDurationMs: maxSegmentMs,
    onResult: (_, __, latencyMs) => {
      if (latencyMs !== undefined) latenciesMs.push(latencyMs);
    },
  });
  if (report.ok2xx !== requests.length)
    throw new Error(
      `${formatNumber(report.ok2xx)} of ${formatNumber(requests.length)} deliveries answered 2xx: ${formatStatusCounts(report.statusCounts)}` +
        (report.errors > 0
          ? `, ${report.errors} without answer (${report.firstError})`
          : "") +
        (report.stoppedByTime ? ", stopped by the time bound" : ""),
    );
  return report;
}

async function measureSegment(
  side: Side,
  requests: PreparedRequest[],
  concurrency: number,
): Promise<SegmentResult> {
  const server = serverOf(side);
  const before = cpuSnapshot(server.child.pid);
  const report = await sendAll(
    server,
    requests,
    concurrency,
    side.result.latenciesMs,
  );
  const after = cpuSnapshot(server.child.pid);
  return {
    orders: report.completed,
    durationMs: report.durationMs,
    p50Ms: report.latencyMs.p50,
    p99Ms: report.latencyMs.p99,
    cpuMs:
      before && after
        ? {
            server: (after.server - before.server) * 1000,
            database: (after.database - before.database) * 1000,
          }
        : null,
  };
}

function latestRate(side: Side): string {
  const segment = side.result.segments.at(-1);
  return segment
    ? formatNumber(perSecond(segment.orders, segment.durationMs))
    : "";
}

const segmentCpu = (segment: SegmentResult) =>
  segment.cpuMs
    ? `${cpuMs(segment.cpuMs.server / segment.orders)} + ${cpuMs(segment.cpuMs.database / segment.orders)}`
    : "";

function printSegments(
  a: SideResult,
  b: SideResult,
  orders: Label[][],
  ratios: number[],
) {
  const rows = a.segments.flatMap((segmentA, index) => {
    const segmentB = b.segments[index];
    if (!segmentB) return [];
    return [
      [
        index + 1,
        (orders[index] ?? []).join("→"),
        formatNumber(perSecond(segmentA.orders, segmentA.durationMs)),
        formatNumber(perSecond(segmentB.orders, segmentB.durationMs)),
        `${formatNumber(100 * (ratios[index] ?? 0), 1)}%`,
        formatMs(segmentA.p50Ms),
        formatMs(segmentB.p50Ms),
        formatMs(segmentA.p99Ms),
        formatMs(segmentB.p99Ms),
        segmentCpu(segmentA),
        segmentCpu(segmentB),
      ],
    ];
  });
  console.log("");
  console.log(
    formatTable(
      [
        { title: "seg", align: "right" },
        { title: "order" },
        { title: "A orders/s", align: "right" },
        { title: "B orders/s", align: "right" },
        { title: "B/A", align: "right" },
        { title: "A p50", align: "right" },
        { title: "B p50", align: "right" },
        { title: "A p99", align: "right" },
        { title: "B p99", align: "right" },
        { title: "A CPU ms/order app + PG", align: "right" },
        { title: "B CPU ms/order app + PG", align: "right" },
      ],
      rows,
    ),
  );
}

function describeSide(
  label: Label,
  side: SideSummary,
  earnRows: number,
  deliveries: number,
) {
  const cpu = side.cpuPerOrderMs
    ? ` · CPU/order app ${cpuMs(side.cpuPerOrderMs.server)} + PG ${cpuMs(side.cpuPerOrderMs.database)} = ${cpuMs(side.cpuPerOrderMs.server + side.cpuPerOrderMs.database)} ms`
    : "";
  return (
    `  ${label}: ${formatNumber(side.orders)} orders in ${formatNumber(side.durationMs / 1000, 2)} s = ${formatNumber(side.perSecond)} orders/s` +
    ` · p99 of all ${formatMs(side.p99Ms)} ms (p50 ${formatMs(side.p50Ms)})` +
    ` · median segment p99 ${formatMs(side.medianSegmentP99Ms)} ms${cpu}` +
    ` · EARN rows ${formatNumber(earnRows)} of ${formatNumber(deliveries)} deliveries`
  );
}

async function compare(settings: Settings, adminUrl: string) {
  const sides: Side[] = [];
  let revision: RevisionTree | undefined;
  // A signal stops what runs (the build, a seeding, both apps), which makes the step in flight
  // fail; the clean-up then runs once, in `finally`, after that step. Dropping a database from the
  // handler itself could race a CREATE DATABASE still in flight and leave it behind.
  const stop = new AbortController();
  const interrupted = (signal: NodeJS.Signals) => {
    // A Ctrl-C reaches this process more than once (npm, tsx and node each pass it on).
    if (stop.signal.aborted) return;
    console.log(`\n  ${signal}: stopping, then cleaning up`);
    stop.abort();
    for (const side of sides) void side.server?.stop();
  };
  process.on("SIGINT", interrupted);
  process.on("SIGTERM", interrupted);

  try {
    for (const prefix of Object.values(databasePrefix))
      await dropLeftovers(adminUrl, prefix);
    revision = extractRevision(repoRoot, settings.base);
    console.log(
      `A = ${settings.base} (${revision.commit.slice(0, 12)}), extracted to ${revision.path}`,
    );
    const buildMs = await buildTree(revision.path, stop.signal);
    console.log(`  built in ${formatNumber(buildMs / 1000, 1)} s`);
    console.log(`B = the working tree, ${repoRoot}`);
    ensureBuild();
    console.log(
      `concurrency ${settings.concurrency}, ${settings.segments} segments of ${formatNumber(settings.perSegment)} orders, warm-up ${formatNumber(settings.warmup)}, ${formatNumber(customers)} customers, ${availableParallelism()} cores`,
    );

    const stamp = `${process.pid}_${Date.now()}`;
    for (const [label, tree] of [
      ["A", revision.path],
      ["B", repoRoot],
    ] as const) {
      const database = `${databasePrefix[label]}_${stamp}`;
      const side: Side = {
        label,
        tree,
        database,
        url: databaseUrl(adminUrl, database),
        result: { segments: [], latenciesMs: [] },
      };
      sides.push(side);
      await withClient(adminUrl, (client) =>
        client.query(`CREATE DATABASE "${database}"`),
      );
      stop.signal.throwIfAborted();
      await prepareTreeShop(tree, side.url, stop.signal);
    }
    const [a, b] = sides;
    if (!a || !b) throw new Error("both sides need a database");

    // After the shops exist: orders placed before the install do not earn, so every order is
    // stamped later than the shop rows. Both sides get the very same deliveries.
    const warmup = prepareDeliveries(
      1_000_000_000,
      settings.warmup,
      customers,
      1,
    );
    const segments = Array.from({ length: settings.segments }, (_, index) =>
      prepareDeliveries(
        1_000_000_000 + (index + 1) * 10_000_000,
        settings.perSegment,
        customers,
        index + 2,
      ),
    );

    for (const side of sides) {
      side.server = await startAppIn(side.tree, side.url);
      stop.signal.throwIfAborted();
      console.log(
        `  ${side.label}: ${side.server.url} (pid ${side.server.child.pid})`,
      );
    }
    for (const side of sides) {
      const warm = await sendAll(
        serverOf(side),
        warmup,
        settings.concurrency,
        [],
      );
      // The planner would plan for the empty tables it last saw; an installed shop's database has
      // statistics, so the warm-up's rows are analysed before anything is measured.
      await withClient(side.url, (client) => client.query("ANALYZE"));
      console.log(
        `  ${side.label} warm-up: ${formatNumber(warm.completed)} in ${formatNumber(warm.durationMs / 1000, 2)} s, ${formatNumber(warm.requestsPerSecond)}/s (not counted)`,
      );
    }

    const orders: Label[][] = [];
    for (const [index, requests] of segments.entries()) {
      // The side sent second meets the database the first one has just left busy (autovacuum,
      // checkpoints, dirty pages), so the order swaps every segment.
      const order = index % 2 === 0 ? [b, a] : [a, b];
      for (const side of order)
        side.result.segments.push(
          await measureSegment(side, requests, settings.concurrency),
        );
      orders.push(order.map((side) => side.label));
      console.log(
        `  segment ${index + 1} of ${settings.segments}: A ${latestRate(a)}/s, B ${latestRate(b)}/s`,
      );
    }

    const summary = summariseComparison(a.result, b.result);
    printSegments(a.result, b.result, orders, summary.segmentRatios);
    console.log("\nsummary");
    for (const [side, sideSummary] of [
      [a, summary.a],
      [b, summary.b],
    ] as const)
      console.log(
        describeSide(
          side.label,
          sideSummary,
          await countEarnEntries(side.url),
          settings.warmup + sideSummary.orders,
        ),
      );
    console.log(
      `  B/A throughput ${formatNumber(100 * summary.ratio, 1)}% · B faster in ${summary.segmentsBFaster} of ${settings.segments} segments`,
    );
    console.log(
      "  bench:compare measures and reports; it never fails on the numbers (exit code 1 only when the comparison itself broke)",
    );
  } catch (error) {
    if (stop.signal.aborted) {
      process.exitCode = 130;
      return;
    }
    for (const side of sides) {
      const tail = side.server?.stderrTail().trim();
      if (tail) console.error(`${side.label} stderr (last lines):\n${tail}`);
    }
    throw error;
  } finally {
    try {
      for (const side of sides) await side.server?.stop();
      await withClient(adminUrl, async (client) => {
        for (const side of sides) {
          await client.query(
            `DROP DATABASE IF EXISTS "${side.database}" WITH (FORCE)`,
          );
          console.log(`  dropped database ${side.database}`);
        }
      });
    } finally {
      revision?.remove();
      if (revision) console.log(`  removed ${revision.path}`);
      process.off("SIGINT", interrupted);
      process.off("SIGTERM", interrupted);
    }
  }
}

let settings: Settings;
try {
  settings = settingsFrom(process.argv.slice(2));
} catch (error) {
  console.error(`${error instanceof Error ? error.message : error}\n${usage}`);
  process.exit(1);
}
const postgres = await benchServer();
if (!("adminUrl" in postgres)) {
  console.error(postgres.reason);
  process.exit(1);
}
try {
  await compare(settings, postgres.adminUrl);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
}
