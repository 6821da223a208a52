import type { Tx } from "~/db/client.server";
import {
  freshness,
  lockedStateFrom,
  lotSelectionParameter,
  rereadLockedState,
  selectedLotsJson,
  type LockedState,
  type LotJson,
  type MemberRef,
} from "./ledger.server";
import type { Balances } from "~/loyalty/ledger";
import type { TierCredit } from "~/loyalty/tiers";
import { tierCreditOf, type TierCreditColumns } from "./tiers.server";

export interface CustomerProfile {
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
}

/**
 * Inserts the member or refreshes the given profile fields (not on a redacted member, which stays
 * anonymous). Either way the row is locked until the transaction ends. A new member's Buyer row
 * (order-rollups.server.ts) says member from now on, so what they bought before joining counts as
 * a member's on the dashboard. An upsert, not an update: an order of the same customer inserting
 * its Buyer row concurrently makes one wait for the other, so neither misses the other's row.
 * The CTE `member`; parameters $1–$8.
 */
const upsertMember = `member AS (
    INSERT INTO "Member" (id, shop, "customerId", email, "firstName", "lastName", "updatedAt")
    VALUES (gen_random_uuid()::text, $1, $2, $3, $4, $5, now())
    ON CONFLICT (shop, "customerId") DO UPDATE SET
      email = CASE WHEN "Member"."redactedAt" IS NULL AND $6 THEN EXCLUDED.email ELSE "Member".email END,
      "firstName" = CASE WHEN "Member"."redactedAt" IS NULL AND $7 THEN EXCLUDED."firstName" ELSE "Member"."firstName" END,
      "lastName" = CASE WHEN "Member"."redactedAt" IS NULL AND $8 THEN EXCLUDED."lastName" ELSE "Member"."lastName" END,
      "updatedAt" = now()
    RETURNING shop, id, "redactedAt", "tierHandle", "tierCreditHandle", "tierCreditUntil",
      available, pending, held, "lifetimeEarned", "ledgerVersion", xmax = 0 AS created
  ), "memberBuyer" AS (
    INSERT INTO "Buyer" (shop, buyer, member) SELECT $1, $2, true FROM member WHERE created
    ON CONFLICT (shop, buyer) DO UPDATE SET member = true
  )`;

function upsertParameters(
  shop: string,
  customerId: string,
  profile: CustomerProfile,
) {
  const given = (field: keyof CustomerProfile) => profile[field] !== undefined;
  return [
    shop,
    customerId,
    profile.email ?? null,
    profile.firstName ?? null,
    profile.lastName ?? null,
    given("email"),
    given("firstName"),
    given("lastName"),
  ];
}

export type EnsuredMember = MemberRef & {
  redacted: boolean;
  tierHandle: string | null;
  tierCredit: TierCredit | null;
};

/** The member for a Shopify customer, created on first sight. */
export async function ensureMember(
  tx: Tx,
  shop: string,
  customerId: string,
  profile: CustomerProfile = {},
): Promise<EnsuredMember> {
  const [row] = await tx.query<
    TierCreditColumns & {
      id: string;
      redactedAt: Date | null;
      tierHandle: string | null;
    }
  >(
    `WITH ${upsertMember}
     SELECT id, "redactedAt", "tierHandle", "tierCreditHandle", "tierCreditUntil" FROM member`,
    upsertParameters(shop, customerId, profile),
  );
  if (!row) throw new Error(`could not record member ${customerId} of ${shop}`);
  return {
    shop,
    memberId: row.id,
    redacted: row.redactedAt !== null,
    tierHandle: row.tierHandle,
    tierCredit: tierCreditOf(row),
  };
}

/**
 * `ensureMember` and the ledger's lock-and-read in one statement, for a caller about to earn
 * with `writeLockedLedger` (the webhook path): the upsert locks the row, and the same statement
 * reads the balances, the lots due at `now` (an earn's `LotSelection`) and whether `key` is
 * already used.
 */
export async function ensureMemberLocked(
  tx: Tx,
  shop: string,
  customerId: string,
  profile: CustomerProfile,
  key: string,
  now: Date,
): Promise<{ member: EnsuredMember; locked: LockedState }> {
  const lots = { kind: "due", at: now } as const;
  const [row] = await tx.query<
    Balances &
      TierCreditColumns & {
        id: string;
        redactedAt: Date | null;
        tierHandle: string | null;
        lots: LotJson[] | null;
        keyTaken: boolean;
        fresh: boolean;
      }
  >(
    `WITH ${upsertMember}
     SELECT member.id, member."redactedAt", member."tierHandle", member."tierCreditHandle",
       member."tierCreditUntil", member.available, member.pending, member.held,
       member."lifetimeEarned", ${selectedLotsJson("member", lots.kind, "$10")} AS lots,
       EXISTS (SELECT 1 FROM "LedgerEntry" WHERE shop = $1 AND "idempotencyKey" = $9) AS "keyTaken",
       ${freshness("member", `shop = $1 AND "customerId" = $2`)} AS fresh
     FROM member`,
    [
      ...upsertParameters(shop, customerId, profile),
      key,
      lotSelectionParameter(lots),
    ],
  );
  if (!row) throw new Error(`could not record member ${customerId} of ${shop}`);
  const member = {
    shop,
    memberId: row.id,
    redacted: row.redactedAt !== null,
    tierHandle: row.tierHandle,
    tierCredit: tierCreditOf(row),
  };
  return {
    member,
    locked: row.fresh
      ? lockedStateFrom(row)
      : await rereadLockedState(tx, member, lots, key),
  };
}
