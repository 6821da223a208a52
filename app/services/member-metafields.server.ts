// The member's tier and points as app-owned customer metafields, which the checkout and customer
// account extensions read from Shopify itself (no call to the app, no session token round trip).
// They are written through the outbox (MEMBER_METAFIELDS jobs) in the transaction of the change
// they show, and declared once per shop at install with the access those surfaces need.
import { z } from "zod";
import {
  levelHandle,
  tierStanding,
  type TierRulesInput,
} from "~/loyalty/tiers";
import {
  AdminUserErrors,
  type AdminClient,
} from "~/shopify/admin-client.server";
import {
  METAFIELD_DEFINITION_CREATE_MUTATION,
  METAFIELDS_DELETE_MUTATION,
  METAFIELDS_SET_MUTATION,
} from "~/shopify/admin-operations";
import type {
  LoyaltyMetafieldDefinitionCreateMutationVariables,
  LoyaltyMetafieldsDeleteMutationVariables,
  LoyaltyMetafieldsSetMutationVariables,
} from "~/types/admin.generated";
import type { NewOutboxJob } from "./outbox.server";
import { OutboxJobError } from "./outbox-jobs.server";

/**
 * The app-reserved namespace: only this app can write it, and Shopify resolves `$app` to the
 * app's own prefix, so the extensions (same app) read it as `$app:loyalty` too.
 */
export const MEMBER_METAFIELD_NAMESPACE = "$app:loyalty";

/** The three keys, with the metafield type each is declared and written with. */
export const MEMBER_METAFIELDS = {
  tier: { key: "tier", type: "single_line_text_field" },
  available: { key: "available_points", type: "number_integer" },
  pointsToNextTier: { key: "points_to_next_tier", type: "number_integer" },
} as const;

// ---------------------------------------------------------------------------------------------
// What the metafields show

export interface MemberMetafieldsState {
  customerId: string;
  tierHandle: string | null;
  available: number;
  /**
   * What the member qualifies with inside the tier window, in points; null when it is not known
   * where the payload is built (then no "points to next tier" is shown rather than a wrong one).
   */
  qualifyingPoints: number | null;
}

/**
 * The payload for a member's state under the shop's tiers: the tier's display name (null when
 * the member holds no configured tier), and points to the next tier only when tiers are earned
 * with points (AMOUNT_SPENT thresholds are money, not points).
 */
export function memberMetafieldsPayload(
  tiers: TierRulesInput,
  state: MemberMetafieldsState,
): MemberMetafieldsPayload {
  const level = tiers.levels.find(
    (candidate) => levelHandle(candidate) === state.tierHandle,
  );
  return {
    customerId: state.customerId,
    tierName: level?.name ?? null,
    available: state.available,
    pointsToNextTier:
      tiers.basis === "POINTS_EARNED" && state.qualifyingPoints !== null
        ? (tierStanding(tiers, state.tierHandle, state.qualifyingPoints)?.next
            ?.remaining ?? null)
        : null,
  };
}

// ---------------------------------------------------------------------------------------------
// The outbox job

export const memberMetafieldsPayloadSchema = z.object({
  /** Shopify's numeric customer id, as the webhooks carry it. */
  customerId: z.string().regex(/^\d+$/),
  /** Null: the member holds no tier, and the metafield is removed. */
  tierName: z.string().trim().min(1).max(255).nullable(),
  /** May be negative under the ALLOW_NEGATIVE policy; number_integer takes that. */
  available: z.int(),
  /** Null at the top tier (or when not measured in points): the metafield is removed. */
  pointsToNextTier: z.int().min(0).nullable(),
});

export type MemberMetafieldsPayload = z.infer<
  typeof memberMetafieldsPayloadSchema
>;

/**
 * The job that makes the customer's loyalty metafields what `payload` says. It carries every
 * value, so it is coalesced per customer: of several jobs enqueued before the worker gets to
 * them, only the latest is sent.
 */
