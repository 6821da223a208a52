-- AlterTable
ALTER TABLE "Member" ADD COLUMN     "tierCreditHandle" TEXT,
ADD COLUMN     "tierCreditUntil" TIMESTAMP(3);
