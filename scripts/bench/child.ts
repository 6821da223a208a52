// Servers under load run in child processes: the machine has 2 cores, and a server sharing the
// load generator's event loop would be measured together with the client's own work.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface ChildServer {
  url: string;
  child: ChildProcess;
  /** The last few kilobytes of the child's stderr, for diagnosing a failed run. */
  stderrTail(): string;
  stop(): Promise<void>;
}

const defaultReadyLine = /^listening (http:\/\/\S+)$/m;
const tailBytes = 8 * 1024;

/**
 * Starts `script` (a .ts file, relative to this one) under tsx and waits for it to print
 * `listening <url>` on stdout, or a line `readyLine` matches with the URL as its first group.
 */
export function startChildServer(
  script: string,
  env: Record<string, string>,
  options: { startTimeoutMs?: number; readyLine?: RegExp } = {},
): Promise<ChildServer> {
  const readyLine = options.readyLine ?? defaultReadyLine;
  const path = fileURLToPath(new URL(script, import.meta.url));
  // BENCH_PROFILE=<dir> writes a V8 CPU profile of each server to that folder when it stops.
  const profile = process.env.BENCH_PROFILE
    ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
    : [];
  const child = spawn(process.execPath, [...profile, "--import", "tsx", path], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-tailBytes);
  });
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => resolve()),
  );

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const killTimer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(killTimer);
  };

  return new Promise<ChildServer>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(
        new Error(
          `${script} did not report its URL within ${options.startTimeoutMs ?? 60_000} ms\n${stderr}`,
        ),
      );
    }, options.startTimeoutMs ?? 60_000);
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
      const match = readyLine.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        // Keep draining stdout so a chatty child never blocks on a full pipe.
        child.stdout.removeAllListeners("data");
        child.stdout.resume();
        resolve({ url: match[1], child, stderrTail: () => stderr, stop });
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `${script} exited before it was ready (${signal ?? `code ${code}`})\n${stderr}`,
        ),
      );
    });
  });
}

/**
 * The built app in its own process (serve-app.ts) on `databaseUrl`, with the app credentials its
 * signed requests use, and the simulator as its Admin API when `adminApiOrigin` is given.
 */
export function startAppServer(options: {
  databaseUrl: string;
  apiKey: string;
  apiSecret: string;
  adminApiOrigin?: string;
}): Promise<ChildServer> {
  return startChildServer("./serve-app.ts", {
    BENCH_DATABASE_URL: options.databaseUrl,
    BENCH_API_KEY: options.apiKey,
    BENCH_API_SECRET: options.apiSecret,
    ...(options.adminApiOrigin
      ? { BENCH_ADMIN_API_ORIGIN: options.adminApiOrigin }
      : {}),
  });
}
