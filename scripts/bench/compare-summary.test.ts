import { describe, expect, it } from "vitest";
import {
  median,
  summariseComparison,
  type SegmentResult,
  type SideResult,
} from "./compare-summary";

const segment = (
  orders: number,
  durationMs: number,
  extra: Partial<SegmentResult> = {},
): SegmentResult => ({
  orders,
  durationMs,
  p50Ms: 10,
  p99Ms: 40,
  cpuMs: { server: orders, database: orders / 2 },
  ...extra,
});

const side = (
  segments: SegmentResult[],
  latenciesMs: number[] = [],
): SideResult => ({
  segments,
  latenciesMs,
});

describe("the comparison of two sides' segments", () => {
  it("divides B's orders over its time by A's, not the mean of the segments' ratios", () => {
    // A: 1,000/s then 2,000/s; B: 1,250/s then 1,600/s. Per segment B wins one and loses one
    // (a mean ratio of 1.025), but over the whole run B sent 2,000 orders in 1.425 s to A's 1.5 s.
    const a = side([segment(1000, 1000), segment(1000, 500)]);
    const b = side([segment(1000, 800), segment(1000, 625)]);

    const summary = summariseComparison(a, b);

    expect(summary.a.perSecond).toBeCloseTo(1333.33, 2);
    expect(summary.b.perSecond).toBeCloseTo(1403.51, 2);
    expect(summary.ratio).toBeCloseTo(1.5 / 1.425, 6);
    expect(summary.segmentRatios).toEqual([1.25, 0.8]);
    expect(summary.segmentsBFaster).toBe(1);
  });

  it("counts only the segments B was strictly faster in", () => {
    const a = side([
      segment(1000, 1000),
      segment(1000, 1000),
      segment(1000, 1000),
    ]);
    const b = side([
      segment(1000, 900),
      segment(1000, 1000),
      segment(1000, 1100),
    ]);

    const summary = summariseComparison(a, b);

    expect(summary.segmentsBFaster).toBe(1);
    expect(summary.ratio).toBeCloseTo(1, 6);
  });

  it("takes the p99 over every latency of the side, and the median of its segments' p99s apart", () => {
    // 1 … 200 ms: the nearest-rank p99 is the 198th value. Each segment's own p99 is far lower,
    // as when one segment's slow tail is diluted by the others.
    const latencies = Array.from({ length: 200 }, (_, index) => 200 - index);
    const segments = [10, 40, 20, 30].map((p99Ms) =>
      segment(50, 50, { p99Ms }),
    );

    const summary = summariseComparison(
      side(segments),
      side(segments, latencies),
    );

    expect(summary.b.p99Ms).toBe(198);
    expect(summary.b.p50Ms).toBe(100);
    expect(summary.b.medianSegmentP99Ms).toBe(25);
  });

  it("spreads the CPU of all segments over all orders, and gives none when a segment was not measured", () => {
    const measured = side([
      segment(1000, 1000, { cpuMs: { server: 800, database: 600 } }),
      segment(3000, 1000, { cpuMs: { server: 1200, database: 1400 } }),
    ]);
    const unmeasured = side([
      segment(1000, 1000),
      segment(1000, 1000, { cpuMs: null }),
    ]);

    const summary = summariseComparison(measured, unmeasured);

    expect(summary.a.cpuPerOrderMs).toEqual({ server: 0.5, database: 0.5 });
    expect(summary.b.cpuPerOrderMs).toBeNull();
  });

  it("refuses sides with different numbers of segments", () => {
    expect(() => summariseComparison(side([segment(1, 1)]), side([]))).toThrow(
      /compared in pairs/,
    );
  });
});

describe("median", () => {
  it.each([
    { values: [30, 10, 20], expected: 20 },
    { values: [40, 10, 30, 20], expected: 25 },
    { values: [7], expected: 7 },
  ])("of $values is $expected", ({ values, expected }) => {
    expect(median(values)).toBe(expected);
  });
});
