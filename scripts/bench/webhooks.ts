// Webhook throughput: signed `orders/paid` deliveries against the built app on a fresh PostgreSQL
// database, next to a bare node:http server that only verifies the HMAC, with the same requests
// on the same machine in the same run. ARCHITECTURE.md §4 sets the target (1,000 orders/s with a
// p99 under 50 ms); this prints what was measured and never fails on it.
import { availableParallelism } from "node:os";
import { openDatabase } from "../../app/db/client.server";
import { ADMIN_API_VERSION } from "../../app/shopify/api-version";
import type { ProgramConfig } from "../../app/loyalty/program";
import type { OrderInput, OrderLineInput } from "../../simulator/orders";
import { orderPayload } from "../../simulator/webhooks";
import { ensureBuild } from "../lib/app-build";
import { prepareShop } from "../lib/prepare-shop";
import { signedDelivery } from "../lib/signed-delivery";
import { startAppServer, startChildServer, type ChildServer } from "./child";
import {
  formatStatusCounts,
  runLoad,
  type LoadReport,
  type PreparedRequest,
} from "./load";
import { cpuPerRequest, cpuSnapshot, type CpuPerRequest } from "./cpu";
import { formatMs, formatNumber, formatTable } from "./report";
import type { Bench, BenchResult, OptionValues, SummaryRow } from "./types";
import { seededRandom } from "../lib/seeded-random";
import { positiveInteger } from "./options";
import { benchServer, withClient, withThrowawayDatabase } from "./postgres";

const shop = "loyalty-bench.myshopify.com";
export const apiKey = "loyalty-bench-api-key";
export const apiSecret = "loyalty-bench-api-secret";
const webhookPath = "/webhooks/orders/paid";

interface Settings {
  orders: number;
  customers: number;
  concurrency: number[];
  warmup: number;
  maxSeconds: number;
  quick: boolean;
}

