// Redemption codes at Shopify after they are minted: deleted through the outbox once their points
// are back, and, for codes that ended unused, the sweep that gives the points back.
import { z } from "zod";
import type { SqlDatabase } from "~/db/sql.server";
import { log } from "~/logger.server";
import {
  AdminCallError,
  createAdminClient,
  type AdminClient,
  type AdminGraphqlApi,
} from "~/shopify/admin-client.server";
import {
  REDEMPTION_CODE_DELETE_MUTATION,
  REDEMPTION_CODE_LOOKUP_QUERY,
} from "~/shopify/admin-operations";
import type {
  LoyaltyRedemptionCodeDeleteMutationVariables,
  LoyaltyRedemptionCodeLookupQueryVariables,
} from "~/types/admin.generated";
import { enqueue, type NewOutboxJob } from "./outbox.server";
import { releaseHeld } from "./redemptions.server";

const lookupAnswer = z.object({
  codeDiscountNodeByCode: z
    .object({
      id: z.string(),
      codeDiscount: z
        .object({ asyncUsageCount: z.int().optional() })
        .nullable(),
    })
    .nullable(),
});

/** The code's discount at Shopify and how many orders used it; null when there is none. */
export async function lookUpRedemptionCode(
  admin: AdminClient,
  code: string,
): Promise<{ id: string; usageCount: number } | null> {
  const variables: LoyaltyRedemptionCodeLookupQueryVariables = { code };
  const answer = lookupAnswer.parse(
    await admin.query(REDEMPTION_CODE_LOOKUP_QUERY, variables),
  );
  const node = answer.codeDiscountNodeByCode;
  if (!node) return null;
  return { id: node.id, usageCount: node.codeDiscount?.asyncUsageCount ?? 0 };
}

const codeDeletePayloadSchema = z.object({ code: z.string().min(1).max(255) });

/** Deletes the code, found by its name: the job also covers a code whose id was never recorded. */
export function redemptionCodeDeleteJob(
  shop: string,
  code: string,
): NewOutboxJob {
  return {
    shop,
    kind: "REDEMPTION_CODE_DELETE",
    coalesceKey: `code:${code}`,
    payload: { code },
  };
}

/** A code already gone (deleted before, or never created) is done: deleting is idempotent. */
export async function sendRedemptionCodeDelete(
  admin: AdminClient,
  payload: unknown,
): Promise<void> {
  const { code } = codeDeletePayloadSchema.parse(payload);
  const found = await lookUpRedemptionCode(admin, code);
  if (!found) return;
  const variables: LoyaltyRedemptionCodeDeleteMutationVariables = {
    id: found.id,
  };
  await admin.mutate(
    REDEMPTION_CODE_DELETE_MUTATION,
    variables,
    "discountCodeDelete",
  );
}

export interface ExpirySweepOptions {
  sql: SqlDatabase;
  adminFor: (shop: string) => Promise<AdminGraphqlApi>;
  now: Date;
  /**
   * How long after a code ended its hold waits: an order placed with the code just before the end
   * may take this long to be counted as a use at Shopify.
   */
  graceMs?: number;
  limit?: number;
}

export interface ExpirySweepReport {
  released: number;
  /** Used by an order that is not paid yet: held until orders/paid or orders/cancelled. */
  stillInUse: number;
  /** Shopify could not be asked; tried again at the next sweep. */
  deferred: number;
}

export const DEFAULT_EXPIRY_GRACE_MS = 5 * 60_000;

/**
 * Holds whose code ended unused come back to the member. The code cannot be used any more (it
 * ended), so a code Shopify counts no use of will never post: its points are released and the
 * code deleted. A used code keeps its points held for its order. Idempotent, and catches up after
 * downtime: it works from what is still HELD.
 */
export async function releaseExpiredRedemptions(
  options: ExpirySweepOptions,
): Promise<ExpirySweepReport> {
  const report: ExpirySweepReport = { released: 0, stillInUse: 0, deferred: 0 };
  const due = await options.sql.query<{
    id: string;
    shop: string;
    code: string | null;
  }>(
    // Store credit has no code to end: its hold waits on Shopify's answer, never on a clock.
    `SELECT id, shop, code FROM "Redemption"
     WHERE status = 'HELD' AND "expiresAt" <= $1 AND kind = 'DISCOUNT_CODE'
     ORDER BY "expiresAt" LIMIT $2`,
    [
      new Date(
        options.now.getTime() - (options.graceMs ?? DEFAULT_EXPIRY_GRACE_MS),
      ),
      options.limit ?? 500,
    ],
  );
  const byShop = new Map<string, typeof due>();
  for (const row of due)
    byShop.set(row.shop, [...(byShop.get(row.shop) ?? []), row]);
  for (const [shop, rows] of byShop) {
    let admin: AdminClient;
    try {
      admin = createAdminClient({ shop, admin: await options.adminFor(shop) });
    } catch (error) {
      report.deferred += rows.length;
      log("warn", "expired redemptions deferred", {
        shop,
        error: String(error),
      });
      continue;
    }
    for (const row of rows) {
      try {
        const found = row.code
          ? await lookUpRedemptionCode(admin, row.code)
          : null;
        if (found && found.usageCount > 0) {
          report.stillInUse += 1;
          continue;
        }
        const released = await options.sql.transaction(async (tx) => {
          const changed = await releaseHeld(
            tx,
            shop,
            row.id,
            "EXPIRED",
            options.now,
          );
          if (changed && found && row.code)
            await enqueue(
              tx,
              redemptionCodeDeleteJob(shop, row.code),
              options.now,
            );
          return changed;
        });
        if (released) report.released += 1;
      } catch (error) {
        if (!(error instanceof AdminCallError)) throw error;
        report.deferred += 1;
        log("warn", "expired redemption deferred", {
          shop,
          redemptionId: row.id,
          error: error.message,
        });
      }
    }
  }
  return report;
}
