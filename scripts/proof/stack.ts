// What every scenario stands on: a PostgreSQL server to make databases on, the Shopify simulator,
// and the built app served in a child process (the crash scenario kills it) against the proof's
// database, with Admin API calls going to the simulator. The proof process itself reads the
// database and runs the app's background services (outbox, expiry sweep) in-process, as a worker
// process would.
import { readFileSync } from "node:fs";
import { openDatabase, type Database } from "../../app/db/client.server";
import type { ProgramConfig } from "../../app/loyalty/program";
import { ADMIN_API_VERSION } from "../../app/shopify/api-version";
import type { AdminGraphqlApi } from "../../app/shopify/admin-client.server";
import { startShopifySimulator, type Simulator } from "../../simulator/server";
import type { WebhookRequestOptions } from "../../simulator/webhooks";
import { startAppServer, type ChildServer } from "../bench/child";
import { runLoad, type LoadReport, type PreparedRequest } from "../bench/load";
import {
  databaseUrl,
  defaultAdminUrl,
  redact,
  unreachableReason,
  withClient,
} from "../bench/postgres";
import { useAppEnvironment } from "../lib/app-environment";
import { prepareShop } from "../lib/prepare-shop";
import { signedDelivery } from "../lib/signed-delivery";
import { startThrowawayCluster, type ThrowawayCluster } from "./cluster";

export const proofApp = {
  apiKey: "loyalty-proof-api-key",
  apiSecret: "loyalty-proof-api-secret",
};

// ---------------------------------------------------------------------------------------------
// PostgreSQL

export interface PostgresServer {
  adminUrl: string;
  description: string;
  /** A new empty database on the server; `drop` removes it. */
  createDatabase(
    label: string,
  ): Promise<{ url: string; drop(): Promise<void> }>;
  close(): Promise<void>;
}

function serverOn(
  adminUrl: string,
  description: string,
  cluster?: ThrowawayCluster,
): PostgresServer {
  return {
    adminUrl,
    description,
    async createDatabase(label) {
      const name = `loyalty_proof_${label}_${process.pid}_${Date.now()}`;
      await withClient(adminUrl, (client) =>
        client.query(`CREATE DATABASE "${name}"`),
      );
      return {
        url: databaseUrl(adminUrl, name),
        drop: () =>
          withClient(adminUrl, (client) =>
            client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
          ).then(() => undefined),
      };
    },
    close: async () => {
      await cluster?.destroy();
    },
  };
}

/**
 * The server DATABASE_URL names, else the local default one; when neither answers, a throwaway
 * cluster of the proof's own. Undefined, with the reason, when there is no PostgreSQL at all.
 */
export async function postgresServer(): Promise<
  { ok: true; server: PostgresServer } | { ok: false; reason: string }
> {
  const adminUrl = process.env.DATABASE_URL || defaultAdminUrl;
  const unreachable = await unreachableReason(adminUrl);
  if (unreachable === undefined)
    return {
      ok: true,
      server: serverOn(
        adminUrl,
        `PostgreSQL ${redact(adminUrl)}${process.env.DATABASE_URL ? " (DATABASE_URL)" : ""}`,
      ),
    };
  const started = await startThrowawayCluster();
  if (!started.ok)
    return {
      ok: false,
      reason: `no PostgreSQL answers at ${redact(adminUrl)} (${unreachable}) and ${started.reason}`,
    };
  return {
    ok: true,
    server: serverOn(
      started.cluster.adminUrl,
      started.cluster.description,
      started.cluster,
    ),
  };
}

// ---------------------------------------------------------------------------------------------
// The app in a child process

export interface AppProcess {
  /** Changes at every start: each start listens on a new free port. */
  readonly url: string;
  readonly pid: number;
  running(): boolean;
  /** Starts it again after a kill (or a stop). */
  start(): Promise<void>;
  /** SIGKILL: no shutdown of any kind, as when the machine loses the process. */
  kill(): Promise<void>;
  stop(): Promise<void>;
  /** Resident memory of the process, from /proc (Linux). */
  rssBytes(): number | undefined;
  stderrTail(): string;
}

export async function startApp(options: {
  databaseUrl: string;
  adminApiOrigin: string;
}): Promise<AppProcess> {
  const launch = () =>
    startAppServer({
      databaseUrl: options.databaseUrl,
      apiKey: proofApp.apiKey,
      apiSecret: proofApp.apiSecret,
      adminApiOrigin: options.adminApiOrigin,
    });
  let current: ChildServer = await launch();
  const running = () =>
    current.child.exitCode === null && current.child.signalCode === null;
  return {
    get url() {
      return current.url;
    },
    get pid() {
      return current.child.pid ?? 0;
    },
    running,
    async start() {
      if (!running()) current = await launch();
    },
    async kill() {
      if (!running()) return;
      const exited = new Promise((resolve) =>
        current.child.once("exit", resolve),
      );
      current.child.kill("SIGKILL");
      await exited;
    },
    stop: () => current.stop(),
    rssBytes() {
      try {
        const status = readFileSync(
          `/proc/${current.child.pid}/status`,
          "utf8",
        );
        const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
        return kb === undefined ? undefined : Number(kb) * 1024;
      } catch {
        return undefined;
      }
    },
    stderrTail: () => current.stderrTail(),
  };
}

// ---------------------------------------------------------------------------------------------
// Webhook deliveries

