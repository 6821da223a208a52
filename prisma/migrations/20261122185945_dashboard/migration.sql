-- AlterTable
ALTER TABLE "OrderRecord" ADD COLUMN     "pointsDiscountMinor" BIGINT,
ADD COLUMN     "totalMinor" BIGINT;

-- CreateTable
CREATE TABLE "LedgerDay" (
    "shop" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "bucket" INTEGER NOT NULL,
    "earned" BIGINT NOT NULL DEFAULT 0,
    "adjustedIn" BIGINT NOT NULL DEFAULT 0,
    "adjustedOut" BIGINT NOT NULL DEFAULT 0,
    "reversed" BIGINT NOT NULL DEFAULT 0,
    "redeemed" BIGINT NOT NULL DEFAULT 0,
    "expired" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "LedgerDay_pkey" PRIMARY KEY ("shop","day","bucket")
);

-- CreateIndex
CREATE INDEX "OrderRecord_shop_processedAt_idx" ON "OrderRecord"("shop", "processedAt");

-- CreateIndex
CREATE INDEX "WebhookEvent_shop_topic_receivedAt_idx" ON "WebhookEvent"("shop", "topic", "receivedAt");

-- Backfill: the days of the entries written before the table existed (bucket 0).
INSERT INTO "LedgerDay" ("shop", "day", "bucket", "earned", "adjustedIn", "adjustedOut", "reversed", "redeemed", "expired")
SELECT e."shop", e."occurredAt"::date, 0,
  sum(CASE WHEN e."kind" = 'EARN' THEN e."points" ELSE 0 END),
  sum(CASE WHEN e."kind" = 'ADJUSTMENT' AND e."points" > 0 THEN e."points" ELSE 0 END),
  sum(CASE WHEN e."kind" = 'ADJUSTMENT' AND e."points" < 0 THEN -e."points" ELSE 0 END),
  sum(CASE WHEN e."kind" = 'EARN_REVERSAL' THEN -e."points" ELSE 0 END),
  sum(CASE WHEN e."kind" = 'REDEMPTION_POST' THEN -e."points" ELSE 0 END),
  sum(CASE WHEN e."kind" = 'EXPIRY' THEN -e."points" ELSE 0 END)
FROM "LedgerEntry" e
WHERE e."kind" IN ('EARN', 'ADJUSTMENT', 'EARN_REVERSAL', 'REDEMPTION_POST', 'EXPIRY')
GROUP BY e."shop", e."occurredAt"::date;
