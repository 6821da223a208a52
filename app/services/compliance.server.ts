import {
  customersDataRequestPayload,
  customersRedactPayload,
  shopRedactPayload,
} from "~/shopify/webhook-payloads";
import type { Tx } from "~/db/client.server";
import type { TopicHandler } from "./webhook-runner.server";

export const customersDataRequest: TopicHandler<
  typeof customersDataRequestPayload
> = {
  topic: "CUSTOMERS_DATA_REQUEST",
  payload: customersDataRequestPayload,
  async handle(tx, { shop, topic, payload }) {
    await tx.complianceRequest.create({
      data: {
        shop,
        topic,
        customerId: payload.customer.id,
        detail: {
          dataRequestId: payload.data_request.id,
          ordersRequested: payload.orders_requested,
        },
      },
    });
    return { status: "applied" };
  },
};

/** Anonymises the member: personal fields are cleared, the ledger's arithmetic is kept. */
export const customersRedact: TopicHandler<typeof customersRedactPayload> = {
  topic: "CUSTOMERS_REDACT",
  payload: customersRedactPayload,
  async handle(tx, { shop, topic, payload, triggeredAt }) {
    await tx.complianceRequest.create({
      data: {
        shop,
        topic,
        customerId: payload.customer.id,
        detail: { ordersToRedact: payload.orders_to_redact },
      },
    });
    const redacted = await tx.member.updateMany({
      where: { shop, customerId: payload.customer.id },
      data: {
        email: null,
        firstName: null,
        lastName: null,
        birthday: null,
        redactedAt: triggeredAt ?? new Date(),
      },
    });
    await forgetContactDetails(tx, shop, [
      payload.customer.email,
      payload.customer.phone,
    ]);
    return redacted.count > 0
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
    await tx.orderRecord.updateMany({
      where: { shop, guestEmail: { equals: detail, mode: "insensitive" } },
      data: { guestEmail: null },
    });
    await tx.deadLetter.deleteMany({
      where: { shop, rawBody: { contains: detail, mode: "insensitive" } },
    });
  }
}

/** Everything of the shop goes, the ledger included: the merchant has left and asked for erasure. */
export const shopRedact: TopicHandler<typeof shopRedactPayload> = {
  topic: "SHOP_REDACT",
  payload: shopRedactPayload,
  async handle(tx, { shop }) {
    await deleteShopData(tx, shop);
    return { status: "applied" };
  },
};

async function deleteShopData(tx: Tx, shop: string): Promise<void> {
  const where = { where: { shop } };
  // Children before parents: ledger entries and redemptions reference members.
  await tx.lotAllocation.deleteMany(where);
  await tx.lot.deleteMany(where);
  await tx.ledgerEntry.deleteMany(where);
  await tx.redemption.deleteMany(where);
  await tx.refundRecord.deleteMany(where);
  await tx.orderRecord.deleteMany(where);
  await tx.deadLetter.deleteMany(where);
  await tx.member.deleteMany(where);
  await tx.complianceRequest.deleteMany(where);
  await tx.webhookEvent.deleteMany(where);
  await tx.session.deleteMany(where);
  await tx.shop.deleteMany(where);
}

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
  };
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
  db: Tx,
  shop: string,
  customerId: string,
  now: Date,
): Promise<MemberDataExport | null> {
  const member = await db.member.findUnique({
    where: { shop_customerId: { shop, customerId } },
    include: {
      entries: { orderBy: { id: "asc" } },
      redemptions: { orderBy: { createdAt: "asc" } },
    },
  });
  if (!member) return null;
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
    },
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