function settingsFrom(options: OptionValues): Settings {
  const quick = process.env.BENCH_QUICK === "1";
  const concurrency = String(options.concurrency ?? "10,50")
    .split(",")
    .map((part) => positiveInteger("concurrency", part.trim(), 0));
  return {
    // The quick run only proves the harness works end to end; its numbers mean little.
    orders: positiveInteger("orders", options.orders, quick ? 500 : 10_000),
    customers: positiveInteger("customers", options.customers, 1_000),
    concurrency,
    // Enough orders for most customers to be members with some history when the runs begin.
    warmup: quick ? 50 : 1_000,
    maxSeconds: positiveInteger("max-seconds", options["max-seconds"], 180),
    quick,
  };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/**
 * The installed shop the deliveries are for: its offline session's token, and what it changes in
 * the program it starts with (points earned at once rather than held pending).
 */
export const benchShop = {
  shop,
  accessToken: "shpat_loyalty_bench",
  program: { pendingDays: 0 } satisfies Partial<ProgramConfig>,
};

/** The state an installed shop is in: a program switched on, earning at once, and its session. */
async function prepareBenchShop(url: string): Promise<void> {
  const database = await openDatabase({ url });
  try {
    // authenticate.webhook looks the offline session up on every delivery; an installed shop has
    // one, so the lookup finds a row as it would in production.
    await prepareShop(database, {
      shop: benchShop.shop,
      accessToken: benchShop.accessToken,
      configure: (config) => ({ ...config, ...benchShop.program }),
    });
  } finally {
    await database.close();
  }
}

export async function countEarnEntries(url: string): Promise<number> {
  return withClient(url, async (client) => {
    const result = await client.query<{ count: string }>(
      `SELECT count(*) AS count FROM "LedgerEntry" WHERE kind = 'EARN'`,
    );
    return Number(result.rows[0]?.count ?? 0);
  });
}

/**
 * When the EARN rows and the 2xx answers disagree, what the app recorded for the orders says why
 * (program off, orders before the program start…). The table belongs to the accrual code, so a
 * schema that has moved on only loses this hint, never the bench.
 */
async function orderOutcomes(url: string): Promise<string | undefined> {
  try {
    return await withClient(url, async (client) => {
      const result = await client.query<{
        outcome: string;
        reason: string | null;
        count: string;
      }>(
        `SELECT outcome, reason, count(*) AS count FROM "OrderRecord" GROUP BY 1, 2 ORDER BY 3 DESC`,
      );
      return result.rows
        .map(
          (row) =>
            `${row.outcome}${row.reason ? `/${row.reason}` : ""} ×${row.count}`,
        )
        .join(", ");
    });
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// The workload

// Unit prices a small apparel or homeware shop charges.
const unitPrices = [
  "4.99",
  "9.99",
  "12.50",
  "14.99",
  "19.99",
  "24.00",
  "29.95",
  "34.99",
  "49.00",
  "59.99",
  "79.99",
  "129.00",
];

function pick<T>(random: () => number, values: readonly T[]): T {
  const value = values[Math.floor(random() * values.length)];
  if (value === undefined) throw new Error("pick from an empty list");
  return value;
}

function benchOrder(
  orderId: number,
  random: () => number,
  customers: number,
): OrderInput {
  const customerId = 100_000 + Math.floor(random() * customers);
  const lineCount = 1 + Math.floor(random() * 3);
  const lines: OrderLineInput[] = Array.from(
    { length: lineCount },
    (_, index) => {
      const productId = 800_000 + Math.floor(random() * 500);
      return {
        id: orderId * 10 + index,
        price: pick(random, unitPrices),
        quantity: random() < 0.8 ? 1 : 2,
        product_id: productId,
        variant_id: productId * 10 + 1,
      };
    },
  );
  const now = new Date().toISOString();
  return {
    id: orderId,
    currency: "USD",
    customer: {
      id: customerId,
      email: `customer${customerId}@example.com`,
      first_name: "Bench",
      last_name: `Customer ${customerId}`,
    },
    email: `customer${customerId}@example.com`,
    lines,
    shipping: random() < 0.7 ? "5.99" : undefined,
    financialStatus: "paid",
    createdAt: now,
    processedAt: now,
    updatedAt: now,
  };
}

/**
 * Builds, serialises and signs `count` deliveries up front, so the timed part only sends bytes.
 * Each has its own order, webhook id and event id: every one is a first delivery for the app.
 */
export function prepareDeliveries(
  firstOrderId: number,
  count: number,
  customers: number,
  seed: number,
): PreparedRequest[] {
  const random = seededRandom(seed);
  const requests: PreparedRequest[] = [];
  for (let index = 0; index < count; index += 1) {
    const order = benchOrder(firstOrderId + index, random, customers);
    // Only the path of the URL is kept: the load generator sends to the server it is given.
    requests.push(
      signedDelivery({
        url: `http://127.0.0.1${webhookPath}`,
        topic: "orders/paid",
        shop,
        secret: apiSecret,
        apiVersion: ADMIN_API_VERSION,
        payload: orderPayload({ ...order, shopDomain: shop }),
      }),
    );
  }
  return requests;
}

// ---------------------------------------------------------------------------------------------
// Running

interface Measured {
  target: "baseline" | "app";
  concurrency: number;
  report: LoadReport;
  earnEntries?: number;
  cpu: CpuPerRequest | null;
}

const targetOrdersPerSecond = 1_000;

export const cpuMs = (value: number) => formatNumber(value, 2);

const describeCpu = (cpu: CpuPerRequest) =>
  `CPU per request ${cpuMs(cpu.total)} ms (server ${cpuMs(cpu.server)}, PostgreSQL ${cpuMs(cpu.database)}, load generator ${cpuMs(cpu.client)}): ${formatNumber(availableParallelism())} cores allow ${formatNumber(cpu.ceilingPerSecond)}/s at this cost`;

function describe(label: string, report: LoadReport): string {
  const { latencyMs: latency } = report;
  const parts = [
    `${label}: ${formatNumber(report.completed)} answered in ${formatNumber(report.durationMs / 1000, 2)} s`,
    `${formatNumber(report.requestsPerSecond)}/s`,
    `p50 ${formatMs(latency.p50)} p90 ${formatMs(latency.p90)} p99 ${formatMs(latency.p99)} max ${formatMs(latency.max)} ms`,
    formatStatusCounts(report.statusCounts),
  ];
  if (report.errors > 0)
    parts.push(`${report.errors} without answer (${report.firstError})`);
  if (report.stoppedByTime) parts.push("stopped by the time bound");
  return `  ${parts.join(" · ")}`;
}

async function loadServer(
  target: Measured["target"],
  server: ChildServer,
  warmup: PreparedRequest[],
  runs: PreparedRequest[][],
  settings: Settings,
  /** The app's database, to check that the answers stand for work done. */
  benchUrl?: string,
): Promise<Measured[]> {
  const maxDurationMs = settings.maxSeconds * 1000;
  const firstConcurrency = settings.concurrency[0] ?? 10;
  const warm = await runLoad({
    origin: server.url,
    requests: warmup,
    concurrency: firstConcurrency,
    maxDurationMs,
  });
  console.log(describe(`${target} warm-up (not counted)`, warm));
  // The database starts empty, and the planner would plan the measured runs for the empty tables
  // it last saw: an installed shop's database has statistics (autovacuum keeps them), so the
  // warm-up's rows are analysed before anything is measured.
  if (benchUrl) await withClient(benchUrl, (client) => client.query("ANALYZE"));
  const measured: Measured[] = [];
  for (const [index, concurrency] of settings.concurrency.entries()) {
    const requests = runs[index] ?? [];
    const before = benchUrl ? await countEarnEntries(benchUrl) : 0;
    const cpuBefore = cpuSnapshot(server.child.pid);
    const report = await runLoad({
      origin: server.url,
      requests,
      concurrency,
      maxDurationMs,
    });
    const cpu = cpuPerRequest(
      cpuBefore,
      cpuSnapshot(server.child.pid),
      report.completed,
    );
    const earnEntries = benchUrl
      ? (await countEarnEntries(benchUrl)) - before
      : undefined;
    console.log(describe(`${target} c${concurrency}`, report));
    if (cpu) console.log(`  ${target} c${concurrency}: ${describeCpu(cpu)}`);
    if (earnEntries !== undefined)
      console.log(
        `  ${target} c${concurrency}: ${formatNumber(earnEntries)} EARN ledger entries written · ${formatNumber(report.ok2xx)} 2xx answers`,
      );
    if (benchUrl && earnEntries !== report.ok2xx) {
      const outcomes = await orderOutcomes(benchUrl);
      if (outcomes)
        console.log(`  orders recorded so far (all runs): ${outcomes}`);
    }
    measured.push({ target, concurrency, report, earnEntries, cpu });
  }
  const serverErrors = measured.some((run) =>
    Object.keys(run.report.statusCounts).some(
      (status) => Number(status) >= 500 && Number(status) !== 501,
    ),
  );
  const tail = server.stderrTail().trim();
  if (serverErrors && tail)
    console.log(`  ${target} stderr (last lines):\n${tail}`);
  return measured;
}

function printResults(measured: Measured[], settings: Settings): void {
  const rows = measured.map((run) => {
    const { report } = run;
    return [
      run.target,
      `c${run.concurrency}`,
      formatNumber(report.completed),
      formatNumber(report.requestsPerSecond),
      formatMs(report.latencyMs.p50),
      formatMs(report.latencyMs.p99),
      formatMs(report.latencyMs.max),
      formatNumber(report.completed - report.ok2xx + report.errors),
      run.earnEntries === undefined ? "" : formatNumber(run.earnEntries),
      run.cpu
        ? `${cpuMs(run.cpu.server)} + ${cpuMs(run.cpu.database)} + ${cpuMs(run.cpu.client)}`
        : "",
    ];
  });
  console.log("");
  console.log(
    formatTable(
      [
        { title: "server" },
        { title: "conc" },
        { title: "requests", align: "right" },
        { title: "orders/s", align: "right" },
        { title: "p50 ms", align: "right" },
        { title: "p99 ms", align: "right" },
        { title: "max ms", align: "right" },
        { title: "non-2xx", align: "right" },
        { title: "EARN rows", align: "right" },
        { title: "CPU ms/order: server + PG + load", align: "right" },
      ],
      rows,
    ),
  );
  console.log("");
  for (const concurrency of settings.concurrency) {
    const baseline = measured.find(
      (run) => run.target === "baseline" && run.concurrency === concurrency,
    );
    const app = measured.find(
      (run) => run.target === "app" && run.concurrency === concurrency,
    );
    if (!baseline || !app) continue;
    const throughput =
      app.report.requestsPerSecond / baseline.report.requestsPerSecond;
    const p99 = app.report.latencyMs.p99 / baseline.report.latencyMs.p99;
    console.log(
      `  c${concurrency}: app/baseline throughput ${formatNumber(throughput, 3)}× · p99 ${formatNumber(p99, 1)}×`,
    );
  }
  console.log(
    `  target: ≥ ${formatNumber(targetOrdersPerSecond)} orders/s, p99 < 50 ms: ${formatNumber(availableParallelism())} cores then leave ${formatNumber((availableParallelism() * 1000) / targetOrdersPerSecond, 2)} ms of CPU per order for the app, PostgreSQL and the load generator together`,
  );
  for (const run of measured.filter((each) => each.target === "app")) {
    const { report } = run;
    const non2xx = report.completed - report.ok2xx + report.errors;
    console.log(
      `  app c${run.concurrency}: ${formatNumber(report.requestsPerSecond)} orders/s, p99 ${formatMs(report.latencyMs.p99)} ms` +
        (non2xx > 0
          ? ` (${formatNumber(non2xx)} of ${formatNumber(report.completed + report.errors)} not 2xx: not the accrual path)`
          : ""),
    );
  }
}

async function runWebhookBench(options: OptionValues): Promise<BenchResult> {
  const settings = settingsFrom(options);
  const server = await benchServer();
  if (!("adminUrl" in server)) return server;

  console.log(
    `  ${formatNumber(settings.orders)} orders/run over ${formatNumber(settings.customers)} customers, concurrency ${settings.concurrency.join(", ")}, warm-up ${settings.warmup}${settings.quick ? " (BENCH_QUICK)" : ""}`,
  );
  ensureBuild();

  return withThrowawayDatabase(
    server.adminUrl,
    "loyalty_bench",
    async (database) => {
      const benchUrl = database.url;
      await prepareBenchShop(benchUrl);
      // After the shop exists: orders placed before the install do not earn (the program starts at
      // installation), so every order is stamped later than the shop row.
      const started = Date.now();
      const warmup = prepareDeliveries(
        1_000_000_000,
        settings.warmup,
        settings.customers,
        1,
      );
      const runs = settings.concurrency.map((_, index) =>
        prepareDeliveries(
          1_000_000_000 + (index + 1) * 10_000_000,
          settings.orders,
          settings.customers,
          index + 2,
        ),
      );
      const bodyBytes = runs
        .flat()
        .reduce((sum, request) => sum + (request.body?.length ?? 0), 0);
      const deliveries = runs.reduce((sum, run) => sum + run.length, 0);
      console.log(
        `  prepared and signed ${formatNumber(deliveries + warmup.length)} deliveries in ${formatNumber((Date.now() - started) / 1000, 1)} s (mean body ${formatNumber(bodyBytes / Math.max(1, deliveries))} bytes)`,
      );

      const baseline = await startChildServer("./baseline-server.ts", {
        BENCH_WEBHOOK_SECRET: apiSecret,
      });
      database.beforeDrop(() => baseline.stop());
      const measured: Measured[] = [];
      try {
        measured.push(
          ...(await loadServer("baseline", baseline, warmup, runs, settings)),
        );
      } finally {
        await baseline.stop();
      }

      const app = await startAppServer({
        databaseUrl: benchUrl,
        apiKey,
        apiSecret,
      });
      database.beforeDrop(() => app.stop());
      try {
        measured.push(
          ...(await loadServer("app", app, warmup, runs, settings, benchUrl)),
        );
      } finally {
        await app.stop();
      }

      printResults(measured, settings);
      return {
        status: "ran",
        rows: measured.map((run): SummaryRow => ({
          case: `${run.target} c${run.concurrency}`,
          requests: run.report.completed,
          perSecond: run.report.requestsPerSecond,
          p50Ms: run.report.latencyMs.p50,
          p99Ms: run.report.latencyMs.p99,
          maxMs: run.report.latencyMs.max,
          non2xx: run.report.completed - run.report.ok2xx + run.report.errors,
          note:
            run.earnEntries === undefined
              ? undefined
              : `${formatNumber(run.earnEntries)} EARN rows / ${formatNumber(run.report.ok2xx)} 2xx`,
        })),
      };
    },
  );
}

export const webhookBench: Bench = {
  name: "webhooks",
  description:
    "orders/paid deliveries: bare HMAC server vs the app on PostgreSQL",
  options: {
    orders: { type: "string" },
    customers: { type: "string" },
    concurrency: { type: "string" },
    "max-seconds": { type: "string" },
  },
  run: runWebhookBench,
};
