// A closed-loop load generator on node:http: `concurrency` workers, each sending the next prepared
// request as soon as its previous one has been answered. Closed loop on purpose: it measures what
// the server sustains without piling up an unbounded queue in front of it, and a slow server
// shows as lower throughput and higher latency rather than as client-side backlog.
import http from "node:http";

export interface PreparedRequest {
  method: string;
  /** Path and query, e.g. "/webhooks/orders/paid". */
  path: string;
  headers: http.OutgoingHttpHeaders;
  body?: Buffer;
}

export interface LoadOptions {
  /** Origin of the server under load; loopback only. */
  origin: string;
  requests: readonly PreparedRequest[];
  concurrency: number;
  /** Stop after this many requests (default: all of `requests`). */
  maxRequests?: number;
  /** Hand out no new request after this long (default 120 s). */
  maxDurationMs?: number;
  /** A request without an answer after this long counts as an error (default 10 s). */
  requestTimeoutMs?: number;
  /**
   * Told each request's fate by its index in `requests`: its status and latency in milliseconds,
   * or an undefined status without answer.
   */
  onResult?: (
    index: number,
    status: number | undefined,
    latencyMs?: number,
  ) => void;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface LoadReport {
  concurrency: number;
  /** Requests that got an HTTP answer. */
  completed: number;
  /** Requests that got no answer (connection error, timeout). */
  errors: number;
  firstError?: string;
  /** True when the time bound, not the request count, ended the run. */
  stoppedByTime: boolean;
  durationMs: number;
  requestsPerSecond: number;
  /** Milliseconds, over answered requests. */
  latencyMs: LatencySummary;
  statusCounts: Record<number, number>;
  ok2xx: number;
  /** The server's own time per answer, from its `Server-Timing: app;dur=` header; null without one. */
  serverMs: LatencySummary | null;
}

const loopbackHosts = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil(fraction * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? 0;
}

interface Answer {
  status: number;
  serverMs: number | null;
}

const serverTiming = /(?:^|,)\s*app;dur=([\d.]+)/;

function send(
  agent: http.Agent,
  target: { host: string; port: number; hostHeader: string },
  request: PreparedRequest,
  timeoutMs: number,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = {
      ...request.headers,
      host: target.hostHeader,
    };
    if (request.body) headers["content-length"] = request.body.length;
    const outgoing = http.request(
      {
        agent,
        host: target.host,
        port: target.port,
        method: request.method,
        path: request.path,
        headers,
      },
      (response) => {
        // The body is drained, not kept: latency ends when the whole answer has arrived.
        response.on("data", () => {});
        const timing = serverTiming.exec(
          String(response.headers["server-timing"] ?? ""),
        );
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            serverMs: timing?.[1] ? Number(timing[1]) : null,
          }),
        );
        response.on("error", reject);
      },
    );
    outgoing.setTimeout(timeoutMs, () =>
      outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)),
    );
    outgoing.on("error", reject);
    outgoing.end(request.body);
  });
}

export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const origin = new URL(options.origin);
  if (origin.protocol !== "http:" || !loopbackHosts.has(origin.hostname)) {
    throw new Error(
      `The load generator only targets loopback http, not ${options.origin}`,
    );
  }
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const total = Math.min(
    options.requests.length,
    options.maxRequests ?? options.requests.length,
  );
  const maxDurationNs =
    BigInt(Math.round(options.maxDurationMs ?? 120_000)) * 1_000_000n;
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const target = {
    // "localhost" can resolve to ::1 first while the servers listen on 127.0.0.1; connecting to
    // the address directly also keeps a DNS lookup out of every new connection.
    host:
      origin.hostname === "localhost"
        ? "127.0.0.1"
        : origin.hostname.replace(/^\[|\]$/g, ""),
    port: Number(origin.port || 80),
    hostHeader: origin.host,
  };
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: concurrency,
    maxFreeSockets: concurrency,
  });

  const latenciesNs = new Float64Array(total);
  const serverMs = new Float64Array(total);
  let timed = 0;
  const statusCounts: Record<number, number> = {};
  let answered = 0;
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  let stoppedByTime = false;

  const started = process.hrtime.bigint();
  const deadline = started + maxDurationNs;
  let finished = started;

  const worker = async () => {
    while (next < total) {
      if (process.hrtime.bigint() >= deadline) {
        stoppedByTime = true;
        return;
      }
      const index = next;
      const request = options.requests[index];
      next += 1;
      if (request === undefined) return;
      const sentAt = process.hrtime.bigint();
      try {
        const { status, serverMs: ownTime } = await send(
          agent,
          target,
          request,
          timeoutMs,
        );
        const doneAt = process.hrtime.bigint();
        if (ownTime !== null) {
          serverMs[timed] = ownTime;
          timed += 1;
        }
        const latencyNs = Number(doneAt - sentAt);
        latenciesNs[answered] = latencyNs;
        answered += 1;
        statusCounts[status] = (statusCounts[status] ?? 0) + 1;
        if (doneAt > finished) finished = doneAt;
        options.onResult?.(index, status, latencyNs / 1e6);
      } catch (error) {
        options.onResult?.(index, undefined);
        errors += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
        finished = process.hrtime.bigint();
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }

  const durationMs = Number(finished - started) / 1e6;
  const toMs = (ns: number) => ns / 1e6;
  const ok2xx = Object.entries(statusCounts)
    .filter(([status]) => Number(status) >= 200 && Number(status) < 300)
    .reduce((count, [, value]) => count + value, 0);

  return {
    concurrency,
    completed: answered,
    errors,
    firstError,
    stoppedByTime,
    durationMs,
    requestsPerSecond: durationMs > 0 ? answered / (durationMs / 1000) : 0,
    latencyMs: summarise(latenciesNs.subarray(0, answered), toMs),
    statusCounts,
    ok2xx,
    serverMs:
      timed > 0 ? summarise(serverMs.subarray(0, timed), (ms) => ms) : null,
  };
}

function summarise(
  values: Float64Array,
  toMs: (value: number) => number,
): LatencySummary {
  const sorted = values.sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    p50: toMs(percentile(sorted, 0.5)),
    p90: toMs(percentile(sorted, 0.9)),
    p99: toMs(percentile(sorted, 0.99)),
    max: toMs(sorted[sorted.length - 1] ?? 0),
    mean: sorted.length > 0 ? toMs(sum / sorted.length) : 0,
  };
}

/** "200×9800 500×200" */
export function formatStatusCounts(counts: Record<number, number>): string {
  const parts = Object.entries(counts)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, count]) => `${status}×${count}`);
  return parts.length > 0 ? parts.join(" ") : "none";
}
