import { Worker } from "node:worker_threads";
import type { WebhookValidation } from "@shopify/shopify-api";
import type {
  LibraryCheck,
  LibraryCheckInput,
} from "../app/shopify/webhook-validation.server";

type Answer =
  { id: number; result: WebhookValidation } | { id: number; error: string };

interface Waiting {
  resolve(result: WebhookValidation): void;
  reject(error: Error): void;
}

/**
 * The library's webhook check on a thread of its own. On the event loop it took about a quarter of
 * the app's CPU a delivery (a regex per header name per lookup, WebCrypto's key import on every
 * call), and every delivery's turn in the database waits for the event loop
 * (docs/decisions/007-webhook-path.md). The thread starts with the first check and again after it
 * ended; a check it had not answered then fails, and its delivery is answered with a 500, so that
 * Shopify delivers it again.
 */
export class WebhookCheckThread {
  #worker: Worker | null = null;
  #nextId = 0;
  readonly #waiting = new Map<number, Waiting>();

  /** `config`: the library's setup, read when a thread starts. */
  constructor(private readonly config: () => object) {}

  readonly check: LibraryCheck = (input: LibraryCheckInput) => {
    const worker = this.#worker ?? this.#start();
    const id = this.#nextId++;
    return new Promise<WebhookValidation>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      worker.postMessage({ id, ...input });
    });
  };

  /** Stops the thread; a check asked for afterwards starts another. */
  async close(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    this.#ended(worker, "it was stopped");
    await worker.terminate();
  }

  #start(): Worker {
    const worker = new Worker(
      new URL("./webhook-check-worker.mjs", import.meta.url),
      // Plain JavaScript: the thread needs none of the loaders the server may run under.
      { workerData: { config: this.config() }, execArgv: [] },
    );
    // The server's sockets keep the process alive; the thread alone must not.
    worker.unref();
    worker.on("message", (answer: Answer) => {
      const waiting = this.#waiting.get(answer.id);
      this.#waiting.delete(answer.id);
      if ("error" in answer)
        waiting?.reject(new Error(`webhook check failed: ${answer.error}`));
      else waiting?.resolve(answer.result);
    });
    worker.on("error", (error) => this.#ended(worker, error.message));
    worker.on("exit", (code) => this.#ended(worker, `it exited (${code})`));
    this.#worker = worker;
    return worker;
  }

  #ended(worker: Worker, why: string): void {
    if (this.#worker !== worker) return;
    this.#worker = null;
    for (const waiting of this.#waiting.values())
      waiting.reject(new Error(`the webhook check's thread ended: ${why}`));
    this.#waiting.clear();
  }
}

/**
 * Has the app's webhook checks run on a thread, when the build offers to (app/entry.server.tsx);
 * the thread to close with the server, or null.
 */
export function checkWebhooksOnThread(
  entry: object,
): WebhookCheckThread | null {
  if (
    !("checkWebhooksWith" in entry) ||
    typeof entry.checkWebhooksWith !== "function" ||
    !("webhookLibraryConfig" in entry) ||
    typeof entry.webhookLibraryConfig !== "function"
  )
    return null;
  const thread = new WebhookCheckThread(
    entry.webhookLibraryConfig as () => object,
  );
  entry.checkWebhooksWith(thread.check);
  return thread;
}
