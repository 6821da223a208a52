-- CreateTable
CREATE TABLE "EngagementNotice" (
    "shop" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EngagementNotice_pkey" PRIMARY KEY ("shop","key")
);

-- CreateIndex
CREATE INDEX "EngagementNotice_shop_memberId_idx" ON "EngagementNotice"("shop", "memberId");
