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
  const [members, totals] = await Promise.all([
    tx.member.count({ where: { shop } }),
    tx.member.aggregate({
      where: { shop },
      _sum: { available: true, pending: true, held: true },
    }),
  ]);
  const sum = totals._sum;
  return {
    enabled: config.enabled,
    currency: config.currency,
    members,
    pointsOutstanding:
      (sum.available ?? 0) + (sum.pending ?? 0) + (sum.held ?? 0),
  };
}
