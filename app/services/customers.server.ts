import { signupBonusKey } from "~/loyalty/keys";
import { customerPayloadSchema } from "~/shopify/order-payload";
import { grantGuestOrders } from "./accrual.server";
import { grantBonus } from "./engagement.server";
import { ensureMember } from "./members.server";
import { programConfig } from "./program.server";
import type { TopicHandler } from "./webhook-runner.server";

const profileOf = (payload: {
  email?: string | null;
  first_name?: string | null;
  last_name?: string | null;
}) => ({
  email: payload.email ?? null,
  firstName: payload.first_name ?? null,
  lastName: payload.last_name ?? null,
});

/** A new account becomes a member: signup bonus when configured, and its earlier guest orders earn. */
export const customersCreate: TopicHandler<typeof customerPayloadSchema> = {
  topic: "CUSTOMERS_CREATE",
  payload: customerPayloadSchema,
  async handle(tx, { shop, payload, eventId }) {
    const member = await ensureMember(tx, shop, payload.id, profileOf(payload));
    if (member.redacted)
      return { status: "ignored", reason: "MEMBER_REDACTED" };
    const config = await programConfig(tx, shop);
    if (!config?.enabled) return { status: "ignored", reason: "PROGRAM_OFF" };
    const now = new Date();
    if (config.signupBonusPoints > 0) {
      await grantBonus(tx, member, config, {
        key: signupBonusKey(payload.id),
        points: config.signupBonusPoints,
        reason: "signup bonus",
        customerId: payload.id,
        now,
        webhookEventId: eventId,
      });
    }
    if (payload.email) {
      await grantGuestOrders(tx, member, payload.id, payload.email, {
        now,
        webhookEventId: eventId,
      });
    }
    return { status: "applied" };
  },
};

/** Keeps the member's e-mail and name current; a redacted member stays anonymous. */
export const customersUpdate: TopicHandler<typeof customerPayloadSchema> = {
  topic: "CUSTOMERS_UPDATE",
  payload: customerPayloadSchema,
  async handle(tx, { shop, payload }) {
    const profile = profileOf(payload);
    const updated = await tx.query(
      `UPDATE "Member" SET email = $3, "firstName" = $4, "lastName" = $5, "updatedAt" = now()
       WHERE shop = $1 AND "customerId" = $2 AND "redactedAt" IS NULL
       RETURNING id`,
      [shop, payload.id, profile.email, profile.firstName, profile.lastName],
    );
    return updated.length > 0
      ? { status: "applied" }
      : { status: "ignored", reason: "NOT_A_MEMBER" };
  },
};
