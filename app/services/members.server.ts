import type { Tx } from "~/db/client.server";
import type { MemberRef } from "./ledger.server";

export interface CustomerProfile {
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
}

/** The member for a Shopify customer, created on first sight; profile fields refreshed when given. */
export async function ensureMember(
  tx: Tx,
  shop: string,
  customerId: string,
  profile: CustomerProfile = {},
): Promise<MemberRef> {
  const member = await tx.member.upsert({
    where: { shop_customerId: { shop, customerId } },
    create: { shop, customerId, ...profile },
    update: profile,
    select: { id: true },
  });
  return { shop, memberId: member.id };
}
