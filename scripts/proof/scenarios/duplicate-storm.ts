// Shopify delivers at least once, retries for hours and may deliver one event through two
// subscriptions. Every delivery of the history arrives three times at once: twice with the same
// webhook id (a retry racing the original), and once more either again or through a second
// subscription (same event id, another webhook id).
import { formatNumber } from "../../bench/report";
import { historyProgram, historyRequests } from "../history";
import { checkLedger } from "../ledger";
import type { Scenario } from "../scenario";
import { send, webhookRequest } from "../stack";

export const duplicateStorm: Scenario = {
  name: "1 duplicate storm",
  async run({ stack, history, expected, now, log }) {
    const shop = "proof-storm.myshopify.com";
    await stack.openShop(shop, historyProgram(now));
    const deliveries = historyRequests(shop, history);
    let secondSubscription = 0;
    const requests = deliveries.flatMap(
      ({ delivery, request, eventId, webhookId }, index) => {
        const third =
          index % 2 === 0
            ? (secondSubscription++,
              webhookRequest(shop, delivery.topic, {
                payload: delivery.payload,
                eventId,
                webhookId: `${webhookId}-second-subscription`,
              }))
            : request;
        return [request, request, third];
      },
    );
    log(
      `  sending ${formatNumber(requests.length)} deliveries of ${formatNumber(deliveries.length)} events, three at a time per event`,
    );
    const report = await send(stack.app, requests, { concurrency: 24 });
    const [earns] = await stack.database.sql.query<{
      orders: number;
      entries: number;
    }>(
      `SELECT count(DISTINCT "orderId")::int AS orders, count(*)::int AS entries
       FROM "LedgerEntry" WHERE shop = $1 AND kind = 'EARN'`,
      [shop],
    );
    const [events] = await stack.database.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "WebhookEvent" WHERE shop = $1`,
      [shop],
    );
    const ledger = await checkLedger(stack.database, shop, expected);
    const non2xx = report.completed - report.ok2xx + report.errors;
    const oneEarnEach =
      earns?.orders === history.orders.length &&
      earns.entries === history.orders.length;
    return {
      volume: `${formatNumber(history.orders.length)} orders: ${formatNumber(requests.length)} deliveries (${formatNumber(secondSubscription)} via a second subscription)`,
      outcome: `${formatNumber(report.ok2xx)} × 2xx, ${formatNumber(non2xx)} other; ${formatNumber(earns?.entries ?? 0)} earn entries for ${formatNumber(earns?.orders ?? 0)} orders; ${formatNumber(events?.n ?? 0)} events recorded of ${formatNumber(deliveries.length)}`,
      ledger: ledger.summary,
      ok:
        non2xx === 0 &&
        oneEarnEach &&
        events?.n === deliveries.length &&
        ledger.exact,
    };
  },
};
