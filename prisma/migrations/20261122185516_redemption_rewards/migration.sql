-- AlterTable
ALTER TABLE "Redemption" ADD COLUMN     "checkoutToken" TEXT,
ADD COLUMN     "orderId" TEXT,
ADD COLUMN     "orderLines" JSONB,
ADD COLUMN     "releaseReason" TEXT,
ADD COLUMN     "rewardId" TEXT,
ADD COLUMN     "surface" TEXT NOT NULL DEFAULT 'checkout',
ADD COLUMN     "value" JSONB;

-- CreateIndex
CREATE INDEX "Redemption_shop_code_idx" ON "Redemption"("shop", "code");

-- CreateIndex
CREATE INDEX "Redemption_shop_orderId_idx" ON "Redemption"("shop", "orderId");
