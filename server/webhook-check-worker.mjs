// @ts-check
// The library's webhook check on the thread that server/webhook-check-thread.ts starts: given the
// library's setup once, then deliveries, each answered with what the library said of it. Plain
// JavaScript, so that the thread starts on node alone, wherever the server runs (tsx, vitest).
/* global Headers -- node 20 has fetch's Headers on the global object. */
import { parentPort, workerData } from "node:worker_threads";
import "@shopify/shopify-api/adapters/web-api";
import { shopifyApi } from "@shopify/shopify-api";

const api = shopifyApi(workerData.config);
const port = /** @type {import("node:worker_threads").MessagePort} */ (
  parentPort
);

port.on(
  "message",
  /** @param {{ id: number, url: string, headers: [string, string][], rawBody: string }} check */
  async ({ id, url, headers, rawBody }) => {
    try {
      const result = await api.webhooks.validate({
        rawBody,
        rawRequest: { method: "POST", url, headers: new Headers(headers) },
      });
      port.postMessage({ id, result });
    } catch (error) {
      port.postMessage({
        id,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  },
);
