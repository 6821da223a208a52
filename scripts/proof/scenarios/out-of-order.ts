// Shopify does not order topics: a refund or a cancellation may come before the payment. The same
// history is replayed into two shops, once in order (every payment before what followed it) and
// once shuffled; both must end with the same ledger, entry for entry.
import type { Database } from "../../../app/db/client.server";
import { formatNumber } from "../../bench/report";
import { seededRandom } from "../../lib/seeded-random";
import { historyProgram, historyRequests } from "../history";
import { checkLedger } from "../ledger";
import type { Scenario } from "../scenario";
import { sendUntilAccepted } from "../stack";

interface FinalLedger {
  balances: Map<string, string>;
  keys: Set<string>;
}

async function finalLedger(
  database: Database,
  shop: string,
): Promise<FinalLedger> {
  const members = await database.sql.query<{
    customerId: string;
    available: number;
    pending: number;
    held: number;
    lifetimeEarned: number;
  }>(
    `SELECT "customerId", available, pending, held, "lifetimeEarned" FROM "Member" WHERE shop = $1`,
    [shop],
  );
  const entries = await database.sql.query<{ key: string; points: number }>(
    `SELECT "idempotencyKey" AS key, points FROM "LedgerEntry" WHERE shop = $1`,
    [shop],
  );
  return {
    balances: new Map(
      members.map((member) => [
        member.customerId,
        `${member.available}/${member.pending}/${member.held}/${member.lifetimeEarned}`,
      ]),
    ),
    keys: new Set(entries.map((entry) => `${entry.key} ${entry.points}`)),
  };
}

function differences(ordered: FinalLedger, shuffled: FinalLedger): string[] {
  const found: string[] = [];
  for (const [customer, balances] of ordered.balances) {
    const other = shuffled.balances.get(customer);
    if (other !== balances)
      found.push(
        `customer ${customer}: ${balances} in order, ${other} shuffled`,
      );
  }
  for (const customer of shuffled.balances.keys())
    if (!ordered.balances.has(customer))
      found.push(`customer ${customer} only in the shuffled replay`);
  for (const key of ordered.keys)
    if (!shuffled.keys.has(key)) found.push(`entry ${key} only in order`);
  for (const key of shuffled.keys)
    if (!ordered.keys.has(key)) found.push(`entry ${key} only shuffled`);
  return found;
}

export const outOfOrder: Scenario = {
  name: "2 out of order",
  async run({ stack, history, expected, now, log }) {
    const orderedShop = "proof-ordered.myshopify.com";
    const shuffledShop = "proof-shuffled.myshopify.com";
    await stack.openShop(orderedShop, historyProgram(now));
    await stack.openShop(shuffledShop, historyProgram(now));

    const ordered = historyRequests(orderedShop, history);
    const payments = ordered.filter(
      ({ delivery }) => delivery.topic === "orders/paid",
    );
    const rest = ordered.filter(
      ({ delivery }) => delivery.topic !== "orders/paid",
    );
    log(
      `  in order: ${formatNumber(payments.length)} payments, then ${formatNumber(rest.length)} refunds and cancellations`,
    );
    const first = await sendUntilAccepted(
      stack.app,
      payments.map(({ request }) => request),
    );
    const second = await sendUntilAccepted(
      stack.app,
      rest.map(({ request }) => request),
    );

    const shuffled = historyRequests(shuffledShop, history);
    const random = seededRandom(20_240_229);
    for (let index = shuffled.length - 1; index > 0; index--) {
      const other = Math.floor(random() * (index + 1));
      const [a, b] = [shuffled[index], shuffled[other]];
      if (a && b) [shuffled[index], shuffled[other]] = [b, a];
    }
    const paidAt = new Map(
      shuffled
        .map(({ delivery }, index) => [delivery, index] as const)
        .filter(([delivery]) => delivery.topic === "orders/paid")
        .map(([delivery, index]) => [delivery.orderId, index]),
    );
    const early = shuffled.filter(
      ({ delivery }, index) =>
        delivery.topic !== "orders/paid" &&
        (paidAt.get(delivery.orderId) ?? -1) > index,
    ).length;
    log(
      `  shuffled: ${formatNumber(shuffled.length)} deliveries, ${formatNumber(early)} refunds or cancellations before their payment`,
    );
    const third = await sendUntilAccepted(
      stack.app,
      shuffled.map(({ request }) => request),
    );

    const [inOrder, outOfOrderLedger] = await Promise.all([
      finalLedger(stack.database, orderedShop),
      finalLedger(stack.database, shuffledShop),
    ]);
    const found = differences(inOrder, outOfOrderLedger);
    const checks = await Promise.all([
      checkLedger(stack.database, orderedShop, expected),
      checkLedger(stack.database, shuffledShop, expected),
    ]);
    const unaccepted =
      first.notAccepted.length +
      second.notAccepted.length +
      third.notAccepted.length;
    const retried = first.rounds + second.rounds + third.rounds > 3;
    const ledgersExact = checks.every((check) => check.exact);
    return {
      volume: `${formatNumber(history.orders.length)} orders: ${formatNumber(ordered.length)} deliveries in order, the same shuffled (${formatNumber(early)} arriving before their payment)`,
      outcome:
        found.length === 0
          ? `identical: ${formatNumber(inOrder.balances.size)} members' balances, ${formatNumber(inOrder.keys.size)} entries (key and points)`
          : `${found.length} differences: ${found.slice(0, 3).join("; ")}`,
      ledger: ledgersExact
        ? "ledger exact"
        : checks.map((check) => check.summary).join(" | "),
      ok: found.length === 0 && ledgersExact && unaccepted === 0 && !retried,
    };
  },
};
