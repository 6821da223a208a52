import type {
  PGlite,
  Transaction as PGliteTransaction,
} from "@electric-sql/pglite";
import pg from "pg";
import { log } from "~/logger.server";

/**
 * One SQL statement at a time inside a transaction. The ledger's write path speaks SQL through
 * this instead of Prisma: the same statements run three times faster on `pg` directly (measured
 * in docs/decisions/007-webhook-path.md), and a webhook is a dozen of them.
 */
export interface Tx {
  query<Row = Record<string, unknown>>(
    text: string,
    values?: readonly unknown[],
  ): Promise<Row[]>;
}

export interface SqlDatabase {
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** A statement outside any transaction (reads, single writes). */
  query<Row = Record<string, unknown>>(
    text: string,
    values?: readonly unknown[],
  ): Promise<Row[]>;
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
const pgTypes = {
  getTypeParser(oid: number, format?: string) {
    if (oid === TIMESTAMP_OID)
      return (text: string) => new Date(`${text.replace(" ", "T")}Z`);
    if (oid === INT8_OID) return (text: string) => Number(text);
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

export function postgresSql(
  url: string,
  poolSize = Number(process.env.DATABASE_POOL_SIZE ?? 10),
): SqlDatabase {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types: pgTypes,
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
    async transaction(work) {
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
      try {
        await client.query("BEGIN");
        const result = await work({
          query: (text, values) => run(client, text, values),
        });
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.off("error", onLost);
        // A lost connection is closed rather than handed to the next transaction.
        client.release(lost);
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
      pglite.transaction((tx) =>
        work({ query: (text, values) => run(tx, text, values) }),
      ),
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
