-- AlterTable
ALTER TABLE "Member" ADD COLUMN     "tierHandle" TEXT,
ADD COLUMN     "tierSince" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "TierChange" (
    "id" BIGSERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "fromHandle" TEXT,
    "toHandle" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "rewardedHandles" JSONB NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TierChange_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "TierChange_shop_memberId_id_idx" ON "TierChange"("shop", "memberId", "id");
