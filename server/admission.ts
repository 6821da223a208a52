/**
 * At most `limit` requests' work at once; the others wait their turn in arrival order. The app
 * has one event loop: a hundred requests taken at once each wait for the other ninety-nine's
 * slices of CPU and for a database connection, and all finish late together. Admitted a few at a
 * time, each finishes in its own time and the wait is one visible queue. A route chooses which of
 * its work is admitted (DirectRequest.admit in app/direct-route.server.ts).
 */
export class Admission {
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error(
        `admission limit must be a positive integer, got ${limit}`,
      );
  }

  /** Runs `work` in its turn, telling it how long it waited (0 when admitted at once). */
  async run<T>(work: (waitedMs: number) => Promise<T>): Promise<T> {
    let waitedMs = 0;
    if (this.#active < this.limit) this.#active += 1;
    else {
      const queuedAt = performance.now();
      // The leaving request hands its place over, so #active stays as it is.
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
      waitedMs = performance.now() - queuedAt;
    }
    try {
      return await work(waitedMs);
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active -= 1;
    }
  }
}
