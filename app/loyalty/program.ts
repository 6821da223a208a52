import { z } from "zod";
import { earnRuleSchema } from "./earn-rule";
import { tierRulesSchema } from "./tiers";
import { negativeBalancePolicySchema } from "./ledger";
import { currencyCodeSchema, unitMinor } from "./money";
import { redemptionSettingsSchema } from "./rewards";
import { growthSettingsSchema } from "./growth";
import { engagementSettingsSchema } from "./engagement";

export const programConfigSchema = z
  .object({
    enabled: z.boolean(),
    currency: currencyCodeSchema,
    earn: earnRuleSchema,
    /** Points stay pending this long after the order, e.g. to match the return window. */
    pendingDays: z.int().min(0).max(90),
    /** Each lot expires this long after it was earned; null = points never expire. */
    expiryDays: z.int().min(1).max(3650).nullable().default(null),
    redemption: redemptionSettingsSchema,
    negativeBalancePolicy: negativeBalancePolicySchema,
    tiers: tierRulesSchema,
    /** Points a new customer account receives once; 0 turns the bonus off. */
    signupBonusPoints: z.int().min(0).max(1_000_000).default(0),
    /** Keep guest orders and grant their points when the buyer opens an account with that e-mail. */
    guestOrderMatching: z.boolean(),
    /** Orders placed before this are not earned on; null = from installation. */
    programStartAt: z.coerce.date().nullable(),
    growth: growthSettingsSchema,
    engagement: engagementSettingsSchema,
  })
  .superRefine((config, context) => {
    if (config.expiryDays !== null && config.expiryDays <= config.pendingDays) {
      context.addIssue({
        code: "custom",
        message: "points must become available before they expire",
        path: ["expiryDays"],
      });
    }
  });

export type ProgramConfig = z.infer<typeof programConfigSchema>;

export function defaultProgramConfig(currency: string): ProgramConfig {
  return programConfigSchema.parse({
    enabled: false,
    currency,
    earn: {
      points: 1,
      perAmountMinor: unitMinor(currency),
      rounding: "DOWN",
      applyOrderDiscounts: true,
      includeShipping: false,
      includeTaxes: false,
      includeGiftCards: false,
    },
    pendingDays: 0,
    expiryDays: null,
    redemption: { pointsPerUnit: 100 },
    negativeBalancePolicy: "ALLOW_NEGATIVE",
    tiers: {
      basis: "POINTS_EARNED",
      window: "LIFETIME",
      levels: [
        { name: "Bronze", threshold: 0 },
        { name: "Silver", threshold: 500 },
        { name: "Gold", threshold: 1500 },
      ],
    },
    signupBonusPoints: 0,
    guestOrderMatching: true,
    programStartAt: null,
  });
}

const DAY_MS = 86_400_000;

/** When a lot earned at `occurredAt` becomes available and expires under this config. */
export function lotTimes(
  config: Pick<ProgramConfig, "pendingDays" | "expiryDays">,
  occurredAt: Date,
): { availableAt: Date; expiresAt: Date | null } {
  const start = occurredAt.getTime();
  return {
    availableAt: new Date(start + config.pendingDays * DAY_MS),
    expiresAt:
      config.expiryDays === null
        ? null
        : new Date(start + config.expiryDays * DAY_MS),
  };
}