/** A signed delivery for `shop` as a prepared request; the path is the topic's unless given. */
export function webhookRequest(
  shop: string,
  topic: string,
  options: Omit<
    WebhookRequestOptions,
    "url" | "topic" | "shop" | "secret" | "apiVersion"
  > & { path?: string; secret?: string },
): PreparedRequest {
  const { path, secret, ...rest } = options;
  return signedDelivery({
    url: `http://127.0.0.1/webhooks/${path ?? topic}`,
    topic,
    shop,
    secret: secret ?? proofApp.apiSecret,
    apiVersion: ADMIN_API_VERSION,
    ...rest,
  });
}

/** Sends `requests` at the app; `onResult` hears each one's status (undefined: no answer). */
export function send(
  app: AppProcess,
  requests: readonly PreparedRequest[],
  options: {
    concurrency?: number;
    onResult?: (index: number, status: number | undefined) => void;
  } = {},
): Promise<LoadReport> {
  return runLoad({
    origin: app.url,
    requests,
    concurrency: options.concurrency ?? 16,
    // A proof run is bounded by its volume, not by a clock.
    maxDurationMs: 3_600_000,
    requestTimeoutMs: 30_000,
    onResult: options.onResult,
  });
}

/**
 * Sends until every request got a 2xx, as Shopify retries a delivery until it does: each round
 * re-sends what did not. `between` runs before each retry round (a restart, a pause). Gives up
 * after `maxRounds`, leaving the unanswered ones in the result.
 */
export async function sendUntilAccepted(
  app: AppProcess,
  requests: readonly PreparedRequest[],
  options: {
    concurrency?: number;
    maxRounds?: number;
    onResult?: (request: PreparedRequest, status: number | undefined) => void;
    /** Before each retry round, with the number of requests it will send. */
    between?: (round: number, pending: number) => Promise<void>;
  } = {},
): Promise<{ rounds: number; sent: number; notAccepted: PreparedRequest[] }> {
  let pending = [...requests];
  let rounds = 0;
  let sent = 0;
  const maxRounds = options.maxRounds ?? 50;
  while (pending.length > 0 && rounds < maxRounds) {
    if (rounds > 0) await options.between?.(rounds, pending.length);
    rounds += 1;
    const round = pending;
    const failed: PreparedRequest[] = [];
    await send(app, round, {
      concurrency: options.concurrency,
      onResult: (index, status) => {
        const request = round[index];
        if (!request) return;
        sent += 1;
        options.onResult?.(request, status);
        if (status === undefined || status < 200 || status >= 300)
          failed.push(request);
      },
    });
    pending = failed;
  }
  return { rounds, sent, notAccepted: pending };
}

// ---------------------------------------------------------------------------------------------
// The stack

let installed = 0;

/**
 * A shop installed with the program on, registered at the simulator with the same token.
 * Returns the token.
 */
export async function installShop(
  database: Database,
  simulator: Simulator,
  shop: string,
  configure?: (config: ProgramConfig) => ProgramConfig,
): Promise<string> {
  const accessToken = `shpat_proof_${++installed}`;
  simulator.registerShop({ shop, accessToken, currencyCode: "USD" });
  await prepareShop(database, { shop, accessToken, configure });
  return accessToken;
}

export interface ProofStack {
  server: PostgresServer;
  database: Database;
  simulator: Simulator;
  /**
   * Shopify's clock (the simulator's buckets and code ends), real time plus `offsetMs`: a
   * scenario moves it forward to skip waits rather than sit through them.
   */
  clock: { offsetMs: number; now(): number };
  app: AppProcess;
  /** The library's Admin API context for a shop, as the app's workers get it. */
  adminFor(shop: string): Promise<AdminGraphqlApi>;
  /** `installShop` on the proof's database and simulator. */
  openShop(
    shop: string,
    configure?: (config: ProgramConfig) => ProgramConfig,
  ): Promise<string>;
  close(): Promise<void>;
}

export async function openProofStack(
  server: PostgresServer,
): Promise<ProofStack> {
  if (globalThis.loyaltyDatabase)
    throw new Error("the app's database is already open in this process");
  const created = await server.createDatabase("main");
  const closers: (() => Promise<void>)[] = [created.drop];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    const database = await openDatabase({ url: created.url });
    closers.push(() => database.close());
    const clock = {
      offsetMs: 0,
      now: () => Date.now() + clock.offsetMs,
    };
    const simulator = await startShopifySimulator({ port: 0, now: clock.now });
    closers.push(() => simulator.close());
    const app = await startApp({
      databaseUrl: created.url,
      adminApiOrigin: simulator.origin,
    });
    closers.push(() => app.stop());
    const restoreEnvironment = useAppEnvironment({
      ...proofApp,
      adminApiOrigin: simulator.origin,
    });
    closers.push(async () => restoreEnvironment());
    globalThis.loyaltyDatabase = Promise.resolve(database);
    closers.push(async () => {
      globalThis.loyaltyDatabase = undefined;
    });
    // Only now: it reads the environment and the database when first imported.
    const { unauthenticated } = await import("../../app/shopify.server");
    return {
      server,
      database,
      simulator,
      clock,
      app,
      adminFor: async (shop) => (await unauthenticated.admin(shop)).admin,
      openShop: (shop, configure) =>
        installShop(database, simulator, shop, configure),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
