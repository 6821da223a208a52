-- AlterTable
ALTER TABLE "Member" ADD COLUMN     "referralCode" TEXT;

-- AlterTable
ALTER TABLE "OrderRecord" ADD COLUMN     "shippingAddressHash" TEXT,
ADD COLUMN     "spentMinor" INTEGER;

-- AlterTable
ALTER TABLE "Redemption" ADD COLUMN     "creditSentAt" TIMESTAMP(3),
ADD COLUMN     "creditTransactionId" TEXT,
ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'DISCOUNT_CODE';

-- CreateTable
CREATE TABLE "Referral" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "advocateId" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "orderName" TEXT,
    "friendCustomerId" TEXT,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "points" INTEGER NOT NULL,
    "orderedAt" TIMESTAMP(3) NOT NULL,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "settledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Referral_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Referral_shop_status_dueAt_idx" ON "Referral"("shop", "status", "dueAt");

-- CreateIndex
CREATE INDEX "Referral_shop_advocateId_orderedAt_idx" ON "Referral"("shop", "advocateId", "orderedAt");

-- CreateIndex
CREATE INDEX "Referral_shop_createdAt_idx" ON "Referral"("shop", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Referral_shop_orderId_key" ON "Referral"("shop", "orderId");

-- CreateIndex
CREATE UNIQUE INDEX "Member_shop_referralCode_key" ON "Member"("shop", "referralCode");

-- CreateIndex
CREATE INDEX "OrderRecord_shop_customerId_idx" ON "OrderRecord"("shop", "customerId");
