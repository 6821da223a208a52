import { z } from "zod";
import { challengesSchema } from "./challenges";
import { referralSettingsSchema } from "./referrals";
import { storeCreditSettingsSchema } from "./store-credit";

/**
 * Referrals, challenges and cashback as store credit, all off until the merchant turns them on;
 * a program stored before they existed reads with these defaults.
 */
export const growthSettingsSchema = z
  .object({
    referrals: referralSettingsSchema.prefault({}),
    challenges: challengesSchema.default([]),
    storeCredit: storeCreditSettingsSchema.prefault({}),
  })
  .prefault({});

export type GrowthSettings = z.infer<typeof growthSettingsSchema>;
