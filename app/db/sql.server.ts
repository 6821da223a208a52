import type {
  PGlite,
  Transaction as PGliteTransaction,
} from "@electric-sql/pglite";
import pg from "pg";
import { log } from "~/logger.server";

/** Statements one at a time, each waited for: in a transaction, or on their own outside one. */
export interface Queryable {
  query<Row = Record<string, unknown>>(
    text: string,
    values?: readonly unknown[],
  ): Promise<Row[]>;
}

/**
 * SQL statements inside a transaction. The ledger's write path speaks SQL through this instead of
 * Prisma: the same statements run three times faster on `pg` directly (measured in
 * docs/decisions/007-webhook-path.md), and a webhook is a dozen of them.
 */
export interface Tx extends Queryable {
  /**
   * A write whose rows nobody reads. It is sent at once and not waited for: on PostgreSQL it shares
   * the round trip of the next query or of the commit, and that query or the commit fails with its
   * error. `unlessWritten`, when given, is the error to fail with if it wrote no row; such a write
   * still in flight when the work is done is waited for before the COMMIT leaves.
   */
  write(
    text: string,
    values?: readonly unknown[],
    unlessWritten?: () => Error,
  ): void;
  /**
   * A row of a query that several callers of the transaction make together: the rows given
   * before the transaction's next statement, or by the end of this turn of the event loop, leave
   * as one statement (see `SharedQuery`), and each caller gets the row returned under its key.
   */
  queryRow<Row, Result>(
    query: SharedQuery<Row, Result>,
    row: Row,
  ): Promise<Result>;
  /**
   * A write on rows that no shared write touches, nor reads what one writes: it leaves at once,
   * as `write` does, but ahead of the shared rows still given, which go on gathering other
   * callers' rows for one statement. With `write`, each caller's rows would leave on their own
   * ahead of its next write.
   */
  writeAhead(text: string, values?: readonly unknown[]): void;
  /**
   * A row of a write that several callers of the transaction make together: the rows given
   * before the transaction's next statement leave as one statement (see `SharedWrite`), which
   * costs the server one execution instead of one a row. Otherwise as `write`.
   */
  writeRow<Row>(
    write: SharedWrite<Row>,
    row: Row,
    unlessWritten?: () => Error,
  ): void;
}

/**
 * A write whose rows arrive one by one from different callers. `text` takes them as a JSON array
 * in $1, in the order given. Each shared write leaves when its first row of the batch was given,
 * not when each row was: rows of different shared writes must not depend on each other.
 *
 * `jsonb_to_recordset` is planned as a hundred rows whatever it holds, so a text that joins its
 * rows to a table looks each one up in a `LATERAL (… OFFSET 0)` subquery (the OFFSET keeps the
 * planner from flattening it): a plain join would scan the whole table once a statement.
 */
export interface SharedWrite<Row> {
  text: string;
  /**
   * What a row writes: rows with the same key leave in separate statements, in the order given.
   * A write whose rows can be given `unlessWritten` returns, as `key`, the key of each row it
   * wrote. Without it, the text itself makes its rows come out as if written one by one.
   */
  key?(row: Row): string;
}

/**
 * A query whose rows arrive one by one from different callers. `text` takes them as a JSON array in
 * $1, in the order given, and returns one row for each, with the row's `key` in a `key` column.
 * Rows with the same key leave in separate statements, in the order given.
 */
export interface SharedQuery<Row, Result> {
  text: string;
  key(row: Row): string;
  /** Only gives the compiler the type of the rows returned. */
  readonly result?: Result;
}

export interface TransactionOptions {
  /**
   * Told when the COMMIT has been sent and the connection handed back (PostgreSQL only): the next
   * transaction given that connection sends its statements behind the COMMIT at once, and the
   * server runs them as soon as the commit is done. This transaction's outcome is still to come.
   */
  onCommitSent?: () => void;
}

export interface SqlDatabase extends Queryable {
  transaction<T>(
    work: (tx: Tx) => Promise<T>,
    options?: TransactionOptions,
  ): Promise<T>;
  close(): Promise<void>;
}

/**
 * Parameters as both drivers take them the same way. Dates go as UTC ISO strings: the schema's
 * `timestamp(3)` columns have no zone, and PostgreSQL ignores the zone designator, so the stored
 * time is UTC whatever the process's time zone. Objects and arrays are JSON (never PG arrays).
 */
