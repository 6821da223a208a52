// npm run bench [-- <bench names>] [-- options]: runs the named benchmarks (all when none is
// named) one after another and prints a summary table. Benchmarks measure and report; they never
// pass or fail on their numbers. The exit code is 1 only when a bench itself broke (a crash, a
// server that would not start), so a CI job can still tell a broken harness from a slow app.
//   BENCH_QUICK=1   a tiny run of each bench, to check the harness works
import { parseArgs } from "node:util";
import { checkoutBench } from "./checkout";
import { dashboardBench } from "./dashboard";
import { formatMs, formatNumber, formatTable } from "./report";
import { tagBench } from "./tags";
import type { Bench, BenchResult } from "./types";
import { webhookBench } from "./webhooks";

const benches: Bench[] = [
  webhookBench,
  tagBench,
  checkoutBench,
  dashboardBench,
];

function usage(): string {
  const names = benches.map(
    (bench) => `  ${bench.name.padEnd(12)} ${bench.description}`,
  );
  const options = [
    ...new Set(benches.flatMap((bench) => Object.keys(bench.options))),
  ].map((name) => `--${name}`);
  return [
    "Usage: npm run bench -- [name…] [options]",
    "Benches:",
    ...names,
    `Options: ${options.join(" ")} --help`,
    "Env: BENCH_QUICK=1 for a tiny run, DATABASE_URL for the PostgreSQL server",
  ].join("\n");
}

const options: Bench["options"] = {
  help: { type: "boolean", default: false },
};
for (const bench of benches) Object.assign(options, bench.options);
const { values, positionals } = parseArgs({ allowPositionals: true, options });

if (values.help) {
  console.log(usage());
  process.exit(0);
}

const unknown = positionals.filter(
  (name) => !benches.some((bench) => bench.name === name),
);
if (unknown.length > 0) {
  console.error(`Unknown bench: ${unknown.join(", ")}\n${usage()}`);
  process.exit(1);
}
const selected =
  positionals.length > 0
    ? benches.filter((bench) => positionals.includes(bench.name))
    : benches;

const outcomes: {
  bench: Bench;
  result: BenchResult | { status: "broke"; error: string };
}[] = [];
for (const bench of selected) {
  console.log(`\n▸ bench ${bench.name}: ${bench.description}`);
  try {
    const result = await bench.run(values);
    if (result.status === "skipped") console.log(`  skipped: ${result.reason}`);
    outcomes.push({ bench, result });
  } catch (error) {
    const message =
      error instanceof Error ? (error.stack ?? error.message) : String(error);
    console.error(`  ${bench.name} broke: ${message}`);
    outcomes.push({
      bench,
      result: { status: "broke", error: message.split("\n")[0] ?? "" },
    });
  }
}

const rows = outcomes.flatMap(({ bench, result }) => {
  if (result.status === "ran")
    return result.rows.map((row) => [
      bench.name,
      row.case,
      formatNumber(row.requests),
      formatNumber(row.perSecond),
      formatMs(row.p50Ms),
      formatMs(row.p99Ms),
      formatMs(row.maxMs),
      formatNumber(row.non2xx),
      row.note ?? "",
    ]);
  const note =
    result.status === "skipped"
      ? `skipped: ${result.reason}`
      : `broke: ${result.error}`;
  return [[bench.name, "", "", "", "", "", "", "", note]];
});

console.log("\nSummary");
console.log(
  formatTable(
    [
      { title: "bench" },
      { title: "case" },
      { title: "requests", align: "right" },
      { title: "per s", align: "right" },
      { title: "p50 ms", align: "right" },
      { title: "p99 ms", align: "right" },
      { title: "max ms", align: "right" },
      { title: "non-2xx", align: "right" },
      { title: "note" },
    ],
    rows,
  ),
);

process.exit(outcomes.some(({ result }) => result.status === "broke") ? 1 : 0);
