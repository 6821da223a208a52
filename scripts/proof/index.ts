// npm run proof [-- --size small|full] [-- --orders N]: every fault-injection and abuse scenario
// against the built app on PostgreSQL, one line each as it finishes, then a summary table. Exits
// non-zero when any scenario fails or its ledger is not exact; a skipped scenario is reported as
// such and fails the run too, since it proved nothing. PROOF_SIZE=small is what CI runs.
import { parseArgs } from "node:util";
import { positiveInteger } from "../bench/options";
import { ensureBuild } from "../lib/app-build";
import {
  openProof,
  runScenario,
  scenarioLine,
  scenarios,
  summaryTable,
  type ScenarioRun,
} from "./run";
import { proofSizes, type ProofSize } from "./scenario";

const { values } = parseArgs({
  options: {
    size: { type: "string", default: process.env.PROOF_SIZE ?? "full" },
    orders: { type: "string" },
    only: { type: "string" },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  console.log(
    "Usage: npm run proof -- [--size small|full] [--orders N] [--only 1,5]\nEnv: DATABASE_URL (the PostgreSQL server), PROOF_SIZE, PG_BIN (initdb's folder)",
  );
  process.exit(0);
}
if (values.size !== "small" && values.size !== "full") {
  console.error(`--size must be small or full, not ${values.size}`);
  process.exit(1);
}
const base: ProofSize = proofSizes[values.size];
const size: ProofSize =
  values.orders === undefined
    ? base
    : {
        ...base,
        label: `${base.label}, ${values.orders} orders`,
        orders: positiveInteger("orders", values.orders, base.orders),
      };

ensureBuild();
const started = await openProof(size, (line) => console.log(line));
if (!started.ok) {
  console.error(`The proof cannot run: ${started.reason}`);
  process.exit(1);
}
const { proof } = started;
// Ctrl-C mid-run still drops the proof's databases and stops its servers and cluster.
const interrupted = () => {
  void proof.close().finally(() => process.exit(130));
};
process.once("SIGINT", interrupted);
process.once("SIGTERM", interrupted);
console.log(`Proof, ${size.label} size: ${proof.description}\n`);
const runs: ScenarioRun[] = [];
try {
  const only = values.only?.split(",").map((part) => part.trim());
  for (const scenario of scenarios) {
    if (only && !only.includes(scenario.name.split(" ")[0] ?? "")) continue;
    console.log(`▸ ${scenario.name}`);
    const run = await runScenario(scenario, proof.context);
    runs.push(run);
    console.log(scenarioLine(run));
  }
} finally {
  await proof.close();
}
console.log(`\nSummary (${size.label} size)\n${summaryTable(runs)}`);
const failed = runs.filter((run) => !run.result.ok);
process.exit(failed.length > 0 ? 1 : 0);
