import type { Tx } from "~/db/client.server";
import type { MemberRef } from "./ledger.server";

export interface CustomerProfile {
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
}

/**
 * The member for a Shopify customer, created on first sight. Profile fields that are given are
 * refreshed, except on a redacted member, which stays anonymous.
 */
export async function ensureMember(
  tx: Tx,
  shop: string,
  customerId: string,
  profile: CustomerProfile = {},
): Promise<MemberRef & { redacted: boolean }> {
  const given = (field: keyof CustomerProfile) => profile[field] !== undefined;
  const [row] = await tx.query<{ id: string; redactedAt: Date | null }>(
    `INSERT INTO "Member" (id, shop, "customerId", email, "firstName", "lastName", "updatedAt")
     VALUES (gen_random_uuid()::text, $1, $2, $3, $4, $5, now())
     ON CONFLICT (shop, "customerId") DO UPDATE SET
       email = CASE WHEN "Member"."redactedAt" IS NULL AND $6 THEN EXCLUDED.email ELSE "Member".email END,
       "firstName" = CASE WHEN "Member"."redactedAt" IS NULL AND $7 THEN EXCLUDED."firstName" ELSE "Member"."firstName" END,
       "lastName" = CASE WHEN "Member"."redactedAt" IS NULL AND $8 THEN EXCLUDED."lastName" ELSE "Member"."lastName" END,
       "updatedAt" = now()
     RETURNING id, "redactedAt"`,
    [
      shop,
      customerId,
      profile.email ?? null,
      profile.firstName ?? null,
      profile.lastName ?? null,
      given("email"),
      given("firstName"),
      given("lastName"),
    ],
  );
  if (!row) throw new Error(`could not record member ${customerId} of ${shop}`);
  return { shop, memberId: row.id, redacted: row.redactedAt !== null };
}
