import type { Tx } from "~/db/client.server";
import {
  applyWrite,
  settleDue,
  type Balances,
  type MemberLedgerState,
} from "~/loyalty/ledger";
import { lotFromJson, type LotJson } from "./ledger.server";
import { programConfig } from "./program.server";

export interface MemberSummary {
  points: Balances;
  // Tiers are computed in a later issue; the field is already part of the extensions' contract.
  tier: null;
  currency: string;
}

const ZERO_POINTS: Balances = {
  available: 0,
  pending: 0,
  held: 0,
  lifetimeEarned: 0,
};

/**
 * What a shopper sees of their points at checkout and in their account. Read-only: a shopper who
 * is not a member yet (or whose data was redacted) sees zeros and no member is created. Null when
 * the shop has no program row.
 *
 * The cached balances only move when something is written, so lots that have matured or expired
 * since the member's last write are settled here in memory as of `now`: the shopper is shown what
 * a hold made now could spend, without this read taking the member's lock or writing entries.
 */
export async function memberSummary(
  tx: Tx,
  shop: string,
  customerId: string,
  now: Date = new Date(),
): Promise<MemberSummary | null> {
  const config = await programConfig(tx, shop);
  if (!config) return null;
  const summary = (points: Balances): MemberSummary => ({
    points,
    tier: null,
    currency: config.currency,
  });

  const [member] = await tx.query<
    Balances & { redactedAt: Date | null; lots: LotJson[] | null }
  >(
    `SELECT m."redactedAt", m.available, m.pending, m.held, m."lifetimeEarned",
       (SELECT json_agg(l) FROM (
          SELECT "lotKey", source, points, remaining, reversed, "earnedAt", "availableAt",
                 "expiresAt", matured, expired
          FROM "Lot" WHERE shop = m.shop AND "memberId" = m.id AND (remaining > 0 OR NOT matured)
        ) l) AS lots
     FROM "Member" m WHERE m.shop = $1 AND m."customerId" = $2`,
    [shop, customerId],
  );
  // A redacted member's entries stay for the arithmetic, but the shopper is no longer linked to them.
  if (!member || member.redactedAt !== null) return summary(ZERO_POINTS);

  const state: MemberLedgerState = {
    balances: {
      available: member.available,
      pending: member.pending,
      held: member.held,
      lifetimeEarned: member.lifetimeEarned,
    },
    lots: (member.lots ?? []).map(lotFromJson),
  };
  return summary(applyWrite(state, settleDue(state, now)).balances);
}
