import type { SqlDatabase, Tx } from "./sql.server";

/**
 * What a unit of work touches that no other work in its transaction may: an order, a customer, an
 * e-mail address, each named with its shop. Null when the work cannot say, or touches a whole
 * shop: it then has a transaction of its own.
 */
export type Claims = readonly string[] | null;

export interface LaneOptions {
  /** The most works that share one transaction. */
  maxGroup?: number;
}

/** Told when the work's transaction starts, with how long the work waited for it. */
export type OnTurn = (waitedMs: number) => void;

interface Waiting {
  claims: Claims;
  work: (tx: Tx) => Promise<unknown>;
  queuedAt: number;
  onTurn?: OnTurn;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

// 16, 32 and 64 measured at c50 on the webhook bench: 755, 1,045 and 963 orders/s
// (docs/decisions/007-webhook-path.md).
const defaultMaxGroup = 32;

/**
 * Runs units of work in transactions one after another, putting the works that wait together into
 * one transaction when their claims do not meet. A commit, its flush to disk and every round trip
 * are then shared by the group, which costs the app and PostgreSQL a third less CPU a webhook
 * (docs/decisions/007-webhook-path.md).
 *
 * Each work still commits with all of its effects or none of them: when any work of a group fails,
 * nothing of the group is kept, and each of its works runs again in a transaction of its own, so
 * that it gets its own outcome and the others theirs. The works of a group run side by side on one
 * connection, so they must not wait for each other: their claims keep two works on the same rows
 * apart.
 *
 * One group at a time: the next one starts behind the COMMIT of the one before, on the same
 * connection. Two groups at once would lock the dashboard's shared rollup rows in opposite
 * orders, and PostgreSQL resolves such a deadlock only after a second.
 */
export class TransactionLane {
  readonly #waiting: Waiting[] = [];
  #busy = false;
  readonly #maxGroup: number;

  constructor(
    readonly database: SqlDatabase,
    options: LaneOptions = {},
  ) {
    this.#maxGroup = options.maxGroup ?? defaultMaxGroup;
    if (!Number.isInteger(this.#maxGroup) || this.#maxGroup < 1)
      throw new Error(
        `a group must hold at least one work, got ${this.#maxGroup}`,
      );
  }

  run<T>(
    claims: Claims,
    work: (tx: Tx) => Promise<T>,
    onTurn?: OnTurn,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({
        claims,
        work,
        queuedAt: performance.now(),
        onTurn,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      this.#next(true);
    });
  }

  /** `arriving`: called as a work arrives, which then starts without having waited. */
  #next(arriving = false): void {
    if (this.#busy) return;
    const group = this.#takeGroup();
    if (group.length === 0) return;
    this.#busy = true;
    void this.#runGroup(group, arriving);
  }

  /**
   * The first waiting work and, in arrival order, every later one whose claims meet none of the
   * group's. A work without claims is a group of its own, and none passes it.
   */
  #takeGroup(): Waiting[] {
    const group: Waiting[] = [];
    const taken = new Set<string>();
    let index = 0;
    while (index < this.#waiting.length && group.length < this.#maxGroup) {
      const waiting = this.#waiting[index] as Waiting;
      if (waiting.claims === null) {
        if (group.length === 0) group.push(...this.#waiting.splice(index, 1));
        break;
      }
      if (waiting.claims.some((claim) => taken.has(claim))) {
        index += 1;
        continue;
      }
      for (const claim of waiting.claims) taken.add(claim);
      group.push(...this.#waiting.splice(index, 1));
    }
    return group;
  }

  async #runGroup(group: Waiting[], arriving: boolean): Promise<void> {
    let handedOn = false;
    const handOn = () => {
      if (handedOn) return;
      handedOn = true;
      this.#busy = false;
      this.#next();
    };
    const startedAt = performance.now();
    for (const waiting of group)
      waiting.onTurn?.(arriving ? 0 : startedAt - waiting.queuedAt);
    try {
      const values = await this.database.transaction(
        async (tx) => {
          const settled = await Promise.allSettled(
            group.map((waiting) => waiting.work(tx)),
          );
          const failed = settled.find((result) => result.status === "rejected");
          if (failed)
            throw group.length === 1 ? failed.reason : new GroupFailed();
          return settled.map(
            (result) => (result as PromiseFulfilledResult<unknown>).value,
          );
        },
        // The next group's statements follow this COMMIT on the same connection.
        { onCommitSent: handOn },
      );
      group.forEach((waiting, index) => waiting.resolve(values[index]));
    } catch (error) {
      if (group.length === 1) (group[0] as Waiting).reject(error);
      else {
        // Ahead of everything that arrived since, each alone and in their order.
        this.#waiting.unshift(
          ...group.map((waiting) => ({
            ...waiting,
            claims: null,
            onTurn: undefined,
          })),
        );
        // A COMMIT that failed has already handed the lane on, maybe to no one.
        this.#next();
      }
    } finally {
      handOn();
    }
  }
}

/** One work of a group failed; the group's works run again one by one. */
class GroupFailed extends Error {
  constructor() {
    super("a work of this group failed");
  }
}

const lanes = new WeakMap<SqlDatabase, TransactionLane>();

/** The database's one lane: two would let their groups deadlock on shared rows. */
export function laneOf(database: SqlDatabase): TransactionLane {
  let lane = lanes.get(database);
  if (!lane) {
    lane = new TransactionLane(database);
    lanes.set(database, lane);
  }
  return lane;
}
