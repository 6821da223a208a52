import { database, sql } from "./db.server";
import { log } from "./logger.server";
import {
  RECONCILE_JOB_KIND,
  reconcileJobPayloadSchema,
} from "./services/operations.server";
import {
  OutboxJobError,
  type OutboxHandlers,
} from "./services/outbox-jobs.server";
import {
  outboxHandlers,
  startOutboxWorker,
} from "./services/outbox-worker.server";
import {
  awardBirthdays,
  warnExpiringPoints,
} from "./services/engagement.server";
import { reconcileOrders } from "./services/reconciliation.server";
import { releaseExpiredRedemptions } from "./services/redemption-codes.server";
import {
  completeDueReferrals,
  reviewTiers,
  settleDueLots,
} from "./services/settlement.server";
import { unauthenticated } from "./shopify.server";

export interface BackgroundJobs {
  stop(): void;
}

const HOUR = 3_600_000;

/**
 * Settles pending points whose period has passed (and lots past their expiry), and referrals
 * whose friend's order has, as of now.
 */
async function settle() {
  const report = await settleDueLots(sql, new Date());
  if (report.entries > 0) log("info", "due lots settled", { ...report });
  const referrals = await completeDueReferrals(sql, new Date());
  if (referrals.completed + referrals.cancelled > 0)
    log("info", "due referrals settled", { ...referrals });
}

async function reconcileShop(
  shop: string,
  from: Date,
  to: Date,
  message: string,
) {
  const { admin } = await unauthenticated.admin(shop);
  const report = await reconcileOrders({
    database: await database(),
    admin,
    shop,
    from,
    to,
  });
  log("info", message, {
    shop,
    fetched: report.fetched,
    paidFed: report.paidFed,
    refundsFed: report.refundsFed,
    cancellationsFed: report.cancellationsFed,
    leftOut: report.leftOut.length,
  });
}

/**
 * Reads back every installed shop's orders of the last `lookbackHours` and feeds what the
 * ledger has not seen: webhooks that never arrived are healed within one period.
 */
async function reconcileInstalledShops(lookbackHours: number) {
  const shops = await sql.query<{ shop: string }>(
    `SELECT s.shop FROM "Shop" s
     WHERE s."uninstalledAt" IS NULL
       AND EXISTS (SELECT 1 FROM "Session" x WHERE x.shop = s.shop AND NOT x."isOnline")`,
  );
  const to = new Date();
  const from = new Date(to.getTime() - lookbackHours * HOUR);
  for (const { shop } of shops)
    await reconcileShop(shop, from, to, "orders reconciled");
}

/**
 * The outbox's handlers, and the reconciliation a merchant requests from the admin: it pages
 * through orders with the library's own client and paces itself by Shopify's throttle answers.
 */
export const appOutboxHandlers: OutboxHandlers = {
  ...outboxHandlers,
  [RECONCILE_JOB_KIND]: async (_client, payload, job) => {
    const range = reconcileJobPayloadSchema.safeParse(payload);
    if (!range.success)
      throw new OutboxJobError("unreadable reconciliation range", false);
    await reconcileShop(
      job.shop,
      new Date(range.data.from),
      new Date(range.data.to),
      "orders reconciled on request",
    );
  },
};

/** Runs `job` now and every `everyMs`, never two runs at once; failures are logged, not thrown. */
function every(
  name: string,
  everyMs: number,
  job: () => Promise<void>,
  keepAlive: boolean,
) {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      await job();
    } catch (error) {
      log("error", `${name} failed`, {
        error: error instanceof Error ? error.message : String(error),
      });
    } finally {
      running = false;
    }
  };
  void run();
  const timer = setInterval(() => void run(), everyMs);
  // Inside the web server a timer must not keep a stopping process alive; on its own it is the process.
  if (!keepAlive) timer.unref();
  return timer;
}

const adminFor = async (shop: string) =>
  (await unauthenticated.admin(shop)).admin;

/**
 * The in-process scheduler. Every job is idempotent and works from what is due "as of now", so a
 * restart, a second instance or a long pause only delays work, never repeats or loses it.
 */
export function startBackgroundJobs(
  options: {
    settleEveryMs?: number;
    reconcileEveryHours?: number;
    keepProcessAlive?: boolean;
  } = {},
): BackgroundJobs {
  const keepAlive = options.keepProcessAlive ?? false;
  const reconcileHours =
    options.reconcileEveryHours ??
    Number(process.env.LOYALTY_RECONCILE_EVERY_HOURS ?? 6);
  const timers = [
    every(
      "settling due lots",
      options.settleEveryMs ?? 60_000,
      settle,
      keepAlive,
    ),
    every(
      "releasing expired redemption codes",
      options.settleEveryMs ?? 60_000,
      async () => {
        const report = await releaseExpiredRedemptions({
          sql,
          adminFor,
          now: new Date(),
        });
        if (report.released + report.deferred > 0)
          log("info", "expired redemptions swept", { ...report });
      },
      keepAlive,
    ),
    // Each run looks back twice its period, so one failed run leaves no gap.
    every(
      "tier review",
      HOUR,
      async () => {
        const report = await reviewTiers(sql, new Date());
        if (report.changed > 0) log("info", "tiers reviewed", report);
      },
      keepAlive,
    ),
    // Both work by the shop's calendar day and key what they send: hourly is on time everywhere.
    every(
      "expiry warnings and birthdays",
      HOUR,
      async () => {
        const now = new Date();
        const warned = await warnExpiringPoints(sql, now);
        const birthdays = await awardBirthdays(sql, now);
        if (warned.warnings + birthdays.rewarded > 0)
          log("info", "engagement sent", { ...warned, ...birthdays });
      },
      keepAlive,
    ),
    every(
      "reconciliation",
      reconcileHours * HOUR,
      () => reconcileInstalledShops(2 * reconcileHours),
      keepAlive,
    ),
  ];
  // Shopify side effects (tier tags…) leave through the outbox; in-process by default, or in a
  // separate `npm run worker` process when LOYALTY_JOBS=off here. SKIP LOCKED lets both coexist.
  const outbox = startOutboxWorker({
    sql,
    adminFor,
    handlers: appOutboxHandlers,
    intervalMs: 1000,
    keepProcessAlive: keepAlive,
  });
  return {
    stop: () => {
      timers.forEach((timer) => clearInterval(timer));
      void outbox.stop();
    },
  };
}
