// The CUSTOMER_TAGS job: a customer's app-owned tags (the tier's tag) made what the app last
// decided, sent through the outbox.
import { z } from "zod";
import type { AdminClient } from "~/shopify/admin-client.server";
import {
  CUSTOMER_TAGS_ADD_MUTATION,
  CUSTOMER_TAGS_REMOVE_MUTATION,
  CUSTOMER_TIER_TAGS_MUTATION,
} from "~/shopify/admin-operations";
import type {
  LoyaltyCustomerTagsAddMutationVariables,
  LoyaltyCustomerTagsRemoveMutationVariables,
  LoyaltyCustomerTierTagsMutationVariables,
} from "~/types/admin.generated";
import { parseJobPayload } from "./outbox-jobs.server";
import type { NewOutboxJob } from "./outbox.server";

const tag = z.string().trim().min(1).max(255);

export const customerTagsPayloadSchema = z
  .object({
    /** Shopify's numeric customer id, as the webhooks carry it. */
    customerId: z.string().regex(/^\d+$/),
    add: z.array(tag),
    remove: z.array(tag),
  })
  .refine(
    (payload) => {
      // Shopify compares tags without regard to case; removing what is added is a caller's bug.
      const added = new Set(payload.add.map((value) => value.toLowerCase()));
      return payload.remove.every((value) => !added.has(value.toLowerCase()));
    },
    { message: "a tag cannot be both added and removed" },
  );

export type CustomerTagsPayload = z.infer<typeof customerTagsPayloadSchema>;

/**
 * The job that makes a customer's app-owned tags what `payload` says, coalesced per customer: a
 * later tier change replaces a job not sent yet. `add` and `remove` are the whole state of the
 * app's tags (the new tier's tag, every other tier's tag), so only the latest job matters.
 */
export function customerTagsJob(
  shop: string,
  payload: CustomerTagsPayload,
): NewOutboxJob {
  return {
    shop,
    kind: "CUSTOMER_TAGS",
    coalesceKey: `tags:${payload.customerId}`,
    payload,
  };
}

/**
 * tagsAdd then tagsRemove on the customer, in one request when the job has both. Both are set
 * operations at Shopify, so a retry after a failure between the two sends the first again
 * harmlessly; tags the app did not name are left alone.
 */
export async function sendCustomerTags(
  admin: AdminClient,
  payload: unknown,
): Promise<void> {
  const { customerId, add, remove } = parseJobPayload(
    "CUSTOMER_TAGS",
    customerTagsPayloadSchema,
    payload,
  );
  const id = `gid://shopify/Customer/${customerId}`;
  if (add.length > 0 && remove.length > 0) {
    const variables: LoyaltyCustomerTierTagsMutationVariables = {
      id,
      add,
      remove,
    };
    await admin.mutate(CUSTOMER_TIER_TAGS_MUTATION, variables, [
      "tagsAdd",
      "tagsRemove",
    ]);
  } else if (add.length > 0) {
    const variables: LoyaltyCustomerTagsAddMutationVariables = {
      id,
      tags: add,
    };
    await admin.mutate(CUSTOMER_TAGS_ADD_MUTATION, variables, "tagsAdd");
  } else if (remove.length > 0) {
    const variables: LoyaltyCustomerTagsRemoveMutationVariables = {
      id,
      tags: remove,
    };
    await admin.mutate(CUSTOMER_TAGS_REMOVE_MUTATION, variables, "tagsRemove");
  }
}
