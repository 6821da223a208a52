// Failures a test can schedule for the next Admin API calls, to prove the app's client backs off,
// retries and gives up the way it should.

export type Fault =
  /** A Shopify THROTTLED answer (HTTP 200) whatever the bucket holds. */
  | { kind: "THROTTLED" }
  /** An HTTP error from Shopify's edge; nothing is executed. */
  | { kind: "HTTP"; status: 429 | 500 | 502 | 503 | 504 }
  /** The request hangs for `ms`, then the connection is dropped without an answer. */
  | { kind: "TIMEOUT"; ms: number };

export interface FaultOptions {
  /** How many matching calls it applies to (default 1). */
  times?: number;
  /** Only calls for this shop; any shop when absent. */
  shop?: string;
}

interface QueuedFault {
  fault: Fault;
  remaining: number;
  shop: string | null;
}

export class FaultQueue {
  private readonly queue: QueuedFault[] = [];

  enqueue(fault: Fault, { times = 1, shop }: FaultOptions = {}): void {
    if (!Number.isInteger(times) || times < 1)
      throw new Error("times must be a positive integer");
    this.queue.push({
      fault,
      remaining: times,
      shop: shop?.toLowerCase() ?? null,
    });
  }

  /** The fault for this call, if one is due; consumes one use of it. */
  take(shop: string): Fault | null {
    const index = this.queue.findIndex(
      (entry) => entry.shop === null || entry.shop === shop,
    );
    if (index === -1) return null;
    const entry = this.queue[index];
    if (!entry) return null;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.queue.splice(index, 1);
    return entry.fault;
  }

  get pending(): number {
    return this.queue.reduce((sum, entry) => sum + entry.remaining, 0);
  }

  clear(): void {
    this.queue.length = 0;
  }
}
