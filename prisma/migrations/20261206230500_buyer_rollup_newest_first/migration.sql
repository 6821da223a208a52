-- The rollups' move of one order, as before (20261122221846_dashboard_rollups), with two shortcuts
-- for what nearly every paid order is: its time is the buyer's newest, so it goes to the front of
-- the list without sorting it, and a row the buyer already has needs no member check; and an order
-- without points revenue before or after leaves OrderDay alone instead of running an upsert of no
-- rows. Together about a third of this function's time on the webhook path
-- (docs/decisions/007-webhook-path.md).
CREATE OR REPLACE FUNCTION "moveOrderInRollups"(
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
      -- The list is newest first, and lastAt its first time (null when empty).
      UPDATE "Buyer" b
      SET "orderTimes" = "toAt" || b."orderTimes", "lastAt" = "toAt", "previousAt" = b."lastAt"
      WHERE b."shop" = "forShop" AND b."buyer" = "toBuyer"
        AND (b."lastAt" IS NULL OR b."lastAt" <= "toAt");
      IF NOT FOUND THEN
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
  END IF;
  IF ("fromAt"::date, "fromRevenue") IS DISTINCT FROM ("toAt"::date, "toRevenue")
    AND ("fromRevenue" IS NOT NULL OR "toRevenue" IS NOT NULL) THEN
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
