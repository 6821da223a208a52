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
