// The arithmetic of bench:compare, kept apart from the servers so a test can hold it to account: a
// wrong ratio or count here would turn a measured loss into a reported gain.
import { percentile } from "./load";

/**
 * One side's share of one segment: the same deliveries the other side got just before or after.
 */
export interface SegmentResult {
  orders: number;
  durationMs: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU milliseconds its server and PostgreSQL spent on it; null where /proc is not there. */
  cpuMs: { server: number; database: number } | null;
}

export interface SideResult {
  segments: SegmentResult[];
  /** Every answered delivery's latency over all segments. */
  latenciesMs: number[];
}

export interface SideSummary {
  orders: number;
  durationMs: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  medianSegmentP99Ms: number;
  cpuPerOrderMs: { server: number; database: number } | null;
}

export interface ComparisonSummary {
  a: SideSummary;
  b: SideSummary;
  /** B's throughput over A's: their orders over their time, not a mean of per-segment rates. */
  ratio: number;
  /** B's orders/s over A's in each segment. */
  segmentRatios: number[];
  /** Segments in which B answered more orders per second than A; a tie is not faster. */
  segmentsBFaster: number;
}

export const perSecond = (orders: number, durationMs: number) =>
  durationMs > 0 ? orders / (durationMs / 1000) : 0;

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function summariseSide(side: SideResult): SideSummary {
  const orders = side.segments.reduce((sum, each) => sum + each.orders, 0);
  const durationMs = side.segments.reduce(
    (sum, each) => sum + each.durationMs,
    0,
  );
  const latencies = Float64Array.from(side.latenciesMs).sort();
  const measuredCpu = side.segments.flatMap((each) => each.cpuMs ?? []);
  // A CPU figure missing one segment's share would read as cheaper than it was.
  const cpuPerOrderMs =
    orders > 0 && measuredCpu.length === side.segments.length
      ? {
          server:
            measuredCpu.reduce((sum, cpu) => sum + cpu.server, 0) / orders,
          database:
            measuredCpu.reduce((sum, cpu) => sum + cpu.database, 0) / orders,
        }
      : null;
  return {
    orders,
    durationMs,
    perSecond: perSecond(orders, durationMs),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    medianSegmentP99Ms: median(side.segments.map((each) => each.p99Ms)),
    cpuPerOrderMs,
  };
}

export function summariseComparison(
  a: SideResult,
  b: SideResult,
): ComparisonSummary {
  if (a.segments.length !== b.segments.length)
    throw new Error(
      `A ran ${a.segments.length} segments and B ${b.segments.length}: they are compared in pairs`,
    );
  const segmentRatios = b.segments.map((segment, index) => {
    const other = a.segments[index];
    const aRate = other ? perSecond(other.orders, other.durationMs) : 0;
    return aRate > 0
      ? perSecond(segment.orders, segment.durationMs) / aRate
      : 0;
  });
  const summaryA = summariseSide(a);
  const summaryB = summariseSide(b);
  return {
    a: summaryA,
    b: summaryB,
    ratio: summaryA.perSecond > 0 ? summaryB.perSecond / summaryA.perSecond : 0,
    segmentRatios,
    segmentsBFaster: segmentRatios.filter((ratio) => ratio > 1).length,
  };
}
