import http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { createAppServer } from "./app-server";
import { checkWebhooksOnThread } from "./webhook-check-thread";

export interface ServedApp {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Listens first and imports the build second: the app reads its own URL from the environment when
 * its modules load, and with port 0 that URL is only known once the socket is bound. `configure`
 * gets the URL to set the environment before the build is imported.
 */
export async function serveBuild(options: {
  port: number;
  host?: string;
  mode: string;
  /** Start the app's scheduled jobs in this process (settling due points, reconciliation). */
  backgroundJobs?: boolean;
  configure(url: string): void;
}): Promise<ServedApp> {
  const app: { server?: http.Server } = {};
  const front = http.createServer((request, response) =>
    app.server?.emit("request", request, response),
  );
  await new Promise<void>((resolve) =>
    front.listen(options.port, options.host ?? "127.0.0.1", resolve),
  );
  const { port } = front.address() as AddressInfo;
  const url = `http://localhost:${port}`;
  options.configure(url);

  const build: ServerBuild = await import(
    new URL("../build/server/index.js", import.meta.url).href
  );
  const entry: object = build.entry.module;
  if (
    options.backgroundJobs &&
    "startBackgroundJobs" in entry &&
    typeof entry.startBackgroundJobs === "function"
  ) {
    entry.startBackgroundJobs();
  }
  const webhookChecks = checkWebhooksOnThread(entry);
  app.server = createAppServer({
    build,
    assetsDir: fileURLToPath(new URL("../build/client", import.meta.url)),
    mode: options.mode,
  });
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    // A Ctrl-C reaches the process more than once (npm and tsx pass it on as well), and each asks
    // to close: the first close answers them all, where a second would fail on a closed server.
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve, reject) => {
          front.closeAllConnections();
          front.close((error) => (error ? reject(error) : resolve()));
        });
        await webhookChecks?.close();
      })()),
  };
}
