import { z } from "zod";
import { levelHandle, tierTag, type TierRules } from "~/loyalty/tiers";
import {
  AdminUserErrors,
  type AdminClient,
} from "~/shopify/admin-client.server";
import { TIER_SEGMENT_CREATE_MUTATION } from "~/shopify/admin-operations";
import type { NewOutboxJob } from "./outbox.server";

const tierSegmentsPayloadSchema = z.object({
  segments: z.array(
    z.object({ name: z.string().min(1), query: z.string().min(1) }),
  ),
});

/**
 * One Shopify customer segment per tier, defined on the tier tag, so the merchant can make a tier
 * discount eligible to it (a code discount's `customerSegments`, or an automatic discount's
 * eligibility in the Shopify admin). The 2025-04 schema the app validates against has no
 * customer targeting on automatic discounts, so the app does not create those (ADR 008).
 */
export function tierSegmentsJob(shop: string, tiers: TierRules): NewOutboxJob {
  return {
    shop,
    kind: "TIER_SEGMENTS",
    coalesceKey: "tier-segments",
    payload: {
      segments: tiers.levels.map((level) => ({
        name: `Loyalty tier: ${level.name}`,
        query: `customer_tags CONTAINS '${tierTag(tiers.tagPrefix, levelHandle(level))}'`,
      })),
    },
  };
}

/** Creates each segment; one that already exists under its name is what we want, not an error. */
export async function sendTierSegments(
  admin: AdminClient,
  payload: unknown,
): Promise<void> {
  const { segments } = tierSegmentsPayloadSchema.parse(payload);
  for (const segment of segments) {
    try {
      await admin.mutate(
        TIER_SEGMENT_CREATE_MUTATION,
        segment,
        "segmentCreate",
      );
    } catch (error) {
      const taken =
        error instanceof AdminUserErrors &&
        error.userErrors.every((userError) =>
          /taken|already/i.test(userError.message),
        );
      if (!taken) throw error;
    }
  }
}