function encode(values: readonly unknown[]): unknown[] {
  return values.map((value) => {
    if (value instanceof Date) return value.toISOString();
    if (value !== null && typeof value === "object")
      return JSON.stringify(value);
    return value;
  });
}

const TIMESTAMP_OID = 1114;
const INT8_OID = 20;

/** Timestamps without zone are UTC (see `encode`); counts and ids in int8 fit a JS number here. */
const parseTimestamp = (text: string) => new Date(`${text.replace(" ", "T")}Z`);
const parseInt8 = (text: string) => Number(text);
const pgTypes = {
  // Asked for each column of every result, so the parsers are made once.
  getTypeParser(oid: number, format?: string) {
    if (oid === TIMESTAMP_OID) return parseTimestamp;
    if (oid === INT8_OID) return parseInt8;
    return pg.types.getTypeParser(oid, format as "text");
  },
};

const preparedNames = new Map<string, string>();
// Each connection keeps every statement it prepared, so only a bounded set of texts is prepared;
// the app's statements are fixed texts or a handful of variants, well under the cap.
const maxPrepared = 500;

/**
 * A name under which `pg` prepares the statement once per connection: PostgreSQL then skips the
 * parse and, once the plan proves stable, the planning of every later execution.
 */
function statementName(text: string): string | undefined {
  const known = preparedNames.get(text);
  if (known || preparedNames.size >= maxPrepared) return known;
  const name = `loyalty_${preparedNames.size}`;
  preparedNames.set(text, name);
  return name;
}

type Send = <Row>(text: string, values?: readonly unknown[]) => Promise<Row[]>;

/** What a write failed with, kept until the next query or the commit reports it. */
type WriteOutcome = { failed: unknown } | null;

/** Holds what is sent to the server back until `release`, so it leaves in one write. */
interface Wire {
  hold(): void;
  release(): void;
}

/**
 * A transaction's `Tx` over a connection that runs statements in the order they are sent. Writes
 * are in flight until the next statement the transaction waits for (`behindWrites`: every query,
 * and the commit), so a failed write is reported there, before anything that ran after it.
 */
