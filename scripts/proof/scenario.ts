import type { History } from "../lib/demo-history";
import type { ProofStack } from "./stack";

export interface ProofSize {
  label: string;
  /** Orders in the replayed history (scenarios 1 to 4). */
  orders: number;
  /** Times 20 concurrent holds race for a balance good for 5. */
  redemptionRounds: number;
  /** Customers whose tier tags and codes go through a degraded Shopify. */
  degradedCustomers: number;
  hostileRequests: number;
  /** Times the app is killed during the crash scenario's replay. */
  crashes: number;
}

export const proofSizes = {
  full: {
    label: "full",
    orders: 10_000,
    redemptionRounds: 100,
    degradedCustomers: 100,
    hostileRequests: 1_000,
    crashes: 5,
  },
  // What CI runs: every scenario, at a size that keeps the whole suite quick on two cores.
  small: {
    label: "small",
    orders: 200,
    redemptionRounds: 5,
    degradedCustomers: 10,
    hostileRequests: 1_000,
    crashes: 2,
  },
} satisfies Record<string, ProofSize>;

export interface ScenarioContext {
  stack: ProofStack;
  size: ProofSize;
  /** The replayed history, the same for every scenario of a run. */
  history: History;
  /** Each customer's points once the whole history has happened, by customer id. */
  expected: ReadonlyMap<string, number>;
  /** When the history ends; its orders are placed during the year before. */
  now: Date;
  log(line: string): void;
}

export interface ScenarioResult {
  volume: string;
  outcome: string;
  /** "ledger exact", what differs, or "-" where no points move. */
  ledger: string;
  ok: boolean;
  /** Why it could not run here; such a result proves nothing. */
  skipped?: string;
}

export interface Scenario {
  name: string;
  run(context: ScenarioContext): Promise<ScenarioResult>;
}
