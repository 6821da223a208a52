// Tier tags and code deletions reach Shopify through the outbox (ADR 008, 011). Shopify answers
// THROTTLED, then 503, then drops connections for a while; every job must still land, and the
// result at Shopify be what the ledger says, with nothing parked as dead but a job that can never
// succeed (here: tags for a customer Shopify does not have).
//
// On a database of its own: the main one holds the other scenarios' outbox jobs, for customers the
// simulator never had, and the worker would send those too. The worker runs in this process, as
// `npm run worker` would, on a clock that jumps past each backoff instead of waiting it out.
import { openDatabase } from "../../../app/db/client.server";
import { DEFAULT_TIER_TAG_PREFIX, tierTag } from "../../../app/loyalty/tiers";
import { customerTagsJob } from "../../../app/services/customer-tags.server";
import {
  outboxHandlers,
  runOutboxOnce,
} from "../../../app/services/outbox-worker.server";
import { enqueue, outboxHealth } from "../../../app/services/outbox.server";
import { AdminCostBudget } from "../../../app/shopify/admin-client.server";
import type { Fault } from "../../../simulator/faults";
import { formatNumber } from "../../bench/report";
import { storeOfflineSession } from "../../lib/prepare-shop";
import { historyProgram, oneLineOrder } from "../history";
import { checkLedger } from "../ledger";
import type { Scenario } from "../scenario";
import { redeemReward, shopperCall, shopperToken } from "../shopper";
import {
  installShop,
  sendUntilAccepted,
  startApp,
  webhookRequest,
} from "../stack";

const FOREIGN_TAG = "vip";
const GOLD = tierTag(DEFAULT_TIER_TAG_PREFIX, "gold");
const UNKNOWN_CUSTOMER = "999999999";