function pipelinedTx(
  send: Send,
  wire?: Wire,
): {
  tx: Tx;
  behindWrites<T>(sent: Promise<T>): Promise<T>;
  readyToCommit(): Promise<void>;
} {
  let inFlight: Promise<WriteOutcome>[] = [];
  // Writes in flight that must write a row: the server cannot fail them itself.
  let unconfirmed = 0;
  const track = <Row>(
    sent: Promise<Row[]>,
    failure: ((rows: Row[]) => Error | undefined) | null,
  ) => {
    if (failure) unconfirmed += 1;
    const confirmed = () => {
      if (failure) unconfirmed -= 1;
    };
    inFlight.push(
      sent.then(
        (rows) => {
          confirmed();
          const failed = failure?.(rows);
          return failed ? { failed } : null;
        },
        (error: unknown) => {
          confirmed();
          return { failed: error };
        },
      ),
    );
  };
  type RowGiven = {
    row: unknown;
    key?: string;
    unlessWritten?: () => Error;
    answer?: { resolve(row: unknown): void; reject(error: unknown): void };
  };
  const rowsGiven = new Map<
    SharedWrite<unknown> | SharedQuery<unknown, unknown>,
    RowGiven[]
  >();
  let sendingAtTurnEnd = false;
  const giveRow = (
    shared: SharedWrite<unknown> | SharedQuery<unknown, unknown>,
    given: RowGiven,
  ) => {
    const rows = rowsGiven.get(shared) ?? [];
    rows.push(given);
    rowsGiven.set(shared, rows);
  };
  // A shared statement's rows travel as the one JSON parameter its text takes.
  const sendGiven = (text: string, given: RowGiven[]) =>
    send<{ key: string }>(text, [given.map(({ row }) => row)]);
  const sendQuery = (text: string, given: RowGiven[]) => {
    behindWrites(sendGiven(text, given))
      .then((returned) => {
        const byKey = new Map(returned.map((row) => [row.key, row]));
        for (const { key, answer } of given) {
          const row = byKey.get(key as string);
          if (row) answer?.resolve(row);
          else
            answer?.reject(
              new Error(`the shared query returned no row for ${key}`),
            );
        }
      })
      .catch((error: unknown) => {
        for (const { answer } of given) answer?.reject(error);
      });
  };
  const sendStatement = (text: string, given: RowGiven[]) => {
    if (given[0]?.answer) return sendQuery(text, given);
    const checked = given.some(({ unlessWritten }) => unlessWritten);
    track(
      sendGiven(text, given),
      checked
        ? (written) => {
            const keys = new Set(written.map(({ key }) => key));
            return given
              .find(
                ({ key, unlessWritten }) =>
                  unlessWritten && !keys.has(key as string),
              )
              ?.unlessWritten?.();
          }
        : null,
    );
  };
  // Each shared write's rows as one statement, ahead of whatever the transaction sends next. A
  // key given again starts another statement after the first: one statement cannot change a row
  // twice (an upsert fails, an UPDATE … FROM keeps either row), and the second must see the first.
  const sendRows = () => {
    if (rowsGiven.size > 0) wire?.hold();
    for (const [{ text }, given] of rowsGiven) {
      let statement: RowGiven[] = [];
      const keys = new Set<string>();
      for (const one of given) {
        if (one.key !== undefined && keys.has(one.key)) {
          sendStatement(text, statement);
          statement = [];
          keys.clear();
        }
        if (one.key !== undefined) keys.add(one.key);
        statement.push(one);
      }
      sendStatement(text, statement);
    }
    rowsGiven.clear();
  };
  const settle = async () => {
    const sent = inFlight;
    inFlight = [];
    const outcomes = await Promise.all(sent);
    const failure = outcomes.find((outcome) => outcome !== null);
    if (failure) throw failure.failed;
  };
  const behindWrites = async <T>(sent: Promise<T>): Promise<T> => {
    wire?.release();
    // allSettled rather than all: a failed write also fails every statement behind it
    // ("current transaction is aborted"), and the write's error is the one that says why.
    const [writes, result] = await Promise.allSettled([settle(), sent]);
    if (writes.status === "rejected") throw writes.reason;
    if (result.status === "rejected") throw result.reason;
    return result.value;
  };
  return {
    behindWrites,
    /**
     * Sends the rows still given, and waits for the writes in flight that must write a row:
     * a COMMIT sent behind one that wrote nothing would commit everything else.
     */
    async readyToCommit() {
      sendRows();
      if (unconfirmed > 0) await behindWrites(Promise.resolve());
    },
    tx: {
      queryRow<Row, Result>(query: SharedQuery<Row, Result>, row: Row) {
        return new Promise<Result>((resolve, reject) => {
          giveRow(query as SharedQuery<unknown, unknown>, {
            row,
            key: query.key(row),
            answer: { resolve: resolve as (row: unknown) => void, reject },
          });
          // Its caller waits for it, so it cannot wait for a statement that may never come.
          if (sendingAtTurnEnd) return;
          sendingAtTurnEnd = true;
          process.nextTick(() => {
            sendingAtTurnEnd = false;
            sendRows();
          });
        });
      },
      query(text, values) {
        wire?.hold();
        sendRows();
        return behindWrites(send(text, values));
      },
      write(text, values, unlessWritten) {
        wire?.hold();
        sendRows();
        track(
          send(text, values),
          unlessWritten
            ? (rows) => (rows.length === 0 ? unlessWritten() : undefined)
            : null,
        );
      },
      writeAhead(text, values) {
        wire?.hold();
        track(send(text, values), null);
      },
      writeRow(write, row, unlessWritten) {
        if (unlessWritten && !write.key)
          throw new Error(
            "a shared write without keys cannot tell which rows it wrote",
          );
        giveRow(write as SharedWrite<unknown>, {
          row,
          key: write.key?.(row),
          unlessWritten,
        });
      },
    },
  };
}

/**
 * The client's socket, corked while writes wait for the statement they travel with, and until the
 * current turn of the event loop ends: `pg` writes each statement on its own, and on this path a
 * socket write costs more than the statement's bytes (docs/decisions/007-webhook-path.md). Two
 * queries asked for together (`Promise.all`) leave in one write with the writes before them.
 * `connection.stream` is not in `pg`'s types; without it the statements still travel together, in
 * separate writes.
 */
