// The simulator as an HTTP server on node:http: Shopify's Admin GraphQL route plus a few
// `/__simulator/*` routes that let another process (the app's register-shop command, the demo)
// register shops, seed data and look at state.
import { randomUUID } from "node:crypto";
import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { z } from "zod";
import { AdminGraphqlEndpoint } from "./admin-graphql";
import type { ThrottleStatus } from "./cost";
import { FaultQueue, type Fault } from "./faults";
import {
  orderInputSchema,
  type OrderInput,
  type RefundInput,
  type RefundModel,
} from "./orders";
import {
  customerInputSchema,
  SimulatorState,
  type CustomerInput,
  type CustomerRecord,
  type OrderPatch,
  type OrderRecord,
  type ShopRegistration,
  type ShopState,
} from "./state";

export interface SimulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Points restored per second. */
  restoreRate?: number;
  /** Bucket size (maximumAvailable). */
  bucketSize?: number;
  /** Largest cost one query may request (Shopify: 1000). */
  maxQueryCost?: number;
  /** Milliseconds since the epoch; inject a fake clock to test throttling without sleeping. */
  now?: () => number;
  /** Stands in for the app's API client id in the `$app` metafield namespace. */
  appId?: string;
}

export interface CallRecord {
  /** null when the access token matched no shop. */
  shop: string | null;
  apiVersion: string;
  operationName: string | null;
  query: string | null;
  variables: Record<string, unknown>;
  /** HTTP status; 0 when a TIMEOUT fault dropped the connection. */
  status: number;
  response: unknown;
  /** `now()` when the request arrived. */
  time: number;
  /** The fault a test scheduled, when one applied. */
  fault: Fault["kind"] | null;
}

export interface Simulator {
  /** e.g. "http://127.0.0.1:4010" */
  origin: string;
  state: SimulatorState;
  /** Every Admin API request, oldest first. */
  calls: CallRecord[];
  faults: FaultQueue;
  graphqlUrl(apiVersion?: string): string;
  registerShop(registration: ShopRegistration): ShopState;
  addCustomer(shop: string, customer: CustomerInput): CustomerRecord;
  addOrder(shop: string, order: OrderInput): OrderRecord;
  updateOrder(
    shop: string,
    id: number | string,
    patch: OrderPatch,
  ): OrderRecord;
  addRefund(shop: string, refund: RefundInput): RefundModel;
  throttleStatus(shop: string): ThrottleStatus;
  /** Clears data, calls, faults and buckets; registered shops (and tokens) stay. */
  reset(): void;
  close(): Promise<void>;
}

const INVALID_TOKEN =
  "[API] Invalid API key or access token (unrecognized login or wrong password)";
