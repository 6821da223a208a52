import { spawn } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { serverUrl } from "../../test/support/postgres-server";
import {
  unreachableReason,
  withClient,
  withThrowawayDatabase,
} from "./postgres";

const child = fileURLToPath(
  new URL("../../test/support/throwaway-database-child.ts", import.meta.url),
);

const databasesLike = (prefix: string) =>
  withClient(serverUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1 || '%'`,
      [prefix],
    );
    return rows.map((row) => row.datname);
  });

/** What a failed test leaves behind is dropped, not left on the server. */
const dropDatabasesLike = async (prefix: string) => {
  for (const name of await databasesLike(prefix))
    await withClient(serverUrl, (client) =>
      client.query(`DROP DATABASE "${name}" WITH (FORCE)`),
    );
};

it("a bench interrupted by a Ctrl-C that arrives twice still drops its database", async (context) => {
  const unreachable = await unreachableReason(serverUrl);
  if (unreachable) context.skip(`no PostgreSQL server: ${unreachable}`);
  const prefix = `bench_interrupt_${process.pid}`;
  context.onTestFinished(() => dropDatabasesLike(prefix));
  const bench = spawn(
    process.execPath,
    ["--import", "tsx", child, serverUrl, prefix],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let output = "";
  await new Promise<void>((created, failed) => {
    bench.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("created database")) created();
    });
    bench.once("exit", () => failed(new Error(`exited early: ${output}`)));
  });
  expect(await databasesLike(prefix)).toHaveLength(1);

  const exited = once(bench, "exit");
  // As a terminal's Ctrl-C reaches a bench started through npm and tsx: once, then again from
  // the process that passes it on, while the first one's drop is under way.
  bench.kill("SIGINT");
  await sleep(20);
  bench.kill("SIGINT");
  const [code] = await exited;

  expect(code).toBe(130);
  expect(await databasesLike(prefix)).toEqual([]);
});

it("a run drops the databases that killed runs left behind, and keeps those of runs still going", async (context) => {
  const unreachable = await unreachableReason(serverUrl);
  if (unreachable) context.skip(`no PostgreSQL server: ${unreachable}`);
  const prefix = `bench_leftover_${process.pid}`;
  context.onTestFinished(() => dropDatabasesLike(prefix));
  // No process has this id: pids stay below 2^22 on Linux.
  const killed = `${prefix}_999999999_1`;
  const running = `${prefix}_${process.pid}_2`;
  await withClient(serverUrl, async (client) => {
    for (const name of [killed, running])
      await client.query(`CREATE DATABASE "${name}"`);
  });

  const during = await withThrowawayDatabase(serverUrl, prefix, (database) =>
    databasesLike(prefix).then((names) => ({ names, own: database.name })),
  );

  expect(during.names.sort()).toEqual([during.own, running].sort());
  expect(await databasesLike(prefix)).toEqual([running]);
});
