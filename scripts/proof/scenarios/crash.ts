// The app process dies with SIGKILL at random points of a replay: no shutdown, transactions cut
// wherever they were. Shopify retries every delivery that got no 2xx, which is what each round
// after a crash does. Whatever was cut must be either whole or absent: a recorded delivery always
// has its effects, and every delivery ends up applied once.
import { formatNumber } from "../../bench/report";
import { seededRandom } from "../../lib/seeded-random";
import { deliveryEffects, historyProgram, historyRequests } from "../history";
import { checkLedger } from "../ledger";
import type { Scenario } from "../scenario";
import { sendUntilAccepted } from "../stack";

export const crash: Scenario = {
  name: "3 crash",
  async run({ stack, history, expected, now, size, log }) {
    const shop = "proof-crash.myshopify.com";
    await stack.openShop(shop, historyProgram(now));
    const deliveries = historyRequests(shop, history);
    const random = seededRandom(9_119);
    const kills: number[] = [];
    let roundAnswers = 0;
    let killAt = -1;
    let killing: Promise<void> | undefined;
    const planKill = (roundSize: number) => {
      roundAnswers = 0;
      // Somewhere in the first 80 % of the round, so that a part of it is left to retry.
      killAt =
        kills.length < size.crashes
          ? 1 + Math.floor(random() * roundSize * 0.8)
          : -1;
    };
    planKill(deliveries.length);
    let unanswered = 0;
    const result = await sendUntilAccepted(
      stack.app,
      deliveries.map(({ request }) => request),
      {
        concurrency: 16,
        onResult: (_, status) => {
          if (status === undefined) unanswered += 1;
          roundAnswers += 1;
          if (roundAnswers === killAt) {
            kills.push(roundAnswers);
            log(
              `  SIGKILL after ${formatNumber(roundAnswers)} answers of a round`,
            );
            killing = stack.app.kill();
          }
        },
        between: async (_, pending) => {
          await killing;
          await stack.app.start();
          planKill(pending);
        },
      },
    );
    // The last round may have ended with the process killed and nothing left to retry.
    await killing;
    await stack.app.start();
    const problems = await deliveryEffects(stack.database, shop, deliveries);
    const ledger = await checkLedger(stack.database, shop, expected);
    return {
      volume: `${formatNumber(history.orders.length)} orders: ${formatNumber(deliveries.length)} deliveries, ${kills.length} SIGKILLs`,
      outcome:
        `${formatNumber(result.sent)} sends over ${result.rounds} rounds (${formatNumber(unanswered)} cut off unanswered, retried); ` +
        (problems.length === 0
          ? "every delivery recorded once with its effects, no half-written transaction"
          : `${problems.length} problems: ${problems.slice(0, 3).join("; ")}`),
      ledger: ledger.summary,
      ok:
        result.notAccepted.length === 0 &&
        kills.length === size.crashes &&
        problems.length === 0 &&
        ledger.exact,
    };
  },
};
