// Points are held, not spent, when a code is minted (ADR 004, 011). Twenty checkouts of one
// shopper ask for a 500-point code at once on a balance of 2,500: the member's row lock must let
// exactly five through. Then the expiry sweep, which releases a code that ended unused, races the
// paid order that carries one of them: the points are posted or released, never both.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { releaseExpiredRedemptions } from "../../../app/services/redemption-codes.server";
import { formatNumber } from "../../bench/report";
import { seededRandom } from "../../lib/seeded-random";
import { historyProgram, oneLineOrder } from "../history";
import { checkLedger } from "../ledger";
import type { Scenario } from "../scenario";
import { shopperCall, shopperToken } from "../shopper";
import { send, webhookRequest } from "../stack";

const HOLDS = 20;
const BALANCE = 2_500;
const REWARD = { id: "fixed-500", points: 500 };

export const concurrentRedemptions: Scenario = {
  name: "5 concurrent redemptions",
  async run({ stack, size, now, log }) {
    const random = seededRandom(505);
    const ledgers: string[] = [];
    const wrongRounds: string[] = [];
    const race = { posted: 0, released: 0, both: 0, neither: 0 };
    let granted = 0;
    let refused = 0;
    const paid = async (shop: string, payload: object) => {
      const report = await send(stack.app, [
        webhookRequest(shop, "orders/paid", { payload }),
      ]);
      if (report.ok2xx !== 1) throw new Error("orders/paid was not accepted");
    };

    for (let round = 1; round <= size.redemptionRounds; round++) {
      // A shop per round: each has its own Admin API bucket at Shopify, which a hundred rounds of
      // five codes in a few seconds would empty (the app then answers 502 and holds nothing).
      const shop = `proof-redeem-${round}.myshopify.com`;
      await stack.openShop(shop, historyProgram(now));
      const customer = {
        id: 600_000 + round,
        email: `redeemer.${round}@example.com`,
      };
      stack.simulator.addCustomer(shop, customer);
      const orderId = 7_000_000 + round * 10;
      await paid(
        shop,
        oneLineOrder({
          id: orderId,
          customer,
          price: `${BALANCE}.00`,
          placedAt: now,
        }),
      );

      const token = shopperToken(shop, customer.id);
      const answers = await Promise.all(
        Array.from({ length: HOLDS }, () =>
          shopperCall(
            stack.app.url,
            "POST",
            "/api/checkout/redemptions",
            token,
            {
              rewardId: REWARD.id,
              idempotencyKey: randomUUID(),
            },
          ),
        ),
      );
      const codes = answers.filter((answer) => answer.status === 201);
      const notEnough = answers.filter((answer) => answer.status === 409);
      granted += codes.length;
      refused += notEnough.length;
      const [member] = await stack.database.sql.query<{
        available: number;
        held: number;
      }>(
        `SELECT available, held FROM "Member" WHERE shop = $1 AND "customerId" = $2`,
        [shop, String(customer.id)],
      );
      const fits = BALANCE / REWARD.points;
      if (
        codes.length !== fits ||
        notEnough.length !== HOLDS - fits ||
        member?.available !== 0 ||
        member.held !== BALANCE
      )
        wrongRounds.push(
          `round ${round}: ${codes.length} codes, ${notEnough.length} refused, other answers ${answers
            .filter((answer) => answer.status !== 201 && answer.status !== 409)
            .map((answer) => answer.status)
            .join(" ")}; ${member?.available} available, ${member?.held} held`,
        );

      // The code ended ten minutes ago by the sweep's clock, and Shopify counts no use of it: the
      // sweep releases it, while the order that used it at the last moment is being paid.
      const target = codes[0]?.body;
      if (!target) continue;
      const raceOrderId = orderId + 1;
      const order = oneLineOrder({
        id: raceOrderId,
        customer,
        price: "5.00",
        placedAt: now,
        discountCodes: [{ code: String(target.code), amount: "5.00" }],
      });
      const sweepAt = new Date(Date.parse(String(target.expiresAt)) + 600_000);
      await Promise.all([
        sleep(random() * 40).then(() =>
          releaseExpiredRedemptions({
            sql: stack.database.sql,
            adminFor: stack.adminFor,
            now: sweepAt,
          }),
        ),
        sleep(random() * 40).then(() => paid(shop, order)),
      ]);
      const settled = await stack.database.sql.query<{
        kind: string;
        n: number;
      }>(
        `SELECT kind, count(*)::int AS n FROM "LedgerEntry"
         WHERE shop = $1 AND "redemptionId" = $2
           AND kind IN ('REDEMPTION_POST', 'REDEMPTION_RELEASE') GROUP BY kind`,
        [shop, String(target.id)],
      );
      const posts =
        settled.find((row) => row.kind === "REDEMPTION_POST")?.n ?? 0;
      const releases =
        settled.find((row) => row.kind === "REDEMPTION_RELEASE")?.n ?? 0;
      if (posts === 1 && releases === 0) race.posted += 1;
      else if (posts === 0 && releases === 1) race.released += 1;
      else if (posts + releases === 0) race.neither += 1;
      else race.both += 1;
      const ledger = await checkLedger(
        stack.database,
        shop,
        new Map([[String(customer.id), BALANCE - REWARD.points * posts]]),
      );
      if (!ledger.exact) ledgers.push(`round ${round}: ${ledger.summary}`);
    }
    if (wrongRounds.length > 0) log(`  ${wrongRounds.join("\n  ")}`);
    const rounds = size.redemptionRounds;
    return {
      volume: `${formatNumber(rounds)} × ${HOLDS} concurrent holds of ${REWARD.points} on ${formatNumber(BALANCE)} points; ${formatNumber(rounds)} expiry sweeps racing a paid order`,
      outcome:
        (wrongRounds.length === 0
          ? `exactly 5 held every time (${formatNumber(granted)} granted, ${formatNumber(refused)} refused 409)`
          : `${wrongRounds.length} rounds wrong: ${wrongRounds.slice(0, 2).join("; ")}`) +
        `; race: ${race.posted} posted, ${race.released} released, ${race.both} both, ${race.neither} neither`,
      ledger: ledgers.length === 0 ? "ledger exact" : ledgers.join(" | "),
      ok:
        wrongRounds.length === 0 &&
        race.both === 0 &&
        race.neither === 0 &&
        ledgers.length === 0,
    };
  },
};
