-- CreateTable
CREATE TABLE "OrderRecord" (
    "shop" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "customerId" TEXT,
    "memberId" TEXT,
    "guestEmail" TEXT,
    "currency" TEXT,
    "outcome" TEXT NOT NULL,
    "reason" TEXT,
    "points" INTEGER,
    "snapshot" JSONB,
    "lineBases" JSONB,
    "processedAt" TIMESTAMP(3),
    "paidAt" TIMESTAMP(3),
    "cancelledAt" TIMESTAMP(3),
    "cancelApplied" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OrderRecord_pkey" PRIMARY KEY ("shop","orderId")
);

-- CreateTable
CREATE TABLE "RefundRecord" (
    "shop" TEXT NOT NULL,
    "refundId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "lines" JSONB NOT NULL,
    "moneyRefunded" BOOLEAN NOT NULL,
    "refundedAt" TIMESTAMP(3) NOT NULL,
    "clawedBack" INTEGER,
    "appliedAt" TIMESTAMP(3),
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RefundRecord_pkey" PRIMARY KEY ("shop","refundId")
);

-- CreateTable
CREATE TABLE "DeadLetter" (
    "id" BIGSERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "webhookId" TEXT NOT NULL,
    "eventId" TEXT,
    "apiVersion" TEXT,
    "rawBody" TEXT NOT NULL,
    "error" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "replayedAt" TIMESTAMP(3),

    CONSTRAINT "DeadLetter_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "OrderRecord_shop_guestEmail_idx" ON "OrderRecord"("shop", "guestEmail");

-- CreateIndex
CREATE INDEX "OrderRecord_shop_memberId_idx" ON "OrderRecord"("shop", "memberId");

-- CreateIndex
CREATE INDEX "OrderRecord_shop_outcome_reason_idx" ON "OrderRecord"("shop", "outcome", "reason");

-- CreateIndex
CREATE INDEX "RefundRecord_shop_orderId_idx" ON "RefundRecord"("shop", "orderId");

-- CreateIndex
CREATE INDEX "DeadLetter_shop_replayedAt_idx" ON "DeadLetter"("shop", "replayedAt");

-- CreateIndex
CREATE UNIQUE INDEX "DeadLetter_shop_webhookId_key" ON "DeadLetter"("shop", "webhookId");
