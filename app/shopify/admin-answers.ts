import { z } from "zod";

// Shopify's Admin GraphQL answers as the app reads them, in one place for every caller: an error
// with its code (THROTTLED, MAX_COST_EXCEEDED…), the cost extension with the throttle status and
// search warnings, and a whole answer as the library hands it back in a Response.

export const graphqlError = z.object({
  message: z.string(),
  extensions: z.object({ code: z.string().optional() }).loose().optional(),
});

export const costExtension = z
  .object({
    cost: z
      .object({
        requestedQueryCost: z.number().optional(),
        throttleStatus: z.object({
          maximumAvailable: z.number().positive(),
          currentlyAvailable: z.number(),
          restoreRate: z.number().positive(),
        }),
      })
      .optional(),
    search: z
      .array(
        z.object({
          warnings: z.array(
            z.object({ field: z.string(), message: z.string() }),
          ),
        }),
      )
      .optional(),
  })
  .loose();

/** Shopify's answer as the body of a Response: `errors` is a list here. */
export const rawAnswer = z.object({
  data: z.unknown().optional(),
  errors: z.array(graphqlError).optional(),
  extensions: costExtension.optional(),
});
