// The admin dashboard: program numbers for a period. Each figure comes from a table kept for it
// (LedgerDay, Buyer, OrderDay) or one pass over the shop's members, so the page stays fast for a
// large shop; `npm run bench -- dashboard` measures it.
import type { Tx } from "~/db/client.server";
import {
  basisPoints,
  type DashboardPeriod,
  isoDay,
  pointsSeries,
  type DayPoints,
} from "~/loyalty/dashboard";
import type { Money } from "~/loyalty/money";
import { pointsToMoney } from "~/loyalty/rewards";
import { levelHandle } from "~/loyalty/tiers";
import { ledgerDays } from "./ledger-days.server";
import {
  buyerCounts,
  pointsOrdersSince,
  type BuyerCounts,
} from "./order-rollups.server";
import { shopWithProgram } from "./program.server";

export interface RepeatPurchase {
  /** Buyers with a paid, uncancelled order in the period. */
  buyers: number;
  /** Of them, those with two or more. */
  repeatBuyers: number;
  rateBasisPoints: number | null;
}

export interface Dashboard {
  enabled: boolean;
  currency: string;
  period: { days: DashboardPeriod; from: string; to: string };
  members: number;
  points: {
    /** Earned and added by hand in the period. */
    issued: number;
    redeemed: number;
    expired: number;
    /** Taken back by refunds, cancellations and deductions by hand. */
    reversed: number;
    /** What members hold now: available (debts aside), pending and held. */
    outstanding: number;
  };
  /** What the outstanding points are worth at the program's redemption rate. */
  liability: Money;
  /** Points redeemed per point issued in the period. */
  redemptionRateBasisPoints: number | null;
  repeatPurchase: { members: RepeatPurchase; nonMembers: RepeatPurchase };
  /** Paid orders in the period that used a points discount, and what they brought in. */
  pointsOrders: { orders: number; revenue: Money };
  tiers: Array<{ handle: string | null; name: string; members: number }>;
  series: DayPoints[];
}

const DAY_MS = 86_400_000;

/** The dashboard of `shop` for the `days` up to and including `now`'s UTC day; null before setup. */
export async function programDashboard(
  tx: Tx,
  shop: string,
  options: { days: DashboardPeriod; now: Date },
): Promise<Dashboard | null> {
  const found = await shopWithProgram(tx, shop);
  if (!found) return null;
  const { config } = found;
  const to = new Date(`${isoDay(options.now)}T00:00:00Z`);
  const from = new Date(to.getTime() - (options.days - 1) * DAY_MS);

  const tierRows = await tx.query<{
    tier: string | null;
    members: number;
    outstanding: number;
  }>(
    `SELECT "tierHandle" AS tier, count(*) FILTER (WHERE "redactedAt" IS NULL)::int AS members,
       coalesce(sum(greatest(available, 0) + pending + held), 0)::int8 AS outstanding
     FROM "Member" WHERE shop = $1 GROUP BY "tierHandle"`,
    [shop],
  );
  const days = await ledgerDays(tx, shop, isoDay(from));
  const buyers = await buyerCounts(tx, shop, isoDay(from));
  const pointsOrders = await pointsOrdersSince(tx, shop, isoDay(from));

  const sum = (pick: (day: (typeof days)[number]) => number) =>
    days.reduce((total, day) => total + pick(day), 0);
  const issued = sum((day) => day.earned + day.adjustedIn);
  const redeemed = sum((day) => day.redeemed);
  const outstanding = tierRows.reduce(
    (total, row) => total + row.outstanding,
    0,
  );
  const repeat = ({ buyers: count, repeat: repeatBuyers }: BuyerCounts) => ({
    buyers: count,
    repeatBuyers,
    rateBasisPoints: basisPoints(repeatBuyers, count),
  });
  const membersIn = (handle: string | null) =>
    tierRows.find((row) => row.tier === handle)?.members ?? 0;
  const levels = config.tiers.levels.map((level) => ({
    handle: levelHandle(level),
    name: level.name,
  }));
  const known = new Set(levels.map((level) => level.handle));

  return {
    enabled: config.enabled,
    currency: config.currency,
    period: { days: options.days, from: isoDay(from), to: isoDay(to) },
    members: tierRows.reduce((total, row) => total + row.members, 0),
    points: {
      issued,
      redeemed,
      expired: sum((day) => day.expired),
      reversed: sum((day) => day.reversed + day.adjustedOut),
      outstanding,
    },
    liability: pointsToMoney(outstanding, config.redemption, config.currency),
    redemptionRateBasisPoints: basisPoints(redeemed, issued),
    repeatPurchase: {
      members: repeat(buyers.members),
      nonMembers: repeat(buyers.nonMembers),
    },
    pointsOrders: {
      orders: pointsOrders.orders,
      revenue: { minor: pointsOrders.revenue, currency: config.currency },
    },
    tiers: [
      ...levels.map((level) => ({
        ...level,
        members: membersIn(level.handle),
      })),
      // Members of no tier (none reached yet, or a tier the rules no longer have).
      {
        handle: null,
        name: "No tier",
        members: tierRows
          .filter((row) => row.tier === null || !known.has(row.tier))
          .reduce((total, row) => total + row.members, 0),
      },
    ],
    series: pointsSeries(
      days.map((day) => ({
        day: day.day,
        issued: day.earned + day.adjustedIn,
        redeemed: day.redeemed,
      })),
      from,
      to,
    ),
  };
}
