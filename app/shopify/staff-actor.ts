/**
 * Who did something in the embedded admin, as recorded on ledger entries: the staff member's
 * Shopify user id from the session token's `sub` claim
 * (https://shopify.dev/docs/apps/build/authentication-authorization/session-tokens). The shop is
 * on every row already. Without a token (not embedded) only the shop is known.
 */
export function staffActor(admin: {
  session: { shop: string };
  sessionToken?: { sub?: string };
}): string {
  const userId = admin.sessionToken?.sub;
  return userId ? `staff:${userId}` : `shop:${admin.session.shop}`;
}
