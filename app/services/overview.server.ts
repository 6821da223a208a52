import type { Tx } from "~/db/client.server";
import { programConfig } from "./program.server";

export interface ProgramOverview {
  enabled: boolean;
  currency: string;
  members: number;
  pointsOutstanding: number;
}

/** The numbers on the admin home page; null before the shop's program row exists. */
export async function programOverview(
  tx: Tx,
  shop: string,
): Promise<ProgramOverview | null> {
  const config = await programConfig(tx, shop);
  if (!config) return null;
  const [totals] = await tx.query<{ members: number; outstanding: number }>(
    `SELECT count(*)::int AS members,
       coalesce(sum(available + pending + held), 0)::int AS outstanding
     FROM "Member" WHERE shop = $1`,
    [shop],
  );
  return {
    enabled: config.enabled,
    currency: config.currency,
    members: totals?.members ?? 0,
    pointsOutstanding: totals?.outstanding ?? 0,
  };
}
