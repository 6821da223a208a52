-- AlterTable
ALTER TABLE "Member" ADD COLUMN     "ledgerVersion" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "OrderRecord" ADD COLUMN     "refundsWaiting" BOOLEAN NOT NULL DEFAULT false;
