import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  openProof,
  runScenario,
  scenarioLine,
  scenarios,
  type Proof,
} from "../../scripts/proof/run";
import { proofSizes } from "../../scripts/proof/scenario";

// Every scenario of `npm run proof`, at the small size: the built app in a child process on
// PostgreSQL (DATABASE_URL's server, the local one, or a cluster of the proof's own). Without any
// PostgreSQL the scenarios are reported skipped, never passed.

let proof: Proof | undefined;
let unavailable = "";

beforeAll(async () => {
  const started = await openProof(proofSizes.small, () => undefined);
  if (started.ok) proof = started.proof;
  else unavailable = started.reason;
}, 180_000);

afterAll(async () => {
  await proof?.close();
}, 60_000);

describe("the proof at the small size", () => {
  for (const scenario of scenarios)
    it(
      scenario.name,
      async (context) => {
        if (!proof) return context.skip(unavailable);
        const run = await runScenario(scenario, proof.context);
        console.log(scenarioLine(run));
        if (run.result.skipped) return context.skip(run.result.skipped);
        expect(run.result.ok, scenarioLine(run)).toBe(true);
        expect(run.result.ledger).toBe("ledger exact");
      },
      300_000,
    );
});
