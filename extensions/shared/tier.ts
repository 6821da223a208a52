import type { Tier } from "./api";
import type { Locale } from "./locale";

export interface TierSummary {
  name: string;
  /** Share of the way to the next tier, 0 to 1; 1 at the top tier. */
  fraction: number;
  line: string;
}

/**
 * `progress`, `threshold` and `remaining` count points or minor units depending on the tier
 * basis, so the sentence names the right thing to do: earn points, or spend money.
 */
export function summarizeTier(
  tier: Tier | null,
  currency: string,
  locale: Locale,
): TierSummary | null {
  if (tier === null) return null;
  const { next } = tier;
  if (next === null) {
    return {
      name: tier.name,
      fraction: 1,
      line: locale.t("tier.top", { tier: tier.name }),
    };
  }
  const fraction =
    next.threshold > 0
      ? Math.min(1, Math.max(0, tier.progress / next.threshold))
      : 1;
  const line =
    tier.basis === "AMOUNT_SPENT"
      ? locale.t("tier.spendToNext", {
          amount: locale.money(next.remaining, currency),
          next: next.name,
        })
      : locale.t("tier.earnToNext", {
          points: locale.points(next.remaining),
          next: next.name,
        });
  return { name: tier.name, fraction, line };
}
