import type { PrismaClient } from "@prisma/client";
import type { Tx } from "~/db/client.server";
import {
  customersDataRequestPayload,
  customersRedactPayload,
  shopRedactPayload,
} from "~/shopify/webhook-payloads";
import type { TopicHandler } from "./webhook-runner.server";
import { normaliseEmail } from "./accrual.server";

async function recordRequest(
  tx: Tx,
  shop: string,
  topic: string,
  customerId: string,
  detail: Record<string, unknown>,
) {
  await tx.query(
    `INSERT INTO "ComplianceRequest" (shop, topic, "customerId", detail) VALUES ($1, $2, $3, $4)`,
    [shop, topic, customerId, detail],
  );
}

/** Recorded as the merchant's evidence; the member's data is then exportable (exportMemberData). */
export const customersDataRequest: TopicHandler<
  typeof customersDataRequestPayload
> = {
  topic: "CUSTOMERS_DATA_REQUEST",
  payload: customersDataRequestPayload,
  async handle(tx, { shop, topic, payload }) {
    await recordRequest(tx, shop, topic, payload.customer.id, {
      dataRequestId: payload.data_request.id,
      ordersRequested: payload.orders_requested,
    });
    return { status: "applied" };
  },
};

/** Anonymises the member: personal fields are cleared, the ledger's arithmetic is kept. */
export const customersRedact: TopicHandler<typeof customersRedactPayload> = {
  topic: "CUSTOMERS_REDACT",
  payload: customersRedactPayload,
  async handle(tx, { shop, topic, payload, triggeredAt }) {
    await recordRequest(tx, shop, topic, payload.customer.id, {
      ordersToRedact: payload.orders_to_redact,
    });
    // The dashboard counts their orders as a buyer's who is not a member from now on.
    const redacted = await tx.query(
      `WITH redacted AS (
         UPDATE "Member" SET email = NULL, "firstName" = NULL, "lastName" = NULL, birthday = NULL,
           "redactedAt" = $3, "updatedAt" = now()
         WHERE shop = $1 AND "customerId" = $2
         RETURNING id
       ), buyer AS (
         UPDATE "Buyer" SET member = false WHERE shop = $1 AND buyer = $2
       )
       SELECT id FROM redacted`,
      [shop, payload.customer.id, triggeredAt ?? new Date()],
    );
    // A digest, but of where the shopper lives: it goes with the rest.
    await tx.query(
      `UPDATE "OrderRecord" SET "shippingAddressHash" = NULL WHERE shop = $1 AND "customerId" = $2`,
      [shop, payload.customer.id],
    );
    await forgetContactDetails(tx, shop, [
      payload.customer.email,
      payload.customer.phone,
    ]);
    return redacted.length > 0
      ? { status: "applied" }
      : { status: "ignored", reason: "NOT_A_MEMBER" };
  },
};

/**
 * Other places the shopper's contact details can sit: guest orders kept for matching, and stored
 * deliveries the app could not read (their raw bodies are whole payloads).
 */
async function forgetContactDetails(
  tx: Tx,
  shop: string,
  details: (string | null | undefined)[],
) {
  for (const detail of details) {
    if (!detail) continue;
    // Those orders lose their buyer, so the guest's row of the dashboard's rollup goes, e-mail
    // and all. It is found by its key, not through the orders: a guest order already granted to
    // a new account no longer names the e-mail, but its emptied row still does.
    await tx.query(
      `WITH buyer AS (
         DELETE FROM "Buyer" WHERE shop = $1 AND buyer = 'guest:' || $3
       )
       UPDATE "OrderRecord" SET "guestEmail" = NULL WHERE shop = $1 AND lower("guestEmail") = lower($2)`,
      [shop, detail, normaliseEmail(detail)],
    );
    await tx.query(
      `DELETE FROM "DeadLetter" WHERE shop = $1 AND strpos(lower("rawBody"), lower($2)) > 0`,
      [shop, detail],
    );
  }
}

