// Hostile and malformed requests at the webhook routes and the shopper API: forged or missing
// signatures, replays, a topic sent to another topic's route, bodies over the 5 MB cap, JSON nested
// a hundred thousand deep, wrong types, Unicode edge cases, SQL-looking strings. Every one must be
// refused with a 4xx and write nothing, except two kinds that are not attacks:
// - a replay of a delivery already applied is answered 200 and deduplicated (Shopify's own retry
//   looks exactly like it), and
// - a delivery signed with the app's secret that the app cannot read is answered 400 and kept as a
//   dead letter, to be replayed once the app can read it (only Shopify can sign).
// The app process must stay up, and its memory flat.
import { formatNumber } from "../../bench/report";
import type { PreparedRequest } from "../../bench/load";
import { historyProgram, oneLineOrder } from "../history";
import { checkLedger } from "../ledger";
import type { Scenario } from "../scenario";
import { shopperCall, shopperToken } from "../shopper";
import { send, webhookRequest } from "../stack";

type Expectation = "4xx" | "401" | "413" | "replay";

interface Hostile {
  kind: string;
  expect: Expectation;
  /** A signed delivery the app cannot read: a dead letter by design. */
  deadLetter?: boolean;
  request: PreparedRequest;
}

const HUGE = 5 * 1024 * 1024 + 1_000;
const DEEP = 100_000;
const sqlLike = [
  `1; DROP TABLE "Member"; --`,
  `' OR '1'='1`,
  `1 UNION SELECT email FROM "Member"`,
  `$1); DELETE FROM "LedgerEntry" WHERE ('1'='1`,
];
const unicodeLike = [
  "１２３４５", // full-width digits
  "\u202e1234", // right-to-left override
  "12\u200b34", // zero-width space
  "\ud800", // a lone surrogate
  "\u0000", // NUL
  "🧨".repeat(64),
];
// The same, as they go in a URL: a lone surrogate has no UTF-8 form, so it goes as the bytes
// an encoder that does not care would send.
const inUrl = [
  ...sqlLike.map(encodeURIComponent),
  "%EF%BC%91%EF%BC%92%EF%BC%93",
  "%E2%80%AE1234",
  "%ED%A0%80",
  "%00",
  "..%2F..%2Fapp",
];
const browser =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

function allowed(expect: Expectation, status: number | undefined): boolean {
  if (status === undefined) return false;
  if (expect === "replay") return status === 200;
  if (expect === "4xx") return status >= 400 && status < 500;
  return status === Number(expect);
}

async function rowCounts(
  query: <Row>(text: string, values?: unknown[]) => Promise<Row[]>,
): Promise<Map<string, number>> {
  const tables = await query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const counts = new Map<string, number>();
  for (const { name } of tables) {
    const [row] = await query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${name}"`,
    );
    counts.set(name, row?.n ?? 0);
  }
  return counts;
}

