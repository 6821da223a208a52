import { z } from "zod";
import type { LoyaltyCustomerByEmailQueryVariables } from "~/types/admin.generated";
import type { AdminClient } from "./admin-client.server";
import { CUSTOMER_BY_EMAIL_QUERY } from "./admin-operations";

export interface ShopifyCustomer {
  /** The numeric id, as webhooks carry it and members are keyed by. */
  customerId: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
}

const answerSchema = z.object({
  customers: z.object({
    nodes: z.array(
      z.object({
        legacyResourceId: z.string().regex(/^\d+$/),
        email: z.string().nullable(),
        firstName: z.string().nullable(),
        lastName: z.string().nullable(),
      }),
    ),
  }),
});

/** The shop's customer with exactly this e-mail (compared case-insensitively), or null. */
export async function customerByEmail(
  client: AdminClient,
  email: string,
): Promise<ShopifyCustomer | null> {
  const variables: LoyaltyCustomerByEmailQueryVariables = {
    query: `email:"${email.replaceAll('"', "")}"`,
  };
  const answer = answerSchema.parse(
    await client.query(CUSTOMER_BY_EMAIL_QUERY, variables),
  );
  const found = answer.customers.nodes.find(
    (node) => node.email?.toLowerCase() === email.toLowerCase(),
  );
  return found?.email
    ? {
        customerId: found.legacyResourceId,
        email: found.email,
        firstName: found.firstName,
        lastName: found.lastName,
      }
    : null;
}
