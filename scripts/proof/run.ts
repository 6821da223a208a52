// Runs the scenarios one after another on one stack and collects a line for each. A scenario that
// throws is reported as broken, and the others still run.
import { defaultProgramConfig } from "../../app/loyalty/program";
import { formatTable } from "../bench/report";
import { generateHistory } from "../lib/demo-history";
import { expectedPoints } from "./ledger";
import type {
  ProofSize,
  Scenario,
  ScenarioContext,
  ScenarioResult,
} from "./scenario";
import { badInput } from "./scenarios/bad-input";
import { concurrentRedemptions } from "./scenarios/concurrent-redemptions";
import { crash } from "./scenarios/crash";
import { databaseOutage } from "./scenarios/database-outage";
import { duplicateStorm } from "./scenarios/duplicate-storm";
import { isolation } from "./scenarios/isolation";
import { outOfOrder } from "./scenarios/out-of-order";
import { privacy } from "./scenarios/privacy";
import { shopifyDegraded } from "./scenarios/shopify-degraded";
import { openProofStack, postgresServer, type PostgresServer } from "./stack";

export const scenarios: Scenario[] = [
  duplicateStorm,
  outOfOrder,
  crash,
  databaseOutage,
  concurrentRedemptions,
  shopifyDegraded,
  badInput,
  isolation,
  privacy,
];

export interface Proof {
  context: ScenarioContext;
  /** What ran on what, for the report. */
  description: string;
  close(): Promise<void>;
}

export type ProofStart =
  { ok: true; proof: Proof } | { ok: false; reason: string };

export async function openProof(
  size: ProofSize,
  log: (line: string) => void,
): Promise<ProofStart> {
  const found = await postgresServer();
  if (!found.ok) return found;
  const server: PostgresServer = found.server;
  try {
    const stack = await openProofStack(server);
    const now = new Date();
    const history = generateHistory({ orders: size.orders, now });
    const expected = expectedPoints(history, defaultProgramConfig("USD").earn);
    let closed: Promise<void> | undefined;
    return {
      ok: true,
      proof: {
        context: { stack, size, history, expected, now, log },
        description: `the built app in a child process on ${server.description} (database ${stack.database.description}); Shopify simulated at ${stack.simulator.origin}`,
        // Once, whether the run ends or is interrupted (or both).
        close: () =>
          (closed ??= (async () => {
            await stack.close();
            await server.close();
          })()),
      },
    };
  } catch (error) {
    await server.close();
    throw error;
  }
}

export interface ScenarioRun {
  scenario: Scenario;
  result: ScenarioResult;
  seconds: number;
}

export async function runScenario(
  scenario: Scenario,
  context: ScenarioContext,
): Promise<ScenarioRun> {
  const started = performance.now();
  let result: ScenarioResult;
  try {
    result = await scenario.run(context);
  } catch (error) {
    const message =
      error instanceof Error ? (error.stack ?? error.message) : String(error);
    context.log(`  ${scenario.name} broke: ${message}`);
    result = {
      volume: "-",
      outcome: `broke: ${message.split("\n")[0] ?? ""}`,
      ledger: "-",
      ok: false,
    };
  }
  return {
    scenario,
    result,
    seconds: (performance.now() - started) / 1000,
  };
}

export function verdict(result: ScenarioResult): string {
  if (result.skipped) return "SKIPPED";
  return result.ok ? "pass" : "FAIL";
}

/** One line per scenario, as it finishes. */
export function scenarioLine(run: ScenarioRun): string {
  const { result } = run;
  if (result.skipped)
    return `${run.scenario.name}: skipped (${result.skipped})`;
  return `${run.scenario.name} | ${result.volume} | ${result.outcome} | ${result.ledger} | ${verdict(result)} in ${run.seconds.toFixed(1)} s`;
}

export function summaryTable(runs: ScenarioRun[]): string {
  return formatTable(
    [
      { title: "scenario" },
      { title: "volume" },
      { title: "outcome" },
      { title: "ledger" },
      { title: "result" },
      { title: "s", align: "right" },
    ],
    runs.map((run) => [
      run.scenario.name,
      run.result.volume,
      run.result.skipped
        ? `skipped: ${run.result.skipped}`
        : run.result.outcome,
      run.result.ledger,
      verdict(run.result),
      run.seconds.toFixed(0),
    ]),
  );
}
