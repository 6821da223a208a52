import { z } from "zod";
import { pointsToMinor, type RedemptionRate } from "./rewards";

/**
 * Cashback: points turned into Shopify store credit at the program's redemption rate, in steps,
 * instead of a discount code. The credit is the spend, so the hold posts as soon as Shopify has
 * given it.
 */
export const storeCreditSettingsSchema = z
  .object({
    enabled: z.boolean().default(false),
    stepPoints: z.int().min(1).max(100_000).default(100),
    minPoints: z.int().min(1).max(10_000_000).default(100),
    maxPoints: z.int().min(1).max(10_000_000).default(100_000),
  })
  .refine((settings) => settings.minPoints % settings.stepPoints === 0, {
    message: "the minimum must be a whole number of steps",
    path: ["minPoints"],
  })
  .refine((settings) => settings.maxPoints >= settings.minPoints, {
    message: "the maximum must be at least the minimum",
    path: ["maxPoints"],
  });

export type StoreCreditSettings = z.infer<typeof storeCreditSettingsSchema>;

export type StoreCreditChoice =
  | { ok: true; points: number; amountMinor: number }
  | { ok: false; reason: "NOT_A_STEP" | "OUT_OF_RANGE" | "WORTH_NOTHING" };

/** The credit `points` buy, when the shopper may convert that many. */
export function chooseStoreCredit(
  settings: StoreCreditSettings,
  points: number,
  rate: RedemptionRate,
  currency: string,
): StoreCreditChoice {
  if (points < settings.minPoints || points > settings.maxPoints)
    return { ok: false, reason: "OUT_OF_RANGE" };
  if (points % settings.stepPoints !== 0)
    return { ok: false, reason: "NOT_A_STEP" };
  const amountMinor = pointsToMinor(points, rate, currency);
  if (amountMinor === 0) return { ok: false, reason: "WORTH_NOTHING" };
  return { ok: true, points, amountMinor };
}