export const badInput: Scenario = {
  name: "7 bad input",
  async run({ stack, size, now, log }) {
    const shop = "proof-hostile.myshopify.com";
    await stack.openShop(shop, historyProgram(now));
    const customer = { id: 720_001, email: "steady.shopper@example.com" };
    const order = (id: number) =>
      oneLineOrder({ id, customer, price: "40.00", placedAt: now });
    // A delivery the app applied: replaying it later must change nothing.
    const applied = webhookRequest(shop, "orders/paid", {
      payload: order(7_200_001),
      webhookId: "hostile-original",
      eventId: "hostile-original-event",
    });
    if ((await send(stack.app, [applied])).ok2xx !== 1)
      throw new Error("the original delivery was not accepted");
    const token = shopperToken(shop, customer.id);
    const shopper = (
      method: string,
      path: string,
      body?: string | Buffer,
      authorization: string | null = `Bearer ${token}`,
    ): PreparedRequest => ({
      method,
      path,
      headers: {
        Origin: "https://extensions.shopifycdn.com",
        "User-Agent": browser,
        "Content-Type": "application/json",
        ...(authorization ? { Authorization: authorization } : {}),
      },
      body: typeof body === "string" ? Buffer.from(body, "utf8") : body,
    });
    const deep = (inner: string) =>
      `${"[".repeat(DEEP)}${inner}${"]".repeat(DEEP)}`;
    const huge = Buffer.alloc(HUGE, "a");

    let serial = 0;
    const signed = (
      topic: string,
      fields: Record<string, unknown> | undefined,
      extra: { rawBody?: string; path?: string } = {},
    ) => {
      serial += 1;
      return webhookRequest(shop, topic, {
        payload: fields,
        rawBody: extra.rawBody,
        path: extra.path,
        webhookId: `hostile-${serial}`,
        eventId: `hostile-event-${serial}`,
      });
    };
    const forged = (
      topic: string,
      fields: Record<string, unknown> | undefined,
      extra: { rawBody?: string; shopHeader?: string } = {},
    ) => {
      serial += 1;
      return webhookRequest(extra.shopHeader ?? shop, topic, {
        payload: fields,
        rawBody: extra.rawBody,
        secret: "not-the-app-secret",
        webhookId: `hostile-${serial}`,
      });
    };
    const pick = <T>(values: readonly T[], index: number): T =>
      values[index % values.length] as T;

    const kinds: ((index: number) => Hostile)[] = [
      () => ({
        kind: "forged HMAC",
        expect: "401",
        request: forged("orders/paid", order(7_200_100 + serial)),
      }),
      () => {
        const request = signed("orders/paid", order(7_200_100 + serial));
        const headers = { ...request.headers };
        delete headers["x-shopify-hmac-sha256"];
        return {
          kind: "missing HMAC",
          expect: "401",
          request: { ...request, headers },
        };
      },
      (index) => {
        const request = signed("orders/paid", order(7_200_100 + serial));
        const headers = { ...request.headers };
        delete headers[
          pick(
            [
              "x-shopify-topic",
              "x-shopify-shop-domain",
              "x-shopify-webhook-id",
            ],
            index,
          )
        ];
        return {
          kind: "missing Shopify header",
          expect: "4xx",
          request: { ...request, headers },
        };
      },
      () => {
        const request = signed("orders/paid", order(7_200_100 + serial));
        const other = signed("orders/paid", order(7_200_200 + serial));
        return {
          kind: "signature of another body",
          expect: "401",
          request: { ...request, body: other.body },
        };
      },
      (index) => ({
        kind: "wrong topic for the route",
        expect: "4xx",
        request: signed("orders/paid", order(7_200_100 + serial), {
          path: pick(
            [
              "refunds/create",
              "orders/cancelled",
              "customers/redact",
              "shop/redact",
            ],
            index,
          ),
        }),
      }),
      () => ({
        kind: "deeply nested, forged",
        expect: "401",
        request: forged("orders/paid", undefined, { rawBody: deep("1") }),
      }),
      () => ({
        kind: "deeply nested, signed",
        expect: "4xx",
        deadLetter: true,
        request: signed("orders/paid", undefined, { rawBody: deep("{}") }),
      }),
      (index) => ({
        kind: "wrong types, signed",
        expect: "4xx",
        deadLetter: true,
        request: signed("orders/paid", {
          ...order(7_200_100 + serial),
          id: pick(sqlLike, index),
          line_items: pick(["?", 7, null, [{ price: { $gt: "" } }]], index),
        }),
      }),
      (index) => ({
        kind: "Unicode edge cases, signed",
        expect: "4xx",
        deadLetter: true,
        request: signed("refunds/create", {
          id: pick(unicodeLike, index),
          order_id: pick(unicodeLike, index + 1),
          refund_line_items: [
            { line_item_id: pick(unicodeLike, index + 2), quantity: "１" },
          ],
        }),
      }),
      (index) => {
        const rawBody = pick(
          [
            `{"shop_id": 1,`,
            "\u0000\ud800",
            `{"customer":{"id":${pick(sqlLike, index)}}}`,
            "",
          ],
          index,
        );
        return {
          kind: "not JSON, signed",
          expect: "4xx",
          // The library refuses an empty body before the app sees it: nothing to keep.
          deadLetter: rawBody !== "",
          request: signed("customers/redact", undefined, { rawBody }),
        };
      },
      (index) => ({
        kind: "SQL-looking shop domain",
        expect: "4xx",
        request: forged("orders/paid", order(7_200_100 + serial), {
          shopHeader: pick(sqlLike, index),
        }),
      }),
      (index) => ({
        kind: "shopper: wrong types",
        expect: "4xx",
        request: shopper(
          "POST",
          "/api/checkout/redemptions",
          JSON.stringify(
            pick<Record<string, unknown>>(
              [
                { rewardId: 500, idempotencyKey: "hostile-key-0001" },
                {
                  points: pick(sqlLike, index),
                  idempotencyKey: "hostile-key-0002",
                },
                { rewardId: ["fixed-500"], idempotencyKey: { $ne: null } },
                { points: 1e308, idempotencyKey: "hostile-key-0003" },
                { points: -500, idempotencyKey: "hostile-key-0004" },
              ],
              index,
            ),
          ),
        ),
      }),
      (index) => ({
        kind: "shopper: SQL-looking and Unicode values",
        expect: "4xx",
        request: shopper(
          "POST",
          "/api/checkout/redemptions",
          JSON.stringify({
            rewardId: pick([...sqlLike, ...unicodeLike], index),
            idempotencyKey: pick(
              [
                `x${pick(sqlLike, index)}`,
                `key-${pick(unicodeLike, index)}-0001`,
                `hostile-key-${index}`,
              ],
              index,
            ),
          }),
        ),
      }),
      (index) => ({
        kind: "shopper: not JSON or nested deep",
        expect: "4xx",
        request: shopper(
          "POST",
          "/api/checkout/redemptions",
          pick(
            [
              `{"rewardId":`,
              deep("{}"),
              "\ud800",
              "null",
              `{"rewardId":"fixed-500","idempotencyKey":"hostile-key-0005","__proto__":{"admin":true}}`,
            ],
            index,
          ),
        ),
      }),
      (index) => ({
        kind: "shopper: hostile query",
        expect: "4xx",
        request: shopper(
          "GET",
          `/api/checkout/loyalty?subtotal=${pick(["-1", "1e400", ...inUrl], index)}`,
        ),
      }),
      (index) => ({
        kind: "shopper: hostile redemption id",
        expect: "4xx",
        request: shopper(
          "DELETE",
          `/api/checkout/redemptions/${pick(inUrl, index)}`,
        ),
      }),
      (index) => ({
        kind: "shopper: no or garbage token",
        expect: "401",
        request: shopper(
          "POST",
          "/api/checkout/redemptions",
          JSON.stringify({
            rewardId: "fixed-500",
            idempotencyKey: `hostile-key-${index}`,
          }),
          pick(
            [
              null,
              "Bearer",
              `Bearer ${pick(sqlLike, index)}`,
              "Bearer a.b.c",
              `Basic ${Buffer.from("admin:admin").toString("base64")}`,
            ],
            index,
          ),
        ),
      }),
      () => ({
        kind: "replayed old delivery",
        expect: "replay",
        request: applied,
      }),
      () => ({
        kind: "replayed through a second subscription",
        expect: "replay",
        request: webhookRequest(shop, "orders/paid", {
          payload: order(7_200_001),
          webhookId: `hostile-second-${serial++}`,
          eventId: "hostile-original-event",
        }),
      }),
    ];
    const oversized = (index: number): Hostile =>
      index % 2 === 0
        ? {
            kind: "over 5 MB",
            expect: "413",
            request: forged("orders/paid", undefined, {
              rawBody: huge.toString("latin1"),
            }),
          }
        : {
            kind: "over 5 MB",
            expect: "413",
            request: shopper("POST", "/api/checkout/redemptions", huge),
          };
    const build = (count: number): Hostile[] =>
      Array.from({ length: count }, (_, index) =>
        // One in fifty is over the cap: enough to show the cap holds without moving gigabytes.
        index % 50 === 49
          ? oversized(index)
          : (kinds[index % kinds.length] as (i: number) => Hostile)(
              Math.floor(index / kinds.length),
            ),
      );

    // A first pass warms the process up (buffers, JIT, pools), so the second one shows growth.
    const warmup = build(Math.min(200, size.hostileRequests));
    await send(
      stack.app,
      warmup.map((hostile) => hostile.request),
      { concurrency: 8 },
    );
    const query = <Row>(text: string, values?: unknown[]) =>
      stack.database.sql.query<Row>(text, values);
    const before = await rowCounts(query);
    const pid = stack.app.pid;
    const rssBefore = stack.app.rssBytes() ?? 0;

    const hostile = build(size.hostileRequests);
    const statuses = new Map<string, Map<number | "none", number>>();
    const unexpected: string[] = [];
    await send(
      stack.app,
      hostile.map((entry) => entry.request),
      {
        concurrency: 8,
        onResult: (index, status) => {
          const entry = hostile[index];
          if (!entry) return;
          const byStatus =
            statuses.get(entry.kind) ?? new Map<number | "none", number>();
          byStatus.set(
            status ?? "none",
            (byStatus.get(status ?? "none") ?? 0) + 1,
          );
          statuses.set(entry.kind, byStatus);
          if (!allowed(entry.expect, status))
            unexpected.push(`${entry.kind}: ${status ?? "no answer"}`);
        },
      },
    );
    const rssAfter = stack.app.rssBytes() ?? 0;
    const after = await rowCounts(query);
    const deadLetters = hostile.filter((entry) => entry.deadLetter).length;
    const changed = [...after]
      .filter(
        ([table, n]) =>
          n !==
          (before.get(table) ?? 0) + (table === "DeadLetter" ? deadLetters : 0),
      )
      .map(([table, n]) => `${table} ${before.get(table) ?? 0} → ${n}`);
    const alive = stack.app.running() && stack.app.pid === pid;
    const healthy = await shopperCall(
      stack.app.url,
      "GET",
      "/api/checkout/loyalty",
      token,
    );
    const growth = rssAfter - rssBefore;
    const flat = growth < 64 * 1024 * 1024;
    const mb = (bytes: number) => formatNumber(bytes / 1024 / 1024, 0);
    for (const [kind, byStatus] of statuses)
      log(
        `  ${kind}: ${[...byStatus].map(([status, n]) => `${status}×${n}`).join(" ")}`,
      );
    const ledger = await checkLedger(
      stack.database,
      shop,
      new Map([[String(customer.id), 40]]),
    );
    const count = (expect: Expectation) =>
      hostile.filter((entry) => entry.expect === expect).length;
    return {
      volume: `${formatNumber(hostile.length)} requests of ${kinds.length + 1} kinds (${formatNumber(count("413"))} over 5 MB), after ${formatNumber(warmup.length)} to warm up`,
      outcome:
        (unexpected.length === 0
          ? `all 4xx (${formatNumber(count("401"))} × 401, ${formatNumber(count("413"))} × 413) but ${formatNumber(count("replay"))} replays answered 200 as duplicates`
          : `${unexpected.length} unexpected answers: ${unexpected.slice(0, 3).join("; ")}`) +
        `; rows ${changed.length === 0 ? `unchanged but ${formatNumber(deadLetters)} dead letters for the signed unreadable ones` : `changed: ${changed.join(", ")}`}` +
        `; process ${alive && healthy.status === 200 ? "alive and answering" : "not well"}; RSS ${mb(rssBefore)} → ${mb(rssAfter)} MB`,
      ledger: ledger.summary,
      ok:
        unexpected.length === 0 &&
        changed.length === 0 &&
        alive &&
        healthy.status === 200 &&
        flat &&
        ledger.exact,
    };
  },
};