/** Everything of the shop goes, the ledger included: the merchant has left and asked for erasure. */
export const shopRedact: TopicHandler<typeof shopRedactPayload> = {
  topic: "SHOP_REDACT",
  payload: shopRedactPayload,
  async handle(tx, { shop }) {
    // Children before parents: ledger entries and redemptions reference members.
    for (const table of [
      "LotAllocation",
      "Lot",
      "LedgerEntry",
      "LedgerDay",
      "Redemption",
      "Referral",
      "RefundRecord",
      "OrderRecord",
      "Buyer",
      "OrderDay",
      "DeadLetter",
      "TierChange",
      "Member",
      "OutboxJob",
      "ComplianceRequest",
      "BalanceImport",
      "EngagementNotice",
      "WebhookEvent",
      "Session",
      "Shop",
    ]) {
      await tx.query(`DELETE FROM "${table}" WHERE shop = $1`, [shop]);
    }
    return { status: "applied" };
  },
};

export interface MemberDataExport {
  shop: string;
  customerId: string;
  exportedAt: string;
  member: {
    email: string | null;
    firstName: string | null;
    lastName: string | null;
    birthday: string | null;
    joinedAt: string;
    redactedAt: string | null;
    points: {
      available: number;
      pending: number;
      held: number;
      lifetimeEarned: number;
    };
    /** The tier held now, and a tier carried over from another app by an import. */
    tier: {
      handle: string | null;
      since: string | null;
      credit: { handle: string; until: string | null } | null;
    };
  };
  tierChanges: {
    from: string | null;
    to: string;
    reason: string;
    at: string;
  }[];
  ledger: {
    kind: string;
    points: number;
    reason: string | null;
    orderId: string | null;
    refundId: string | null;
    redemptionId: string | null;
    occurredAt: string;
  }[];
  redemptions: {
    status: string;
    points: number;
    valueMinor: string;
    currency: string;
    createdAt: string;
  }[];
}

/** Everything the program holds about one shopper, as answered to a customers/data_request. */
export async function exportMemberData(
  prisma: PrismaClient,
  shop: string,
  customerId: string,
  now: Date,
): Promise<MemberDataExport | null> {
  const member = await prisma.member.findUnique({
    where: { shop_customerId: { shop, customerId } },
    include: {
      entries: { orderBy: { id: "asc" } },
      redemptions: { orderBy: { createdAt: "asc" } },
    },
  });
  if (!member) return null;
  const tierChanges = await prisma.tierChange.findMany({
    where: { shop, memberId: member.id },
    orderBy: { id: "asc" },
  });
  return {
    shop,
    customerId,
    exportedAt: now.toISOString(),
    member: {
      email: member.email,
      firstName: member.firstName,
      lastName: member.lastName,
      birthday: member.birthday,
      joinedAt: member.createdAt.toISOString(),
      redactedAt: member.redactedAt?.toISOString() ?? null,
      points: {
        available: member.available,
        pending: member.pending,
        held: member.held,
        lifetimeEarned: member.lifetimeEarned,
      },
      tier: {
        handle: member.tierHandle,
        since: member.tierSince?.toISOString() ?? null,
        credit:
          member.tierCreditHandle === null
            ? null
            : {
                handle: member.tierCreditHandle,
                until: member.tierCreditUntil?.toISOString() ?? null,
              },
      },
    },
    tierChanges: tierChanges.map((change) => ({
      from: change.fromHandle,
      to: change.toHandle,
      reason: change.reason,
      at: change.at.toISOString(),
    })),
    ledger: member.entries.map((entry) => ({
      kind: entry.kind,
      points: entry.points,
      reason: entry.reason,
      orderId: entry.orderId,
      refundId: entry.refundId,
      redemptionId: entry.redemptionId,
      occurredAt: entry.occurredAt.toISOString(),
    })),
    redemptions: member.redemptions.map((redemption) => ({
      status: redemption.status,
      points: redemption.points,
      valueMinor: redemption.valueMinor.toString(),
      currency: redemption.currency,
      createdAt: redemption.createdAt.toISOString(),
    })),
  };
}