function clientWire(client: pg.PoolClient): Wire | undefined {
  const stream = (
    client as unknown as {
      connection?: { stream?: { cork?(): void; uncork?(): void } };
    }
  ).connection?.stream;
  if (!stream?.cork || !stream.uncork) return undefined;
  let held = false;
  return {
    hold() {
      if (held) return;
      held = true;
      stream.cork?.();
    },
    release() {
      if (!held) return;
      // One uncork for the one cork, once the turn ends: a write handed over after the release
      // in the same turn (another delivery's, in a shared transaction) must not cork the socket
      // a second time, or the statements before it would wait for a release that may not come.
      process.nextTick(() => {
        if (!held) return;
        held = false;
        stream.uncork?.();
      });
    },
  };
}

export function postgresSql(
  url: string,
  poolSize = Number(process.env.DATABASE_POOL_SIZE ?? 10),
): SqlDatabase {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types: pgTypes,
    // Statements sent without waiting travel together: a transaction's writes and its COMMIT
    // cost one round trip (see Tx.write).
    pipeline: true,
  });
  // An idle connection the server drops (restart, failover) must not take the process down: the
  // pool replaces it on the next checkout.
  pool.on("error", (error) =>
    log("warn", "idle database connection lost", { error: error.message }),
  );
  const run = async <Row>(
    client: pg.PoolClient | pg.Pool,
    text: string,
    values: readonly unknown[] = [],
  ) =>
    (
      await client.query({
        name: statementName(text),
        text,
        values: encode(values),
      })
    ).rows as Row[];
  return {
    async transaction(work, options) {
      const client = await pool.connect();
      // The pool only listens to idle connections. One the server drops while this transaction
      // holds it (a restart, a failover) reports an 'error' event between two statements, which
      // unheard would end the process; heard, the next statement fails and the work rolls back.
      let lost: Error | undefined;
      const onLost = (error: Error) => {
        lost = error;
        log("warn", "database connection lost in a transaction", {
          error: error.message,
        });
      };
      client.on("error", onLost);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        client.off("error", onLost);
        // A lost connection is closed rather than handed to the next transaction.
        client.release(lost);
      };
      const { tx, behindWrites, readyToCommit } = pipelinedTx(
        (text, values) => run(client, text, values),
        clientWire(client),
      );
      try {
        tx.write("BEGIN");
        const result = await work(tx);
        await readyToCommit();
        const committing = client.query("COMMIT");
        // The COMMIT ends the transaction whatever it answers, so the connection can go on at
        // once: the pool hands out its most recently released connection first, and the next
        // transaction's statements queue behind this COMMIT instead of waiting a round trip.
        release();
        options?.onCommitSent?.();
        const commit = await behindWrites(committing);
        // PostgreSQL answers COMMIT with a rollback, not an error, when a statement failed and
        // the work carried on past it: nothing was written, and the caller must hear so.
        if (commit.command !== "COMMIT")
          throw new Error(
            "the transaction was rolled back: one of its statements failed",
          );
        return result;
      } catch (error) {
        // After the COMMIT the connection may already carry another transaction: a ROLLBACK
        // sent then would undo that one's work.
        if (!released) await tx.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        release();
      }
    },
    query: (text, values) => run(pool, text, values),
    close: () => pool.end(),
  };
}

/** PGlite has one session; its transaction() queues callers, so transactions never interleave. */
export function pgliteSql(pglite: PGlite): SqlDatabase {
  const run = async <Row>(
    client: PGlite | PGliteTransaction,
    text: string,
    values: readonly unknown[] = [],
  ) => (await client.query<Row>(text, encode(values))).rows;
  return {
    transaction: (work) =>
      pglite.transaction(async (transaction) => {
        const { tx, behindWrites, readyToCommit } = pipelinedTx(
          (text, values) => run(transaction, text, values),
        );
        const result = await work(tx);
        await readyToCommit();
        // PGlite commits when this returns: the writes still in flight must have succeeded.
        return behindWrites(Promise.resolve(result));
      }),
    query: (text, values) => run(pglite, text, values),
    close: async () => {},
  };
}

/**
 * A timestamp that came back inside JSON (json_agg, json_build_object): zone-less text, which the
 * schema keeps in UTC (see `encode`).
 */
export function jsonTimestamp(text: string): Date {
  return new Date(text.endsWith("Z") ? text : `${text}Z`);
}
