// What the dashboard reads of the orders, kept as they are written: each buyer's counted order
// times (Buyer) and the orders that used points per day (OrderDay). Both are written by the
// statement that updates the order (`orderUpdate`), so the webhook path gains no round trip;
// `rebuildOrderRollups` recomputes them from the orders and members.
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

/** `times` newest first: the order the index on lastAt and previousAt relies on. */
const newestFirst = (times: string) =>
  `array(SELECT t FROM (${times}) AS u(t) ORDER BY t DESC)`;

/**
 * The UPDATE of one order (`assignments` from $4 on; $1 shop, $2 order id, $3 its OrderDay
 * bucket) that also moves the order in the rollups from its facts before to those after: its time
 * leaves the old buyer's list and joins the new one's, its points revenue leaves the old day and
 * joins the new one. Unchanged facts write nothing. Both upserts apply the move to the row as it
 * is when they lock it, not as the statement's snapshot saw it, so concurrent orders of one buyer
 * or day compose.
 */
export function orderUpdate(assignments: string): string {
  const merged = newestFirst(
    `SELECT unnest(b."orderTimes")
     EXCEPT ALL SELECT unnest(m.removed) FROM "buyerMoves" m WHERE m.buyer = b.buyer
     UNION ALL SELECT unnest(EXCLUDED."orderTimes")`,
  );
  // One statement sees one snapshot: "before" reads the row as it was before "after" changes it.
  return `WITH before AS (
      SELECT ${orderRollupFacts("o")} FROM "OrderRecord" o WHERE o.shop = $1 AND o."orderId" = $2
    ), after AS (
      UPDATE "OrderRecord" o SET ${assignments}, "updatedAt" = now()
      WHERE o.shop = $1 AND o."orderId" = $2
      RETURNING ${orderRollupFacts("o")}
    ), "orderMoves" AS (
      SELECT buyer, at, "pointsRevenue", -1 AS sign FROM before
      UNION ALL SELECT buyer, at, "pointsRevenue", 1 FROM after
    ), "buyerMoves" AS (
      SELECT buyer, array_agg(at) FILTER (WHERE net > 0) AS added,
        array_agg(at) FILTER (WHERE net < 0) AS removed
      FROM (SELECT buyer, at, sum(sign) AS net FROM "orderMoves" WHERE buyer IS NOT NULL
            GROUP BY buyer, at HAVING sum(sign) <> 0) AS moved
      GROUP BY buyer
    ), "buyerRows" AS (
      INSERT INTO "Buyer" AS b (shop, buyer, member, "orderTimes", "lastAt", "previousAt")
      SELECT $1, m.buyer,
        EXISTS (SELECT 1 FROM "Member" WHERE shop = $1 AND "customerId" = m.buyer
                AND "redactedAt" IS NULL),
        a.times, a.times[1], a.times[2]
      FROM "buyerMoves" m,
        LATERAL (SELECT ${newestFirst("SELECT unnest(coalesce(m.added, '{}'))")} AS times) AS a
      ON CONFLICT (shop, buyer) DO UPDATE SET "orderTimes" = ${merged},
        "lastAt" = (${merged})[1], "previousAt" = (${merged})[2]
      RETURNING 1
    ), "orderDays" AS (
      INSERT INTO "OrderDay" AS d (shop, day, bucket, "pointsOrders", "pointsRevenue")
      SELECT $1, at::date, $3, sum(sign), sum(sign * "pointsRevenue")
      FROM "orderMoves" WHERE "pointsRevenue" IS NOT NULL
      GROUP BY at::date HAVING sum(sign) <> 0 OR sum(sign * "pointsRevenue") <> 0
      ON CONFLICT (shop, day, bucket) DO UPDATE SET
        "pointsOrders" = d."pointsOrders" + EXCLUDED."pointsOrders",
        "pointsRevenue" = d."pointsRevenue" + EXCLUDED."pointsRevenue"
      RETURNING 1
    )
    SELECT 1`;
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
