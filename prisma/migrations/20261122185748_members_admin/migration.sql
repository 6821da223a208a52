-- CreateTable
CREATE TABLE "BalanceImport" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "requestKey" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "fileHash" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "total" INTEGER NOT NULL,
    "done" INTEGER NOT NULL DEFAULT 0,
    "created" INTEGER NOT NULL DEFAULT 0,
    "updated" INTEGER NOT NULL DEFAULT 0,
    "pointsAdded" INTEGER NOT NULL DEFAULT 0,
    "problems" JSONB NOT NULL DEFAULT '[]',
    "rows" JSONB,
    "error" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "BalanceImport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "BalanceImport_shop_startedAt_idx" ON "BalanceImport"("shop", "startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "BalanceImport_shop_requestKey_key" ON "BalanceImport"("shop", "requestKey");

-- CreateIndex
CREATE INDEX "Member_shop_available_id_idx" ON "Member"("shop", "available", "id");

-- CreateIndex
CREATE INDEX "Member_shop_lifetimeEarned_id_idx" ON "Member"("shop", "lifetimeEarned", "id");

-- Expression indexes (Prisma's schema cannot state them, and its diff leaves them alone): the
-- members list sorts by lowercased name and e-mail with keyset pagination, and the balance import
-- matches members by lowercased e-mail. The expressions must stay identical to those in
-- app/services/member-directory.server.ts for the planner to use them.
CREATE INDEX "Member_shop_email_sort_idx" ON "Member"("shop", lower(coalesce("email", '')), "id");
CREATE INDEX "Member_shop_name_sort_idx" ON "Member"("shop", lower(coalesce("firstName", '') || ' ' || coalesce("lastName", '')), "id");
