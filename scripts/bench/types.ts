import type { ParseArgsConfig } from "node:util";

export type OptionValues = Record<
  string,
  string | boolean | (string | boolean)[] | undefined
>;

/** One line of the runner's summary table. */
export interface SummaryRow {
  case: string;
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  note?: string;
}

export type BenchResult =
  { status: "ran"; rows: SummaryRow[] } | { status: "skipped"; reason: string };

/**
 * A named benchmark. Options are declared so that the runner can parse the command line once,
 * strictly, for every bench it runs: a mistyped option fails at once instead of being ignored.
 */
export interface Bench {
  name: string;
  description: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  run(options: OptionValues): Promise<BenchResult>;
}
