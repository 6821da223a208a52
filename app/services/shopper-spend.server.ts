// What a shopper spending their own points shares, whatever the points become (a discount code or
// store credit): the points are held in one transaction and Shopify is asked outside any, with a
// shopper waiting on the answer.
import type { Tx } from "~/db/client.server";
import type { SqlDatabase } from "~/db/sql.server";
import { log } from "~/logger.server";
import {
  AdminCallError,
  createAdminClient,
  type AdminClient,
  type AdminGraphqlApi,
} from "~/shopify/admin-client.server";
import type { MemberRef } from "./ledger.server";
import { holdPoints, type HoldRequest } from "./redemptions.server";
import type { TierCreditColumns } from "./tiers.server";

export interface ShopperSpendDependencies {
  sql: SqlDatabase;
  adminFor: (shop: string) => Promise<AdminGraphqlApi>;
}

// A shopper is waiting: a bucket this empty or a Shopify this slow is reported, not waited out.
export const SHOPPER_MAX_WAIT_MS = 2_000;
export const SHOPPER_TIMEOUT_MS = 8_000;

export async function shopperAdmin(
  deps: ShopperSpendDependencies,
  shop: string,
): Promise<AdminClient> {
  return createAdminClient({
    shop,
    admin: await deps.adminFor(shop),
    maxWaitMs: SHOPPER_MAX_WAIT_MS,
    timeoutMs: SHOPPER_TIMEOUT_MS,
  });
}

export type NotEnoughPoints = {
  ok: false;
  code: "INSUFFICIENT_POINTS";
  available: number;
};

/**
 * How spending ends, whatever the points become: what was `Made` (again, for a repeated key), or
 * why not: the refusals every way of spending shares, and its own `Code`s.
 */
export type SpendOutcome<Made extends object, Code extends string> =
  | ({ ok: true; replayed: boolean } & Made)
  | { ok: false; code: "PROGRAM_NOT_FOUND" | "PROGRAM_DISABLED" | Code }
  | NotEnoughPoints;

/**
 * Logs a Shopify call for a redemption that failed, and hands the error back to be answered;
 * anything but a failed call is a bug, and is thrown on.
 */
export function shopifyFailure(
  thrown: unknown,
  message: string,
  context: { shop: string; redemptionId: string },
): AdminCallError {
  if (!(thrown instanceof AdminCallError)) throw thrown;
  log("warn", message, { ...context, error: thrown.message });
  return thrown;
}

/**
 * The first transaction's answer: an outcome the shopper gets at once, or a held redemption for
 * the second phase to take to Shopify (`replayed` when an earlier request with the key held it).
 */
export type Prepared<Outcome, Held> =
  { outcome: Outcome } | (Held & { replayed: boolean });

export interface SpendingMember extends TierCreditColumns {
  id: string;
  available: number;
  tierHandle: string | null;
  lifetimeEarned: number;
}

/** The shopper's member row; an erased member spends nothing, as if they had never joined. */
export async function spendingMember(
  tx: Tx,
  shop: string,
  customerId: string,
): Promise<SpendingMember | undefined> {
  const [member] = await tx.query<SpendingMember>(
    `SELECT id, available, "tierHandle", "tierCreditHandle", "tierCreditUntil", "lifetimeEarned"
     FROM "Member"
     WHERE shop = $1 AND "customerId" = $2 AND "redactedAt" IS NULL`,
    [shop, customerId],
  );
  return member;
}

/**
 * Holds the points and reads back the redemption the hold wrote, or the one an earlier request
 * with the same key wrote.
 */
export async function holdRedemption<Row>(
  tx: Tx,
  member: MemberRef,
  hold: HoldRequest,
  readRow: (redemptionId: string) => Promise<Row | undefined>,
): Promise<{ outcome: NotEnoughPoints } | { row: Row; replayed: boolean }> {
  const held = await holdPoints(tx, member, hold);
  if (!held.ok)
    return {
      outcome: {
        ok: false,
        code: "INSUFFICIENT_POINTS",
        available: held.available,
      },
    };
  const row = await readRow(held.redemptionId);
  if (!row) throw new Error(`redemption ${held.redemptionId} vanished`);
  return { row, replayed: held.replayed };
}
