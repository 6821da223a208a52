import type { PrismaClient } from "@prisma/client";

interface Column {
  table_name: string;
  column_name: string;
}

/** Every (table, text-like column) of the app's schema, Prisma's history table aside. */
async function textColumns(prisma: PrismaClient): Promise<Column[]> {
  return prisma.$queryRaw<Column[]>`
    SELECT table_name, column_name FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
      AND data_type IN ('text', 'character varying', 'jsonb', 'json')`;
}

/** The places where `needle` appears anywhere in the database, as "Table.column". */
export async function findTextAnywhere(
  prisma: PrismaClient,
  needle: string,
): Promise<string[]> {
  const hits: string[] = [];
  for (const { table_name, column_name } of await textColumns(prisma)) {
    const rows = await prisma.$queryRawUnsafe<{ n: bigint }[]>(
      `SELECT count(*) AS n FROM "${table_name}" WHERE "${column_name}"::text ILIKE $1`,
      `%${needle}%`,
    );
    if ((rows[0]?.n ?? 0n) > 0n) hits.push(`${table_name}.${column_name}`);
  }
  return hits;
}

/** Row counts per table for rows whose `shop` column is `shop`. */
export async function rowsOfShop(
  prisma: PrismaClient,
  shop: string,
): Promise<Record<string, number>> {
  const tables = await prisma.$queryRaw<{ table_name: string }[]>`
    SELECT table_name FROM information_schema.columns
    WHERE table_schema = 'public' AND column_name = 'shop'`;
  const counts: Record<string, number> = {};
  for (const { table_name } of tables) {
    const rows = await prisma.$queryRawUnsafe<{ n: bigint }[]>(
      `SELECT count(*) AS n FROM "${table_name}" WHERE shop = $1`,
      shop,
    );
    counts[table_name] = Number(rows[0]?.n ?? 0n);
  }
  return counts;
}
