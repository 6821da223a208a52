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
  /** The most works of a group that run one after another because their claims meet. */
  maxChain?: number;
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

/** A work of a group, with the works of the group it runs after because their claims meet. */
interface Planned {
  waiting: Waiting;
  after: Planned[];
  /** How many works run one after another up to and including this one. */
  depth: number;
}

// 16, 32 and 64 measured at c50 on the webhook bench: 755, 1,045 and 963 orders/s
// (docs/decisions/007-webhook-path.md).
const defaultMaxGroup = 32;
// A burst of one customer's orders holds its group up by at most three works' time.
const defaultMaxChain = 4;

/**
 * Runs units of work in transactions one after another, putting the works that wait together into
 * one transaction. A commit, its flush to disk and every round trip are then shared by the group,
 * which costs the app and PostgreSQL a third less CPU a webhook (docs/decisions/007-webhook-path.md).
 * Works whose claims do not meet run side by side; a work whose claims meet an earlier one's runs
 * after it in the same transaction and sees what it wrote, rather than waiting for the next group.
 *
 * Each work still commits with all of its effects or none of them: when any work of a group fails,
 * nothing of the group is kept, and each of its works runs again in a transaction of its own, so
 * that it gets its own outcome and the others theirs. The works of a group share one connection,
 * so they must not wait for each other's locks: their claims put two works on the same rows one
 * after the other.
 *
 * One group at a time: the next one starts behind the COMMIT of the one before, on the same
 * connection, or once that COMMIT is answered when no work was waiting as it left. Two groups at
 * once would lock the dashboard's shared rollup rows in opposite orders, and PostgreSQL resolves
 * such a deadlock only after a second.
 */
export class TransactionLane {
  readonly #waiting: Waiting[] = [];
  #busy = false;
  readonly #maxGroup: number;
  readonly #maxChain: number;

  constructor(
    readonly database: SqlDatabase,
    options: LaneOptions = {},
  ) {
    this.#maxGroup = options.maxGroup ?? defaultMaxGroup;
    this.#maxChain = options.maxChain ?? defaultMaxChain;
    for (const [name, value] of [
      ["group", this.#maxGroup],
      ["chain", this.#maxChain],
    ] as const)
      if (!Number.isInteger(value) || value < 1)
        throw new Error(`a ${name} must hold at least one work, got ${value}`);
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
   * The waiting works in arrival order, each after the group's last work on each of its claims,
   * until the group is full. A work whose chain would grow too long stays for a later group, and so
   * does every later work that meets its claims, so that works on the same rows keep their order.
   * A work without claims is a group of its own, and none passes it.
   */
  #takeGroup(): Planned[] {
    const group: Planned[] = [];
    const lastOn = new Map<string, Planned>();
    const leftWaiting = new Set<string>();
    let index = 0;
    while (index < this.#waiting.length && group.length < this.#maxGroup) {
      const waiting = this.#waiting[index] as Waiting;
      const { claims } = waiting;
      if (claims === null) {
        if (group.length === 0) group.push(this.#plan(index, [], 1));
        break;
      }
      const after = [
        ...new Set(claims.flatMap((claim) => lastOn.get(claim) ?? [])),
      ];
      const depth = 1 + Math.max(0, ...after.map((work) => work.depth));
      if (
        depth > this.#maxChain ||
        claims.some((claim) => leftWaiting.has(claim))
      ) {
        for (const claim of claims) leftWaiting.add(claim);
        index += 1;
        continue;
      }
      const planned = this.#plan(index, after, depth);
      for (const claim of claims) lastOn.set(claim, planned);
      group.push(planned);
    }
    return group;
  }

  /** Takes the waiting work at `index` into a group, after the works given. */
  #plan(index: number, after: Planned[], depth: number): Planned {
    const [waiting] = this.#waiting.splice(index, 1) as [Waiting];
    return { waiting, after, depth };
  }

  async #runGroup(plan: Planned[], arriving: boolean): Promise<void> {
    const group = plan.map((planned) => planned.waiting);
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
          const settled = await Promise.allSettled(runInOrder(plan, tx));
          const failed = settled.find((result) => result.status === "rejected");
          if (failed)
            throw group.length === 1 ? failed.reason : new GroupFailed();
          return settled.map(
            (result) => (result as PromiseFulfilledResult<unknown>).value,
          );
        },
        // The next group's statements follow this COMMIT on the same connection. With no one
        // waiting yet, the lane stays taken until the COMMIT is answered: the first delivery to
        // arrive would otherwise start a group of its own while the rest of its cohort is still
        // arriving, and they would all wait a cycle behind it.
        { onCommitSent: () => this.#waiting.length > 0 && handOn() },
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
        // Started here when the COMMIT handed the lane on to no one; otherwise by the group that
        // holds it now, or by the hand-on below.
        this.#next();
      }
    } finally {
      handOn();
    }
  }
}

/**
 * Starts each work of a group once the works it runs after have finished. Behind a failed work
 * nothing starts: the group's transaction is lost anyway.
 */
function runInOrder(plan: Planned[], tx: Tx): Promise<unknown>[] {
  const runs = new Map<Planned, Promise<unknown>>();
  for (const planned of plan) {
    const before = planned.after.map((work) => runs.get(work));
    runs.set(
      planned,
      before.length === 0
        ? planned.waiting.work(tx)
        : Promise.all(before).then(() => planned.waiting.work(tx)),
    );
  }
  return [...runs.values()];
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
