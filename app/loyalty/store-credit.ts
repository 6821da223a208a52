import { z } from "zod";
import {
  minorToPoints,
  pointsPrice,
  pointsToMinor,
  type PointsPrice,
  type RedemptionRate,
} from "./rewards";

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

export interface StoreCreditOffer {
  stepPoints: number;
  minPoints: number;
  /** The most the shopper can convert now, in whole steps; below `minPoints` while they cannot. */
  maxPoints: number;
  /** Prices any choice exactly as chooseStoreCredit will credit it. */
  price: PointsPrice;
}

/**
 * Store credit as the shopper with `available` points can use it now; null when it is off or no
 * choice the merchant allows is worth a minor unit. The minimum is raised to the first step worth
 * something, so every choice offered is one chooseStoreCredit accepts.
 */
export function storeCreditOffer(
  settings: StoreCreditSettings,
  available: number,
  rate: RedemptionRate,
  currency: string,
): StoreCreditOffer | null {
  if (!settings.enabled) return null;
  const { stepPoints } = settings;
  const forOneMinor = minorToPoints(1, rate, currency);
  const minPoints = Math.max(
    settings.minPoints,
    Math.ceil(forOneMinor / stepPoints) * stepPoints,
  );
  if (minPoints > settings.maxPoints) return null;
  const cap = Math.min(Math.max(available, 0), settings.maxPoints);
  return {
    stepPoints,
    minPoints,
    maxPoints: cap - (cap % stepPoints),
    price: pointsPrice(rate, currency),
  };
}
