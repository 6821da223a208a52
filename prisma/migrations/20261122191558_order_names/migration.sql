-- AlterTable
ALTER TABLE "OrderRecord" ADD COLUMN     "name" TEXT;