export const shopifyDegraded: Scenario = {
  name: "6 shopify degraded",
  async run({ stack, size, now, log }) {
    const shop = "proof-degraded.myshopify.com";
    const created = await stack.server.createDatabase("degraded");
    const database = await openDatabase({ url: created.url });
    const app = await startApp({
      databaseUrl: created.url,
      adminApiOrigin: stack.simulator.origin,
    });
    try {
      const token = await installShop(
        database,
        stack.simulator,
        shop,
        historyProgram(now),
      );
      // This process's Admin clients find sessions in the main database.
      await storeOfflineSession(stack.database, shop, token);

      // Each customer goes to Silver, then Gold (two tag changes, the second replacing the first
      // if it is not sent yet), and redeems a code that they then remove (a code deletion).
      const customers = Array.from(
        { length: size.degradedCustomers },
        (_, index) => ({
          id: 900_000 + index,
          email: `degraded.${index}@example.com`,
        }),
      );
      for (const customer of customers)
        stack.simulator.addCustomer(shop, { ...customer, tags: [FOREIGN_TAG] });
      const order = (customerIndex: number, step: number, price: string) => {
        const customer = customers[customerIndex];
        const id = 8_000_000 + customerIndex * 10 + step;
        return webhookRequest(shop, "orders/paid", {
          payload: oneLineOrder({ id, customer, price, placedAt: now }),
        });
      };
      const paid = await sendUntilAccepted(app, [
        ...customers.map((_, index) => order(index, 1, "600.00")),
        ...customers.map((_, index) => order(index, 2, "1000.00")),
      ]);
      if (paid.rounds !== 1)
        throw new Error("the orders were not all accepted at once");
      const codes: string[] = [];
      for (const customer of customers) {
        const token = shopperToken(shop, customer.id);
        const minted = await redeemReward(app.url, shop, customer.id);
        const removed = await shopperCall(
          app.url,
          "DELETE",
          `/api/checkout/redemptions/${String(minted.body?.id)}`,
          token,
        );
        if (minted.status !== 201 || removed.status !== 200)
          throw new Error(
            `redeem ${minted.status}, remove ${removed.status}: ${minted.text}`,
          );
        codes.push(String(minted.body?.code));
      }
      const invalid = await database.sql.transaction((tx) =>
        enqueue(
          tx,
          customerTagsJob(shop, {
            customerId: UNKNOWN_CUSTOMER,
            add: [GOLD],
            remove: [],
          }),
        ),
      );

      const before = await outboxHealth(database.sql, shop);
      const jobs = before.counts.PENDING;
      // Shopify is degraded for the worker's first three runs, one kind of failure each (every
      // call of the run fails), and healthy after: a few minutes of the worker's time, well
      // inside the hour its retries span (ADR 008).
      const phases: Fault[] = [
        { kind: "THROTTLED" },
        { kind: "HTTP", status: 503 },
        { kind: "TIMEOUT", ms: 50 },
      ];
      const callsBefore = stack.simulator.calls.length;
      log(
        `  ${formatNumber(jobs)} jobs pending; Shopify answers THROTTLED, then 503, then drops connections, one worker run each`,
      );

      const started = stack.clock.now();
      let runs = 0;
      const budget = new AdminCostBudget();
      for (; runs < 40; runs++) {
        const { counts } = await outboxHealth(database.sql, shop);
        if (counts.PENDING + counts.RUNNING === 0) break;
        stack.simulator.faults.clear();
        const fault = phases[runs];
        if (fault)
          stack.simulator.faults.enqueue(fault, { shop, times: 100_000 });
        await runOutboxOnce({
          sql: database.sql,
          adminFor: stack.adminFor,
          handlers: outboxHandlers,
          workerId: "proof-degraded",
          budget,
          now: () => new Date(stack.clock.now()),
          timeoutMs: 2_000,
        });
        // The worker wakes when every waiting job is due, as after sleeping through their
        // backoffs, and Shopify's clock (its buckets) moves with it: minutes of their time, not
        // of this machine's.
        const [next] = await database.sql.query<{ at: Date | null }>(
          `SELECT max("runAfter") AS at FROM "OutboxJob" WHERE shop = $1 AND status = 'PENDING'`,
          [shop],
        );
        const wait = (next?.at?.getTime() ?? 0) - stack.clock.now();
        if (wait > 0) stack.clock.offsetMs += wait;
      }
      stack.simulator.faults.clear();
      const workerMinutes = (stack.clock.now() - started) / 60_000;

      const after = await outboxHealth(database.sql, shop, { deadLimit: 50 });
      const calls = stack.simulator.calls
        .slice(callsBefore)
        .filter((call) => call.shop === shop);
      const faulted = calls.filter((call) => call.fault !== null).length;
      const succeeded = (operation: string) =>
        calls.filter(
          (call) =>
            call.operationName === operation &&
            call.status === 200 &&
            !JSON.stringify(call.response).includes('"userErrors":[{'),
        );
      const deletions = succeeded("LoyaltyRedemptionCodeDelete").length;
      const state = stack.simulator.state.require(shop);
      const remainingCodes = codes.filter((code) =>
        [...state.discountCodes.values()].some(
          (record) => record.code === code,
        ),
      );
      const wrongTags = customers.filter((customer) => {
        const tags =
          state.customers.get(`gid://shopify/Customer/${customer.id}`)?.tags ??
          [];
        const tierTags = tags.filter((tag) =>
          tag.startsWith(DEFAULT_TIER_TAG_PREFIX),
        );
        return !(
          tierTags.length === 1 &&
          tierTags[0] === GOLD &&
          tags.includes(FOREIGN_TAG)
        );
      });
      const deadIds = after.dead.map((job) => job.id);
      const onlyInvalidDead = deadIds.length === 1 && deadIds[0] === invalid.id;
      const ledger = await checkLedger(
        database,
        shop,
        new Map(customers.map((customer) => [String(customer.id), 1_600])),
      );
      return {
        volume: `${formatNumber(customers.length)} customers: ${formatNumber(jobs)} outbox jobs (tier tags, metafields, ${formatNumber(codes.length)} code deletions, 1 invalid) under ${formatNumber(faulted)} injected faults`,
        outcome:
          `${formatNumber(after.counts.DONE)} done after ${runs} worker runs (${formatNumber(workerMinutes, 0)} minutes of its clock), ${formatNumber(after.counts.PENDING + after.counts.RUNNING)} left, dead: ${after.dead.map((job) => `${job.kind} ${JSON.stringify(job.payload)} (${job.lastError ?? ""})`).join(", ") || "none"}; ` +
          `tags at Shopify ${formatNumber(customers.length - wrongTags.length)}/${formatNumber(customers.length)} gold beside the merchant's own; ` +
          `codes deleted ${formatNumber(codes.length - remainingCodes.length)}/${formatNumber(codes.length)} with ${formatNumber(deletions)} delete calls`,
        ledger: ledger.summary,
        ok:
          after.counts.PENDING + after.counts.RUNNING === 0 &&
          onlyInvalidDead &&
          wrongTags.length === 0 &&
          remainingCodes.length === 0 &&
          deletions === codes.length &&
          faulted > 0 &&
          ledger.exact,
      };
    } finally {
      await app.stop();
      await database.close();
      await created.drop();
    }
  },
};
