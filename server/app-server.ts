import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import http from "node:http";
import { extname, join, normalize } from "node:path";
import { Readable } from "node:stream";
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import type { DirectRequest, DirectRoute } from "../app/direct-route.server";
import { Admission } from "./admission";

export interface AppServerOptions {
  build: ServerBuild;
  /** build/client, for the browser assets Vite produced. */
  assetsDir: string;
  mode?: string;
  maxBodyBytes?: number;
  /**
   * Places for the direct routes' admitted work (see Admission and DirectRequest.admit); the
   * default suits one process on two cores.
   */
  directConcurrency?: number;
}

const contentTypes: Record<string, string> = {
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".ico": "image/x-icon",
};

// Measured with `npm run bench -- checkout`: a handful in flight keeps the CPU and the database
// busy without making each request wait for the others' slices of the event loop; the summary
// measured the same at three places as at four (docs/decisions/016-hot-paths-admission-server-timing.md).
// Webhooks take no place: their transactions wait in the database's lane
// (docs/decisions/007-webhook-path.md).
const defaultDirectConcurrency = 3;

class BodyTooLarge extends Error {}

async function readBody(
  request: http.IncomingMessage,
  limit: number,
): Promise<Buffer> {
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > limit) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** node joins repeated headers with ", " except set-cookie, which no request carries. */
const headerValue = (value: string | string[] | undefined) =>
  Array.isArray(value) ? value.join(", ") : value;

function toFetchHeaders(request: http.IncomingMessage): Headers {
  const headers = new Headers();
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index];
    const value = request.rawHeaders[index + 1];
    if (name !== undefined && value !== undefined) headers.append(name, value);
  }
  return headers;
}

/**
 * The request as Remix and the library's fetch-based helpers take it. A loader streaming a page
 * stops when the browser goes away; an answer sent in full has nothing left to abort.
 */
function fetchRequest(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  url: URL,
  body: Buffer | undefined,
): Request {
  const controller = new AbortController();
  response.on("close", () => {
    if (!response.writableFinished) controller.abort();
  });
  return new Request(url, {
    method: request.method,
    headers: toFetchHeaders(request),
    body: body && new Uint8Array(body),
    signal: controller.signal,
  });
}

async function serveAsset(
  assetsDir: string,
  pathname: string,
  response: http.ServerResponse,
): Promise<boolean> {
  const path = normalize(join(assetsDir, decodeURIComponent(pathname)));
  if (!path.startsWith(assetsDir)) return false;
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) return false;
  response.writeHead(200, {
    "Content-Type": contentTypes[extname(path)] ?? "application/octet-stream",
    "Content-Length": info.size,
    // Vite fingerprints everything under /assets, so those never change under one name.
    "Cache-Control": pathname.startsWith("/assets/")
      ? "public, max-age=31536000, immutable"
      : "public, max-age=3600",
  });
  createReadStream(path).pipe(response);
  return true;
}

type DirectRoutes = (method: string, pathname: string) => DirectRoute | null;

/**
 * The app's hot paths served without Remix's router (webhooks and the shopper summary), exported
 * by app/entry.server.tsx into the build; null from it sends the request on to Remix.
 */
function directRoutes(build: ServerBuild): DirectRoutes {
  const entry: object = build.entry.module;
  const exported = "directRoute" in entry ? entry.directRoute : undefined;
  return typeof exported === "function"
    ? (method, pathname) => exported(method, pathname) as DirectRoute | null
    : () => null;
}

/**
 * Server-Timing in milliseconds: `queue` while the request waited for a place at a direct route,
 * `app` for the rest of its time until the answer's head is written. Load tests read it, and so
 * does a browser's network panel.
 */
function serverTiming(startedAt: number, queuedMs: number): string {
  const app = `app;dur=${(performance.now() - startedAt - queuedMs).toFixed(2)}`;
  return queuedMs > 0 ? `queue;dur=${queuedMs.toFixed(2)}, ${app}` : app;
}

/**
 * A plain node:http front for the Remix build: the same server runs in production, in the demo and
 * under the HTTP tests. Bodies are read whole with a size cap, so an oversized request is refused
 * with 413 before any route sees it.
 */
export function createAppServer(options: AppServerOptions): http.Server {
  const directRoute = directRoutes(options.build);
  const admission = new Admission(
    options.directConcurrency ??
      Number(process.env.APP_DIRECT_CONCURRENCY ?? defaultDirectConcurrency),
  );
  const handle = createRequestHandler(
    options.build,
    options.mode ?? process.env.NODE_ENV ?? "production",
  );
  const maxBodyBytes = options.maxBodyBytes ?? 5 * 1024 * 1024;
  const assetsDir = normalize(options.assetsDir);

  return http.createServer(async (request, response) => {
    const startedAt = performance.now();
    try {
      const url = new URL(
        request.url ?? "/",
        `http://${request.headers.host ?? "localhost"}`,
      );
      const method = request.method ?? "GET";
      // Only a path naming a file can be one of the build's assets; the API and the pages are not
      // looked for on disk.
      if (
        (method === "GET" || method === "HEAD") &&
        extname(url.pathname) !== "" &&
        (await serveAsset(assetsDir, url.pathname, response))
      )
        return;

      const body =
        method === "GET" || method === "HEAD"
          ? undefined
          : await readBody(request, maxBodyBytes);
      const direct = directRoute(method, url.pathname);
      if (direct) {
        let queuedMs = 0;
        const directRequest: DirectRequest = {
          method,
          url: url.href,
          header: (name) => headerValue(request.headers[name]),
          body,
          fetchRequest: () => fetchRequest(request, response, url, body),
          admit: (work) =>
            admission.run((waitedMs) => {
              queuedMs += waitedMs;
              return work();
            }),
          waited: (ms) => {
            queuedMs += ms;
          },
        };
        const answer = await direct(directRequest);
        // Head and body leave in one socket write.
        response.writeHead(answer.status, [
          "server-timing",
          serverTiming(startedAt, queuedMs),
          ...answer.headers
            .filter(([name]) => name !== "content-length")
            .flat(),
          "content-length",
          String(Buffer.byteLength(answer.body)),
        ]);
        response.end(answer.body);
        return;
      }

      const fetchResponse = await handle(
        fetchRequest(request, response, url, body),
      );
      const headers: [string, string][] = [
        ["server-timing", serverTiming(startedAt, 0)],
      ];
      fetchResponse.headers.forEach((value, name) => {
        if (name !== "set-cookie") headers.push([name, value]);
      });
      for (const cookie of fetchResponse.headers.getSetCookie())
        headers.push(["set-cookie", cookie]);
      response.writeHead(
        fetchResponse.status,
        fetchResponse.statusText,
        headers.flat(),
      );
      if (fetchResponse.body && method !== "HEAD") {
        Readable.fromWeb(
          fetchResponse.body as import("node:stream/web").ReadableStream,
        ).pipe(response);
      } else {
        response.end();
      }
    } catch (error) {
      if (response.headersSent) return response.destroy();
      const tooLarge = error instanceof BodyTooLarge;
      response.writeHead(tooLarge ? 413 : 500, {
        "Content-Type": "application/json",
      });
      response.end(
        JSON.stringify({
          error: tooLarge
            ? "The request body is too large."
            : "Internal server error.",
        }),
      );
      if (!tooLarge) console.error(error);
    }
  });
}
