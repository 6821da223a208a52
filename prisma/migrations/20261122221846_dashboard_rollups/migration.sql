-- DropIndex
DROP INDEX "OrderRecord_shop_processedAt_idx";

-- CreateTable
CREATE TABLE "Buyer" (
    "shop" TEXT NOT NULL,
    "buyer" TEXT NOT NULL,
    "member" BOOLEAN NOT NULL DEFAULT false,
    "orderTimes" TIMESTAMP(3)[] DEFAULT ARRAY[]::TIMESTAMP(3)[],
    "lastAt" TIMESTAMP(3),
    "previousAt" TIMESTAMP(3),

    CONSTRAINT "Buyer_pkey" PRIMARY KEY ("shop","buyer")
);

-- CreateTable
CREATE TABLE "OrderDay" (
    "shop" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "bucket" INTEGER NOT NULL,
    "pointsOrders" INTEGER NOT NULL DEFAULT 0,
    "pointsRevenue" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "OrderDay_pkey" PRIMARY KEY ("shop","day","bucket")
);

-- CreateIndex
CREATE INDEX "Buyer_shop_lastAt_previousAt_member_idx" ON "Buyer"("shop", "lastAt", "previousAt", "member");

-- CreateIndex
CREATE INDEX "Member_shop_tierHandle_redactedAt_available_pending_held_idx" ON "Member"("shop", "tierHandle", "redactedAt", "available", "pending", "held");

-- Backfill, as rebuildOrderRollups writes them: every buyer with counted orders and every member.
INSERT INTO "Buyer" ("shop", "buyer", "member", "orderTimes", "lastAt", "previousAt")
SELECT coalesce(b."shop", m."shop"), coalesce(b."buyer", m."customerId"),
  m."id" IS NOT NULL AND m."redactedAt" IS NULL,
  coalesce(b."times", ARRAY[]::TIMESTAMP(3)[]), b."times"[1], b."times"[2]
FROM (
  SELECT o."shop", coalesce(o."customerId", 'guest:' || o."guestEmail") AS "buyer",
    array_agg(o."processedAt" ORDER BY o."processedAt" DESC) AS "times"
  FROM "OrderRecord" o
  WHERE o."paidAt" IS NOT NULL AND o."cancelledAt" IS NULL AND o."processedAt" IS NOT NULL
    AND o."reason" IS DISTINCT FROM 'TEST_ORDER'
    AND (o."customerId" IS NOT NULL OR o."guestEmail" IS NOT NULL)
  GROUP BY 1, 2
) b
FULL JOIN "Member" m ON m."shop" = b."shop" AND m."customerId" = b."buyer";

INSERT INTO "OrderDay" ("shop", "day", "bucket", "pointsOrders", "pointsRevenue")
SELECT o."shop", o."processedAt"::date, 0, count(*), sum(coalesce(o."totalMinor", 0))
FROM "OrderRecord" o
WHERE o."paidAt" IS NOT NULL AND o."cancelledAt" IS NULL AND o."processedAt" IS NOT NULL
  AND o."pointsDiscountMinor" > 0
GROUP BY 1, 2;

-- Moves one order in the rollups, from the facts it had (from…) to those it has (to…): its time
-- leaves the old buyer's list and joins the new one's, its points revenue leaves the old day and
-- joins the new one. Called by the statement that updates the order (order-rollups.server.ts),
-- which computes both sets of facts. A function, not CTEs in that statement: PL/pgSQL keeps the
-- plans of its statements per connection, where a statement with the same CTEs cost the webhook
-- path about 4 ms of parsing and planning on every order. Each UPDATE and upsert applies the move
-- to the row as it is when locked, so concurrent orders of one buyer or day compose.
CREATE FUNCTION "moveOrderInRollups"(
  "forShop" TEXT, "forBucket" INTEGER,
  "fromBuyer" TEXT, "fromAt" TIMESTAMP(3), "fromRevenue" BIGINT,
  "toBuyer" TEXT, "toAt" TIMESTAMP(3), "toRevenue" BIGINT
) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
  IF ("fromBuyer", "fromAt") IS DISTINCT FROM ("toBuyer", "toAt") THEN
    IF "fromBuyer" IS NOT NULL THEN
      -- One instance of the time goes: a buyer can have two orders at the same millisecond.
      UPDATE "Buyer" b SET ("orderTimes", "lastAt", "previousAt") = (
        SELECT t, t[1], t[2] FROM (
          SELECT b."orderTimes"[:array_position(b."orderTimes", "fromAt") - 1]
            || b."orderTimes"[array_position(b."orderTimes", "fromAt") + 1:] AS t
        ) AS kept)
      WHERE b."shop" = "forShop" AND b."buyer" = "fromBuyer" AND "fromAt" = ANY (b."orderTimes");
    END IF;
    IF "toBuyer" IS NOT NULL THEN
      INSERT INTO "Buyer" AS b ("shop", "buyer", "member", "orderTimes", "lastAt")
      VALUES ("forShop", "toBuyer",
        EXISTS (SELECT 1 FROM "Member" m WHERE m."shop" = "forShop" AND m."customerId" = "toBuyer"
                AND m."redactedAt" IS NULL),
        ARRAY["toAt"], "toAt")
      ON CONFLICT ("shop", "buyer") DO UPDATE SET ("orderTimes", "lastAt", "previousAt") = (
        SELECT t, t[1], t[2] FROM (
          SELECT array(SELECT x FROM unnest(b."orderTimes" || "toAt") AS x ORDER BY x DESC) AS t
        ) AS merged);
    END IF;
  END IF;
  IF ("fromAt"::date, "fromRevenue") IS DISTINCT FROM ("toAt"::date, "toRevenue") THEN
    INSERT INTO "OrderDay" AS d ("shop", "day", "bucket", "pointsOrders", "pointsRevenue")
    SELECT "forShop", v."day", "forBucket", sum(v."orders"), sum(v."revenue")
    FROM (VALUES ("fromAt"::date, -1, -"fromRevenue"), ("toAt"::date, 1, "toRevenue"))
      AS v("day", "orders", "revenue")
    WHERE v."revenue" IS NOT NULL
    GROUP BY v."day"
    ON CONFLICT ("shop", "day", "bucket") DO UPDATE SET
      "pointsOrders" = d."pointsOrders" + EXCLUDED."pointsOrders",
      "pointsRevenue" = d."pointsRevenue" + EXCLUDED."pointsRevenue";
  END IF;
END $$;