export function memberMetafieldsJob(
  shop: string,
  payload: MemberMetafieldsPayload,
): NewOutboxJob {
  return {
    shop,
    kind: "MEMBER_METAFIELDS",
    coalesceKey: `metafields:${payload.customerId}`,
    payload,
  };
}

/**
 * metafieldsSet for the values there are, then metafieldsDelete for those there are not (so an
 * extension never shows a "points to next tier" left over from below the top tier). Both write
 * whole values, so a retry after a failure between the two sends the same state again.
 */
export async function sendMemberMetafields(
  admin: AdminClient,
  payload: unknown,
): Promise<void> {
  const parsed = memberMetafieldsPayloadSchema.safeParse(payload);
  if (!parsed.success)
    throw new OutboxJobError(
      `invalid MEMBER_METAFIELDS payload: ${z.prettifyError(parsed.error)}`,
      false,
    );
  const { customerId, tierName, available, pointsToNextTier } = parsed.data;
  const ownerId = `gid://shopify/Customer/${customerId}`;
  const values: Array<[{ key: string; type: string }, string | null]> = [
    [MEMBER_METAFIELDS.tier, tierName],
    [MEMBER_METAFIELDS.available, String(available)],
    [
      MEMBER_METAFIELDS.pointsToNextTier,
      pointsToNextTier === null ? null : String(pointsToNextTier),
    ],
  ];
  const set: LoyaltyMetafieldsSetMutationVariables = {
    metafields: values.flatMap(([field, value]) =>
      value === null
        ? []
        : [
            {
              ownerId,
              namespace: MEMBER_METAFIELD_NAMESPACE,
              key: field.key,
              type: field.type,
              value,
            },
          ],
    ),
  };
  await admin.mutate(METAFIELDS_SET_MUTATION, set, "metafieldsSet");
  const absent = values.flatMap(([field, value]) =>
    value === null
      ? [{ ownerId, namespace: MEMBER_METAFIELD_NAMESPACE, key: field.key }]
      : [],
  );
  if (absent.length > 0) {
    const remove: LoyaltyMetafieldsDeleteMutationVariables = {
      metafields: absent,
    };
    await admin.mutate(METAFIELDS_DELETE_MUTATION, remove, "metafieldsDelete");
  }
}

// ---------------------------------------------------------------------------------------------
// Definitions

// Owner type (customers) and access are fixed in the document: METAFIELD_DEFINITION_CREATE_MUTATION.
const DEFINITIONS: LoyaltyMetafieldDefinitionCreateMutationVariables[] = [
  {
    ...MEMBER_METAFIELDS.tier,
    namespace: MEMBER_METAFIELD_NAMESPACE,
    name: "Loyalty tier",
    description: "The loyalty tier the customer holds.",
  },
  {
    ...MEMBER_METAFIELDS.available,
    namespace: MEMBER_METAFIELD_NAMESPACE,
    name: "Loyalty points available",
    description: "Points the customer can spend now.",
  },
  {
    ...MEMBER_METAFIELDS.pointsToNextTier,
    namespace: MEMBER_METAFIELD_NAMESPACE,
    name: "Points to next loyalty tier",
    description:
      "Points the customer still needs for the next tier; absent at the top tier.",
  },
];

/**
 * Declares the member metafields for the shop. Idempotent: a definition that exists already
 * (a reinstall, a second registration) answers TAKEN, which is what was wanted. Any other refusal
 * is thrown. Returns the keys it created.
 */
export async function ensureMetafieldDefinitions(
  admin: AdminClient,
): Promise<string[]> {
  const created: string[] = [];
  for (const definition of DEFINITIONS) {
    try {
      await admin.mutate(
        METAFIELD_DEFINITION_CREATE_MUTATION,
        definition,
        "metafieldDefinitionCreate",
      );
      created.push(definition.key);
    } catch (error) {
      const taken =
        error instanceof AdminUserErrors &&
        error.userErrors.every((userError) => userError.code === "TAKEN");
      if (!taken) throw error;
    }
  }
  return created;
}
