/**
 * A lot is what one EARN (or positive ADJUSTMENT) entry gave the member. It is identified by the
 * idempotency key of that entry. Spends are recorded as allocations against lots, so each lot knows
 * how much of it is left and can expire on its own date.
 */
export type LotSource = "EARN" | "ADJUSTMENT";

export type LotState = {
  lotKey: string;
  source: LotSource;
  points: number;
  /** points − Σ allocations against the lot. Never includes held points. */
  remaining: number;
  /** Points requested by EARN_REVERSAL entries of this lot (collected or not). */
  reversed: number;
  earnedAt: Date;
  availableAt: Date;
  expiresAt: Date | null;
  /** Set by the lot's MATURATION entry, or at creation when it was available at once. */
  matured: boolean;
  /** Set by the lot's own EXPIRY entry (`lot:<lotKey>:expire`). */
  expired: boolean;
};

/** Oldest first: by earnedAt, then lotKey so ties are deterministic on every replay. */
export function compareLots(a: LotState, b: LotState): number {
  const byTime = a.earnedAt.getTime() - b.earnedAt.getTime();
  if (byTime !== 0) return byTime;
  if (a.lotKey < b.lotKey) return -1;
  return a.lotKey > b.lotKey ? 1 : 0;
}

export function sortLots(lots: readonly LotState[]): LotState[] {
  return [...lots].sort(compareLots);
}

/** A lot still worth loading for the next operation. */
export function isOpenLot(lot: LotState): boolean {
  return lot.remaining > 0 || !lot.matured;
}

export type LotTake = { lotKey: string; points: number };

/**
 * Plans taking up to `amount` from the spendable (matured) lots, oldest first. Returns what each
 * lot gives and the part nothing could cover.
 */
export function takeOldest(
  lots: readonly LotState[],
  amount: number,
  excludeLotKey?: string,
): { takes: LotTake[]; shortfall: number } {
  const takes: LotTake[] = [];
  let left = amount;
  for (const lot of sortLots(lots)) {
    if (left === 0) break;
    if (!lot.matured || lot.remaining <= 0 || lot.lotKey === excludeLotKey)
      continue;
    const points = Math.min(left, lot.remaining);
    takes.push({ lotKey: lot.lotKey, points });
    left -= points;
  }
  return { takes, shortfall: left };
}
