import { z } from "zod";

/**
 * Shopify's numeric REST ids, as text. JSON numbers above 2^53 have already lost digits by the time
 * they are parsed, and acting on a neighbouring id (redacting the wrong shopper) is worse than
 * refusing the delivery, so those are rejected.
 */
export const shopifyId = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)])
  .refine((value) => typeof value === "string" || Number.isSafeInteger(value), {
    message: "id is beyond the precision of a JSON number",
  })
  .transform((value) => String(value));

const shopFields = {
  shop_id: shopifyId,
  shop_domain: z.string().min(1),
};

export const customersDataRequestPayload = z.object({
  ...shopFields,
  customer: z.object({ id: shopifyId }),
  orders_requested: z.array(shopifyId).default([]),
  data_request: z.object({ id: shopifyId }),
});

export const customersRedactPayload = z.object({
  ...shopFields,
  customer: z.object({
    id: shopifyId,
    email: z.string().nullish(),
    phone: z.string().nullish(),
  }),
  orders_to_redact: z.array(shopifyId).default([]),
});

export const shopRedactPayload = z.object(shopFields);

// app/uninstalled carries the shop resource; the app only needs to know it happened.
export const appUninstalledPayload = z.object({ id: shopifyId }).loose();

export const appScopesUpdatePayload = z.object({
  current: z.array(z.string()),
  previous: z.array(z.string()).default([]),
});
