import { z } from "zod";

const numericId = z
  .union([z.int().positive(), z.string().regex(/^\d{1,20}$/)])
  .transform(String);

// Flow writes a number field as a JSON number; a value mapped from a workflow variable can come
// as its text, so both are read, and only whole positive points are accepted.
const wholePoints = z
  .union([z.number(), z.string().trim().regex(/^\d+$/).transform(Number)])
  .pipe(z.int().min(1).max(1_000_000));

/**
 * The body Flow POSTs to an action's runtime_url
 * (https://shopify.dev/docs/apps/build/flow/actions/endpoints): the shop, the run (the same id on
 * Flow's retries) and the action's fields under `properties`, a customer_reference as customer_id.
 */
export const awardPointsActionSchema = z.object({
  shopify_domain: z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i),
  action_run_id: z.string().min(1).max(255).regex(/^\S+$/),
  properties: z.object({
    customer_id: numericId,
    points: wholePoints,
    reason: z.string().trim().min(1).max(255),
  }),
});

export type AwardPointsAction = z.infer<typeof awardPointsActionSchema>;
