// What the dashboard reads of the orders, kept as they are written: each buyer's counted order
// times (Buyer) and the orders that used points per day (OrderDay). Both are written by the
// statement that updates the order (`orderUpdate`), so the webhook path gains no round trip;
// `rebuildOrderRollups` recomputes them from the orders and members. What counts is decided here
// (`orderRollupFacts`); the migration's function only moves an order from one set of facts to
// the other.
import type { Tx } from "~/db/client.server";

/**
 * The facts of an order row aliased `o` that the rollups count: the buyer of a counted order
 * (paid, not cancelled, not a test; null otherwise or without a buyer), its time, and what a
 * paid, uncancelled order that used points brought in (null for any other order).
 */
const orderRollupFacts = (o: string) => `
  CASE WHEN ${o}."paidAt" IS NOT NULL AND ${o}."cancelledAt" IS NULL
    AND ${o}."processedAt" IS NOT NULL AND ${o}.reason IS DISTINCT FROM 'TEST_ORDER'
    THEN coalesce(${o}."customerId", 'guest:' || ${o}."guestEmail") END AS buyer,
  ${o}."processedAt" AS at,
  CASE WHEN ${o}."paidAt" IS NOT NULL AND ${o}."cancelledAt" IS NULL
    AND ${o}."processedAt" IS NOT NULL AND ${o}."pointsDiscountMinor" > 0
    THEN coalesce(${o}."totalMinor", 0) END AS "pointsRevenue"`;

/**
 * The UPDATE of one order (`assignments` from $4 on; $1 shop, $2 order id, $3 its OrderDay
 * bucket) that also moves the order in the rollups, from its facts before to those after, with
 * the migration's moveOrderInRollups (which says why it is a function). One statement sees one
 * snapshot, so "before" reads the row as it was before "after" changes it; the order's row lock,
 * taken by lockOrder, keeps any other transaction from changing it in between.
 */
export function orderUpdate(assignments: string): string {
  return `WITH before AS (
      SELECT ${orderRollupFacts("o")} FROM "OrderRecord" o WHERE o.shop = $1 AND o."orderId" = $2
    ), after AS (
      UPDATE "OrderRecord" o SET ${assignments}, "updatedAt" = now()
      WHERE o.shop = $1 AND o."orderId" = $2
      RETURNING ${orderRollupFacts("o")}
    )
    SELECT "moveOrderInRollups"($1, $3, b.buyer, b.at, b."pointsRevenue", a.buyer, a.at,
      a."pointsRevenue")
    FROM before b, after a`;
}

export interface BuyerCounts {
  /** Buyers with a counted order on or after the period's first day. */
  buyers: number;
  /** Of them, those with two or more. */
  repeat: number;
}

/**
 * Members' and other buyers' counts from `from` (a UTC day) on: one pass over the index on lastAt,
 * aggregated without grouping (a hash aggregate costs more than the scan).
 */
export async function buyerCounts(
  tx: Pick<Tx, "query">,
  shop: string,
  from: string,
): Promise<{ members: BuyerCounts; nonMembers: BuyerCounts }> {
  const [row] = await tx.query<{
    memberBuyers: number;
    memberRepeat: number;
    otherBuyers: number;
    otherRepeat: number;
  }>(
    `SELECT count(*) FILTER (WHERE member)::int AS "memberBuyers",
       count(*) FILTER (WHERE member AND "previousAt" >= $2::timestamp)::int AS "memberRepeat",
       count(*) FILTER (WHERE NOT member)::int AS "otherBuyers",
       count(*) FILTER (WHERE NOT member AND "previousAt" >= $2::timestamp)::int AS "otherRepeat"
     FROM "Buyer" WHERE shop = $1 AND "lastAt" >= $2::timestamp`,
    [shop, from],
  );
  return {
    members: { buyers: row?.memberBuyers ?? 0, repeat: row?.memberRepeat ?? 0 },
    nonMembers: {
      buyers: row?.otherBuyers ?? 0,
      repeat: row?.otherRepeat ?? 0,
    },
  };
}

/** Orders that used points from `from` (a UTC day) on, and their revenue. */
export async function pointsOrdersSince(
  tx: Pick<Tx, "query">,
  shop: string,
  from: string,
): Promise<{ orders: number; revenue: number }> {
  const [row] = await tx.query<{ orders: number; revenue: number }>(
    `SELECT coalesce(sum("pointsOrders"), 0)::int AS orders,
       coalesce(sum("pointsRevenue"), 0)::int8 AS revenue
     FROM "OrderDay" WHERE shop = $1 AND day >= $2::date`,
    [shop, from],
  );
  return row ?? { orders: 0, revenue: 0 };
}

/**
 * Recomputes the shop's rollups from its orders and members (repair, data written around the app,
 * or a check that they are right): a row for every buyer with counted orders and every member.
 */
export async function rebuildOrderRollups(tx: Tx, shop: string): Promise<void> {
  await tx.query(`DELETE FROM "Buyer" WHERE shop = $1`, [shop]);
  await tx.query(
    `INSERT INTO "Buyer" (shop, buyer, member, "orderTimes", "lastAt", "previousAt")
     SELECT $1, coalesce(b.buyer, m."customerId"), m.id IS NOT NULL AND m."redactedAt" IS NULL,
       coalesce(b.times, '{}'), b.times[1], b.times[2]
     FROM (
       SELECT f.buyer, array_agg(f.at ORDER BY f.at DESC) AS times
       FROM "OrderRecord" o, LATERAL (SELECT ${orderRollupFacts("o")}) AS f
       WHERE o.shop = $1 AND f.buyer IS NOT NULL
       GROUP BY f.buyer
     ) AS b
     FULL JOIN (SELECT * FROM "Member" WHERE shop = $1) AS m ON m."customerId" = b.buyer`,
    [shop],
  );
  await tx.query(`DELETE FROM "OrderDay" WHERE shop = $1`, [shop]);
  await tx.query(
    `INSERT INTO "OrderDay" (shop, day, bucket, "pointsOrders", "pointsRevenue")
     SELECT $1, f.at::date, 0, count(*), sum(f."pointsRevenue")
     FROM "OrderRecord" o, LATERAL (SELECT ${orderRollupFacts("o")}) AS f
     WHERE o.shop = $1 AND f."pointsRevenue" IS NOT NULL
     GROUP BY 2`,
    [shop],
  );
}