const GRAPHQL_PATH = /^\/admin\/api\/([^/]+)\/graphql\.json$/;
const MAX_BODY_BYTES = 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, { errors: "Request body too large" }));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, { errors: "Invalid JSON in request body" });
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "X-Request-Id": randomUUID(),
  });
  response.end(text);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringField(
  body: Record<string, unknown>,
  name: string,
): string | undefined {
  const value = body[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

const STATUS_TEXT: Record<number, string> = {
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export async function startShopifySimulator(
  options: SimulatorOptions = {},
): Promise<Simulator> {
  const {
    port = 0,
    host = "127.0.0.1",
    restoreRate = 100,
    bucketSize = 2000,
    now = Date.now,
  } = options;
  const state = new SimulatorState(now);
  const faults = new FaultQueue();
  const calls: CallRecord[] = [];
  const endpoint = new AdminGraphqlEndpoint({
    state,
    now,
    bucketSize,
    restoreRate,
    maxQueryCost: options.maxQueryCost,
    appId: options.appId,
  });
  const timers = new Set<NodeJS.Timeout>();

  async function handleGraphql(
    request: IncomingMessage,
    response: ServerResponse,
    apiVersion: string,
  ): Promise<void> {
    const time = now();
    const text = await readBody(request);
    const header = request.headers["x-shopify-access-token"];
    const token = Array.isArray(header) ? header[0] : header;
    const shop = token ? state.shopForToken(token) : undefined;
    const record = (entry: Omit<CallRecord, "apiVersion" | "time">) =>
      calls.push({ ...entry, apiVersion, time });
    let body: unknown = null;
    let parsed = true;
    try {
      body = JSON.parse(text);
    } catch {
      // Reported below, once the caller is known.
      parsed = false;
    }
    const summary = {
      operationName:
        isRecord(body) && typeof body.operationName === "string"
          ? body.operationName
          : null,
      query:
        isRecord(body) && typeof body.query === "string" ? body.query : null,
      variables:
        isRecord(body) && isRecord(body.variables) ? body.variables : {},
    };
    if (!shop) {
      const payload = { errors: INVALID_TOKEN };
      record({
        shop: null,
        ...summary,
        status: 401,
        response: payload,
        fault: null,
      });
      return send(response, 401, payload);
    }

    const fault = faults.take(shop.shop);
    if (fault?.kind === "TIMEOUT") {
      record({
        shop: shop.shop,
        ...summary,
        status: 0,
        response: null,
        fault: fault.kind,
      });
      const timer = setTimeout(() => {
        timers.delete(timer);
        request.socket.destroy();
      }, fault.ms);
      timers.add(timer);
      return;
    }
    if (fault?.kind === "HTTP") {
      const payload = { errors: STATUS_TEXT[fault.status] ?? "Error" };
      record({
        shop: shop.shop,
        ...summary,
        status: fault.status,
        response: payload,
        fault: fault.kind,
      });
      return send(response, fault.status, payload);
    }
    if (fault?.kind === "THROTTLED") {
      const payload = endpoint.throttled(shop.shop, 0);
      record({
        shop: shop.shop,
        ...summary,
        status: 200,
        response: payload,
        fault: fault.kind,
      });
      return send(response, 200, payload);
    }

    if (!parsed) {
      const payload = {
        errors: { query: "Required parameter missing or invalid" },
      };
      record({
        shop: shop.shop,
        ...summary,
        status: 400,
        response: payload,
        fault: null,
      });
      return send(response, 400, payload);
    }
    const answer = endpoint.handle(shop, body);
    record({
      shop: shop.shop,
      operationName: answer.operationName,
      query: answer.query,
      variables: answer.variables,
      status: answer.status,
      response: answer.body,
      fault: null,
    });
    send(response, answer.status, answer.body);
  }

  async function handleControl(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
  ): Promise<void> {
    const route = `${request.method ?? "GET"} ${url.pathname}`;
    const jsonBody = async (): Promise<Record<string, unknown>> => {
      const body = parseJson(await readBody(request));
      if (!isRecord(body))
        throw new HttpError(400, { errors: "Expected a JSON object" });
      return body;
    };
    const shopOf = (name: string | undefined): string => {
      if (!name || !state.get(name))
        throw new HttpError(404, {
          errors: `Unknown shop: ${name ?? "(none)"}`,
        });
      return name;
    };
    switch (route) {
      case "POST /__simulator/shops": {
        const body = await jsonBody();
        const shop = stringField(body, "shop");
        const accessToken = stringField(body, "accessToken");
        if (!shop || !accessToken)
          throw new HttpError(400, {
            errors: "shop and accessToken are required",
          });
        try {
          const registered = state.register({
            shop,
            accessToken,
            currencyCode: stringField(body, "currencyCode"),
            ianaTimezone: stringField(body, "ianaTimezone"),
            name: stringField(body, "name"),
          });
          return send(response, 201, {
            shop: registered.shop,
            name: registered.name,
            currencyCode: registered.currencyCode,
            ianaTimezone: registered.ianaTimezone,
          });
        } catch (error) {
          throw new HttpError(400, {
            errors: error instanceof Error ? error.message : String(error),
          });
        }
      }
      case "GET /__simulator/state": {
        const shop = url.searchParams.get("shop");
        if (!shop)
          return send(response, 200, {
            shops: state.list().map((entry) => entry.shop),
          });
        return send(response, 200, state.snapshot(shopOf(shop)));
      }
      case "GET /__simulator/calls": {
        const shop = url.searchParams.get("shop");
        return send(response, 200, {
          calls: shop ? calls.filter((call) => call.shop === shop) : calls,
        });
      }
      case "POST /__simulator/customers": {
        const body = await jsonBody();
        const customer = customerInputSchema.safeParse(body.customer);
        if (!customer.success)
          throw new HttpError(400, { errors: z.prettifyError(customer.error) });
        return send(
          response,
          201,
          state.addCustomer(shopOf(stringField(body, "shop")), customer.data),
        );
      }
      case "POST /__simulator/orders": {
        const body = await jsonBody();
        const shop = shopOf(stringField(body, "shop"));
        const order = orderInputSchema.safeParse(body.order);
        if (!order.success)
          throw new HttpError(400, { errors: z.prettifyError(order.error) });
        try {
          const record = state.addOrder(shop, order.data);
          return send(response, 201, {
            id: record.model.gid,
            name: record.model.name,
          });
        } catch (error) {
          throw new HttpError(400, {
            errors: error instanceof Error ? error.message : String(error),
          });
        }
      }
      case "POST /__simulator/reset":
        reset();
        return send(response, 200, { ok: true });
      default:
        throw new HttpError(404, { errors: "Not Found" });
    }
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://simulator.invalid");
    const graphql = GRAPHQL_PATH.exec(url.pathname);
    const work =
      graphql && request.method === "POST"
        ? handleGraphql(request, response, decodeURIComponent(graphql[1] ?? ""))
        : url.pathname.startsWith("/__simulator/")
          ? handleControl(request, response, url)
          : Promise.reject(new HttpError(404, { errors: "Not Found" }));
    work.catch((error: unknown) => {
      if (response.headersSent) return;
      if (error instanceof HttpError)
        return send(response, error.status, error.body);
      send(response, 500, {
        errors: error instanceof Error ? error.message : String(error),
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string")
    throw new Error("The simulator is not listening on TCP");
  const origin = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;

  function reset(): void {
    state.clearData();
    calls.length = 0;
    faults.clear();
    endpoint.resetBuckets();
  }

  return {
    origin,
    state,
    calls,
    faults,
    graphqlUrl: (apiVersion = "2025-04") =>
      `${origin}/admin/api/${apiVersion}/graphql.json`,
    registerShop: (registration) => state.register(registration),
    addCustomer: (shop, customer) => state.addCustomer(shop, customer),
    addOrder: (shop, order) => state.addOrder(shop, order),
    updateOrder: (shop, id, patch) => state.updateOrder(shop, id, patch),
    addRefund: (shop, refund) => state.addRefund(shop, refund),
    throttleStatus: (shop) =>
      endpoint.bucketFor(state.require(shop).shop).status(),
    reset,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
