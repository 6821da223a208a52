import { z } from "zod";
import { BASIS_POINTS_ONE, type EarnModifier } from "./earn-rule";
import type { NewEntry } from "./ledger";
import { refundedBase, type LineBase, type RefundedLine } from "./refunds";
import { assertNonNegativeInteger, assertSafeInteger } from "./rounding";

export const tierSchema = z.object({
  name: z.string().trim().min(1).max(40),
  threshold: z.int().min(0),
});

export const tiersSchema = z
  .object({
    basis: z.enum(["POINTS_EARNED", "AMOUNT_SPENT"]),
    window: z.enum(["LIFETIME", "ROLLING_12_MONTHS", "CALENDAR_YEAR"]),
    levels: z.array(tierSchema).min(1),
  })
  .superRefine((tiers, context) => {
    const [first] = tiers.levels;
    if (first !== undefined && first.threshold !== 0) {
      context.addIssue({
        code: "custom",
        message: "the first tier starts at 0",
        path: ["levels"],
      });
    }
    tiers.levels.forEach((level, index) => {
      const previous = tiers.levels[index - 1];
      if (previous !== undefined && level.threshold <= previous.threshold) {
        context.addIssue({
          code: "custom",
          message: "tier thresholds strictly increase",
          path: ["levels", index, "threshold"],
        });
      }
    });
    const names = tiers.levels.map((level) => level.name.toLowerCase());
    if (new Set(names).size !== names.length) {
      context.addIssue({
        code: "custom",
        message: "tier names are unique",
        path: ["levels"],
      });
    }
  });

/*
 * Tiers: which level a member holds, when it changes, and the perks and tags that follow from it.
 *
 * A tier follows qualifying activity (points earned, or amount spent) inside a window, never the
 * spendable balance: spending, holds, expiry and manual adjustments are not activity, so they can
 * never demote anyone. Upgrades are immediate; a tier is lost only after the member has been below
 * its threshold for the whole grace period (and, for CALENDAR_YEAR, only from a year's end).
 */

type TiersConfig = z.infer<typeof tiersSchema>;
export type TierBasis = TiersConfig["basis"];
export type TierWindow = TiersConfig["window"];

const DAY_MS = 86_400_000;

export const DEFAULT_TIER_TAG_PREFIX = "loyalty-tier:";
export const DEFAULT_TIER_GRACE_DAYS = 30;

const HANDLE_MAX_LENGTH = 40;
const handlePattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

// ---------------------------------------------------------------------------------------------
// Configuration. program.ts's `tiersSchema` holds basis, window and levels; this extends it with
// the perks and the downgrade settings so program.ts can adopt it as `tiers` later.

export const tierLevelSchema = tierSchema.safeExtend({
  /**
   * Stable identity for tags, tier history and segments. Defaults to `tierHandle(name)`; stored
   * explicitly so renaming "Gold" to "Gold VIP" does not change the tag every segment is built on.
   */
  handle: z.string().max(HANDLE_MAX_LENGTH).regex(handlePattern).optional(),
  /** 10000 = ×1 (no perk), 15000 = ×1.5; applied at accrual and snapshotted on the EARN entry. */
  earnMultiplierBasisPoints: z
    .int()
    .min(BASIS_POINTS_ONE)
    .max(10 * BASIS_POINTS_ONE)
    .default(BASIS_POINTS_ONE),
  /** Points given once per member the first time they reach this tier; 0 = none. */
  entryRewardPoints: z.int().min(0).max(1_000_000).default(0),
});

export type TierLevel = z.infer<typeof tierLevelSchema>;

export const tierRulesSchema = tiersSchema
  .safeExtend({
    levels: z.array(tierLevelSchema).min(1),
    /** Days a member keeps a tier after falling below its threshold (see `evaluateTier`). */
    graceDays: z.int().min(0).max(730).default(DEFAULT_TIER_GRACE_DAYS),
    /** Tier tag = prefix + handle. Shopify separates tags with commas, so none in the prefix. */
    tagPrefix: z
      .string()
      .trim()
      .min(1)
      .max(40)
      .refine((prefix) => !prefix.includes(","), "a tag prefix has no comma")
      .default(DEFAULT_TIER_TAG_PREFIX),
    /**
     * When the current basis, window and thresholds took effect. Set on every save that changes
     * them, so time spent below a threshold before the change never counts toward a demotion.
     */
    effectiveFrom: z.coerce.date().nullable().default(null),
  })
  .superRefine((rules, context) => {
    const handles = rules.levels.map(levelHandle);
    handles.forEach((handle, index) => {
      if (handle === "") {
        context.addIssue({
          code: "custom",
          message: "this tier name needs an explicit handle",
          path: ["levels", index, "handle"],
        });
      }
    });
    if (new Set(handles).size !== handles.length) {
      context.addIssue({
        code: "custom",
        message: "tier handles are unique",
        path: ["levels"],
      });
    }
    const [first] = rules.levels;
    if (first !== undefined && first.entryRewardPoints !== 0) {
      // Every member starts in the first tier; a reward for that is the signup bonus.
      context.addIssue({
        code: "custom",
        message: "the first tier has no entry reward",
        path: ["levels", 0, "entryRewardPoints"],
      });
    }
  });

export type TierRules = z.infer<typeof tierRulesSchema>;

/** What the functions below read; program.ts's current `tiers` satisfies it as it is. */
export type TierLevelInput = {
  name: string;
  threshold: number;
  handle?: string;
  earnMultiplierBasisPoints?: number;
  entryRewardPoints?: number;
};

export type TierRulesInput = {
  basis: TierBasis;
  window: TierWindow;
  levels: readonly TierLevelInput[];
  effectiveFrom?: Date | null;
};

// ---------------------------------------------------------------------------------------------
// Handles and tags.

// Letters NFKD does not split into an ASCII base plus marks (Polish ł, Nordic ø …), and Russian
// and Ukrainian Cyrillic, which the program's source markets name tiers in.
const TRANSLITERATION: Readonly<Record<string, string>> = {
  ł: "l",
  đ: "d",
  ð: "d",
  ø: "o",
  ß: "ss",
  æ: "ae",
  œ: "oe",
  þ: "th",
  ı: "i",
  ħ: "h",
  ŧ: "t",
  а: "a",
  б: "b",
  в: "v",
  г: "g",
  ґ: "g",
  д: "d",
  е: "e",
  ё: "e",
  є: "ye",
  ж: "zh",
  з: "z",
  и: "i",
  і: "i",
  ї: "yi",
  й: "y",
  к: "k",
  л: "l",
  м: "m",
  н: "n",
  о: "o",
  п: "p",
  р: "r",
  с: "s",
  т: "t",
  у: "u",
  ф: "f",
  х: "kh",
  ц: "ts",
  ч: "ch",
  ш: "sh",
  щ: "shch",
  ъ: "",
  ы: "y",
  ь: "",
  э: "e",
  ю: "yu",
  я: "ya",
};

// Every paid order asks for its member's level by handle, and Unicode normalisation a character
// at a time took 2 % of the app's busy time on the webhook bench (docs/decisions/007-webhook-path.md).
const handlesByName = new Map<string, string>();
const maxRememberedHandles = 1_000;

/**
 * "Gold VIP" → "gold-vip", "Złoty" → "zloty", "Золото" → "zoloto". Lowercase ASCII letters and
 * digits joined by single dashes, at most 40 characters; "" when nothing is left (such a tier
 * needs an explicit handle).
 */
export function tierHandle(name: string): string {
  const known = handlesByName.get(name);
  if (known !== undefined) return known;
  const handle = transliteratedHandle(name);
  // A shop has a handful of tier names; the cap only bounds what a stream of renames could leave.
  if (handlesByName.size >= maxRememberedHandles) handlesByName.clear();
  handlesByName.set(name, handle);
  return handle;
}

function transliteratedHandle(name: string): string {
  let ascii = "";
  for (const char of name.toLowerCase()) {
    const mapped = TRANSLITERATION[char];
    ascii += mapped ?? char.normalize("NFKD").replace(/[^\x20-\x7e]/g, "");
  }
  return ascii
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, HANDLE_MAX_LENGTH)
    .replace(/-+$/, "");
}

/** The handle a level is known by everywhere (tags, history, modifiers). */
export function levelHandle(level: TierLevelInput): string {
  return level.handle ?? tierHandle(level.name);
}

export function tierTag(prefix: string, handle: string): string {
  if (prefix.trim() === "" || handle === "") {
    throw new RangeError(
      `a tier tag needs a prefix and a handle, got "${prefix}" + "${handle}"`,
    );
  }
  return `${prefix}${handle}`;
}

// Shopify compares tags without regard to case ("Tags aren't case-sensitive",
// https://help.shopify.com/manual/shopify-flow/reference/actions/remove-customer-tags) and trims
// them, so tier tags are recognised and matched the same way.
function normalizedTag(tag: string): string {
  return tag.trim().toLowerCase();
}

/**
 * The tag writes that leave exactly one tier tag (`prefix + targetHandle`), or none when
 * `targetHandle` is null. Tags without the prefix are never touched. A tag equal to the target
 * up to case is kept rather than replaced: removing it would remove the target too.
 */
export function tagChanges(
  currentTags: readonly string[],
  targetHandle: string | null,
  prefix: string,
): { add: string[]; remove: string[] } {
  const target = targetHandle === null ? null : tierTag(prefix, targetHandle);
  const normalizedPrefix = normalizedTag(prefix);
  const normalizedTarget = target === null ? null : normalizedTag(target);
  const remove: string[] = [];
  const removed = new Set<string>();
  let hasTarget = false;
  for (const tag of currentTags) {
    const normalized = normalizedTag(tag);
    if (!normalized.startsWith(normalizedPrefix)) continue;
    if (normalized === normalizedTarget) {
      hasTarget = true;
    } else if (!removed.has(tag)) {
      // Every spelling is listed: removing one of them may or may not remove the others.
      removed.add(tag);
      remove.push(tag);
    }
  }
  return { add: target === null || hasTarget ? [] : [target], remove };
}

/** The earn-multiplier perk as a modifier for `evaluateEarn`; none when the tier earns ×1. */
export function tierModifiers(level: TierLevelInput): EarnModifier[] {
  const multiplier = level.earnMultiplierBasisPoints ?? BASIS_POINTS_ONE;
  assertNonNegativeInteger(multiplier, "earnMultiplierBasisPoints");
  if (multiplier === BASIS_POINTS_ONE) return [];
  return [
    { source: `tier:${levelHandle(level)}`, multiplierBasisPoints: multiplier },
  ];
}

// ---------------------------------------------------------------------------------------------
// Qualifying activity and windows.

/**
 * One dated change to what a member qualifies with. The service passes only activity that counts:
 * earned points once available (pending points are not activity until they mature) and their
 * clawbacks, and the amounts of paid orders and their refunds/cancels, each negative change at its
 * own date. Spending, holds, expiry and adjustments are never activity.
 */
export type QualifyingActivity = {
  at: Date;
  points: number;
  spentMinor: number;
};

/**
 * The POINTS_EARNED activity a ledger implies: every change to `lifetimeEarned`, dated by its
 * entry (an EARN available at once, a MATURATION at its lot's availableAt, an EARN_REVERSAL at its
 * own date). `spentMinor` is 0: amounts spent come from orders, not from the ledger.
 */
export function pointsActivity(
  entries: readonly Pick<NewEntry, "occurredAt" | "delta">[],
): QualifyingActivity[] {
  return entries
    .filter((entry) => entry.delta.lifetimeEarned !== 0)
    .map((entry) => ({
      at: entry.occurredAt,
      points: entry.delta.lifetimeEarned,
      spentMinor: 0,
    }));
}

/**
 * When activity at `at` stops counting: it counts from `at` (inclusive) until this instant
 * (exclusive), so the window at `now` is every activity with `at <= now < leavesWindowAt(at)`.
 *
 * - LIFETIME: never (null).
 * - ROLLING_12_MONTHS: the same UTC date and time 12 calendar months later; activity on 29 February
 *   counts through 28 February and leaves at 1 March 00:00 UTC. Measured in UTC: a time zone moves
 *   a 12-month window by hours at most, and UTC keeps it free of DST gaps and repeats.
 * - CALENDAR_YEAR: the start of the next year in the shop's time zone.
 */
export function leavesWindowAt(
  at: Date,
  window: TierWindow,
  timezone = "UTC",
): Date | null {
  const ms = leavesWindowAtMs(instant(at, "at"), window, timezone);
  return ms === null ? null : new Date(ms);
}

function leavesWindowAtMs(
  at: number,
  window: TierWindow,
  timezone: string,
): number | null {
  switch (window) {
    case "LIFETIME":
      return null;
    case "ROLLING_12_MONTHS": {
      const date = new Date(at);
      const year = date.getUTCFullYear() + 1;
      const month = date.getUTCMonth();
      if (month === 1 && date.getUTCDate() === 29) {
        return Date.UTC(year, 2, 1);
      }
      return Date.UTC(
        year,
        month,
        date.getUTCDate(),
        date.getUTCHours(),
        date.getUTCMinutes(),
        date.getUTCSeconds(),
        date.getUTCMilliseconds(),
      );
    }
    case "CALENDAR_YEAR":
      return yearStartMs(localYear(at, timezone) + 1, timezone);
  }
}

/**
 * The member's qualifying total at `now`: the sum of `points` (POINTS_EARNED) or `spentMinor`
 * (AMOUNT_SPENT) over the activity inside the window (see `leavesWindowAt`). Activity after `now`
 * is ignored. The total can be negative when a refund in the window takes back an order from
 * before it; `tierFor` places such a member in the first tier.
 */
export function qualifyingTotal(
  activity: readonly QualifyingActivity[],
  basis: TierBasis,
  window: TierWindow,
  now: Date,
  timezone = "UTC",
): number {
  const nowMs = instant(now, "now");
  let total = 0n;
  for (const item of activity) {
    const amount = activityAmount(item, basis);
    const at = instant(item.at, "activity.at");
    if (amount === 0 || at > nowMs) continue;
    const leaves = leavesWindowAtMs(at, window, timezone);
    if (leaves === null || nowMs < leaves) total += BigInt(amount);
  }
  return toSafeTotal(total);
}

/** The highest level whose threshold is ≤ total; the first level for anything below it. */
export function tierFor<L extends { threshold: number }>(
  total: number,
  levels: readonly L[],
): L {
  assertSafeInteger(total, "total");
  let best: L | undefined;
  let lowest: L | undefined;
  for (const level of levels) {
    if (lowest === undefined || level.threshold < lowest.threshold) {
      lowest = level;
    }
    if (
      level.threshold <= total &&
      (best === undefined || level.threshold > best.threshold)
    ) {
      best = level;
    }
  }
  const result = best ?? lowest;
  if (result === undefined) throw new RangeError("a tier program has levels");
  return result;
}

// ---------------------------------------------------------------------------------------------
// Evaluating one member.

export type CurrentTier = { handle: string; since: Date };

/**
 * ENROLLED: first placement. THRESHOLD_REACHED: an upgrade. WINDOW_MOVED: qualifying activity
 * left the window (rolling expiry or a new calendar year). CLAWBACK: a refund or cancel took the
 * total below. RULES_CHANGED: below the threshold since the current rules took effect.
 * NOT_QUALIFIED: no activity under these rules ever met the threshold (a tier set by hand or
 * imported without its history). TIER_REMOVED: the member's tier is no longer configured.
 * IMPORTED: raised to the tier a balance import credited (the shopper's tier in the app the
 * merchant moved from), held as a floor until the credit lapses.
 */
export type TierChangeReason =
  | "ENROLLED"
  | "THRESHOLD_REACHED"
  | "WINDOW_MOVED"
  | "CLAWBACK"
  | "RULES_CHANGED"
  | "NOT_QUALIFIED"
  | "TIER_REMOVED"
  | "IMPORTED";

/**
 * A tier the member is held at, at least, until `until` (null: for good), whatever their activity:
 * the tier they had in the app the merchant moved from, which has no history here to qualify
 * with. See `tierCreditUntil` for how long an import grants it.
 */
export type TierCredit = { handle: string; until: Date | null };

export type TierChange = {
  from: string | null;
  to: string;
  direction: "UP" | "DOWN";
  reason: TierChangeReason;
  /** Handles whose entry reward is now due, lowest first; each appears once per member ever. */
  rewardsFor: string[];
};

export type TierEvaluation = {
  next: CurrentTier;
  change: TierChange | null;
  /**
   * Set when the member is already below `next`'s threshold: without new qualifying activity they
   * lose it at this instant (what the member page shows as "Gold until …"). It does not foresee
   * activity that has yet to leave the window.
   */
  graceUntil: Date | null;
};

export type EvaluateTierInput = {
  current: CurrentTier | null;
  activity: readonly QualifyingActivity[];
  config: TierRulesInput;
  now: Date;
  graceDays: number;
  /** Handles whose entry reward this member already received (from the tier history). */
  alreadyRewarded?: readonly string[];
  /** The shop's IANA time zone; only CALENDAR_YEAR reads it. */
  timezone?: string;
  /** Ignored once lapsed, or when its tier is no longer configured. */
  credit?: TierCredit | null;
};

/**
 * The member's tier at `now`.
 *
 * Up: as soon as the total reaches a higher threshold, straight to the highest tier it reaches;
 * every tier passed on the way (the destination included) with an entry reward not yet received
 * is in `rewardsFor`.
 *
 * Down: for a tier L above the one the total reaches, let `belowSince` be the start of the
 * current unbroken stretch during which the total has been below L's threshold, recomputed from
 * the activity history (each activity adds its amount at `at` and removes it at
 * `leavesWindowAt(at)`), and never earlier than the rules' `effectiveFrom`. L is lost at
 * `periodEnd(belowSince) + graceDays` days, where periodEnd is `belowSince` itself for LIFETIME
 * and ROLLING_12_MONTHS and the first start of a year (shop time) at or after it for
 * CALENDAR_YEAR. So a clawback mid-window demotes only after the grace period (LIFETIME: the grace
 * period after the clawback, as a lifetime window never moves; CALENDAR_YEAR: the grace period
 * after the year ends), and any moment back at the threshold restarts the clock. The member lands
 * on the highest tier not lost, which may be between the current tier and the one the total
 * reaches. The scheduled job applies downgrades; `since` records the change and plays no part in
 * the timing, which depends on the activity alone.
 *
 * Credit: while a `credit` holds, the member is never below its tier. Activity still upgrades past
 * it as usual; below its threshold the member keeps it, with `graceUntil` the credit's end (or the
 * activity's own, if later). A credited tier pays no entry reward: rewards are for tiers reached
 * through activity here, and the shopper reached this one in another app. Once the credit lapses
 * the evaluation is the one without it.
 */
export function evaluateTier(input: EvaluateTierInput): TierEvaluation {
  const { current, config, graceDays } = input;
  const timezone = input.timezone ?? "UTC";
  const now = instant(input.now, "now");
  assertNonNegativeInteger(graceDays, "graceDays");
  const levels = orderedLevels(config.levels);
  const handles = levels.map(levelHandle);
  const total = qualifyingTotal(
    input.activity,
    config.basis,
    config.window,
    input.now,
    timezone,
  );
  const reached = levels.indexOf(tierFor(total, levels));
  const rewarded = new Set(input.alreadyRewarded ?? []);
  const rewardsBetween = (fromIndex: number, toIndex: number): string[] =>
    levels
      .slice(fromIndex + 1, toIndex + 1)
      .filter((level) => (level.entryRewardPoints ?? 0) > 0)
      .map(levelHandle)
      .filter((handle) => !rewarded.has(handle));
  const changeTo = (
    index: number,
    change: Omit<TierChange, "to">,
    graceUntil: Date | null,
  ): TierEvaluation => {
    const to = nth(handles, index);
    return {
      next: { handle: to, since: new Date(now) },
      change: { ...change, to },
      graceUntil,
    };
  };

  const credit = heldCredit(input.credit, handles, now);
  const held = (index: number) => credit !== null && index <= credit.index;
  const creditEnd =
    credit === null || credit.until === null ? null : new Date(credit.until);

  const currentIndex = current === null ? -1 : handles.indexOf(current.handle);
  if (current === null || currentIndex === -1) {
    // Placed from scratch; the first tier is where everyone starts, so it never pays a reward.
    const placed = Math.max(reached, credit?.index ?? -1);
    return changeTo(
      placed,
      {
        from: current === null ? null : current.handle,
        direction: "UP",
        reason:
          placed > reached
            ? "IMPORTED"
            : current === null
              ? "ENROLLED"
              : "TIER_REMOVED",
        rewardsFor: rewardsBetween(0, reached),
      },
      placed > reached ? creditEnd : null,
    );
  }
  if (
    credit !== null &&
    credit.index > currentIndex &&
    credit.index > reached
  ) {
    return changeTo(
      credit.index,
      {
        from: current.handle,
        direction: "UP",
        reason: "IMPORTED",
        rewardsFor: rewardsBetween(currentIndex, reached),
      },
      creditEnd,
    );
  }
  if (reached > currentIndex) {
    return changeTo(
      reached,
      {
        from: current.handle,
        direction: "UP",
        reason: "THRESHOLD_REACHED",
        rewardsFor: rewardsBetween(currentIndex, reached),
      },
      null,
    );
  }
  if (reached === currentIndex) {
    return { next: current, change: null, graceUntil: null };
  }

  const events = windowEvents(
    input.activity,
    config.basis,
    config.window,
    now,
    timezone,
  );
  const effectiveFrom =
    config.effectiveFrom === undefined || config.effectiveFrom === null
      ? null
      : instant(config.effectiveFrom, "effectiveFrom");
  const loss = (index: number): Loss => {
    const run = belowRun(events, nth(levels, index).threshold);
    if (run === null) {
      throw new Error("a tier above the one reached must be below threshold");
    }
    return lossOf(run, effectiveFrom, config.window, graceDays, timezone);
  };
  const kept = (index: number, indexLoss: Loss) =>
    !isDue(indexLoss, now) || held(index);
  // A tier kept by both activity and credit is kept until the later of the two ends.
  const keptUntil = (index: number, indexLoss: Loss): Date | null => {
    if (!held(index)) return lossDate(indexLoss);
    if (creditEnd === null || isDue(indexLoss, now)) return creditEnd;
    return new Date(Math.max(creditEnd.getTime(), indexLoss.when ?? 0));
  };
  // Losing a tier implies losing every tier above it (a higher threshold was crossed no later and
  // its clock started no later), so the member keeps the highest tier whose loss is not yet due.
  const currentLoss = loss(currentIndex);
  if (kept(currentIndex, currentLoss)) {
    return {
      next: current,
      change: null,
      graceUntil: keptUntil(currentIndex, currentLoss),
    };
  }
  let target = reached;
  let targetUntil: Date | null = null;
  for (let index = currentIndex - 1; index > reached; index -= 1) {
    const candidate = loss(index);
    if (kept(index, candidate)) {
      target = index;
      targetUntil = keptUntil(index, candidate);
      break;
    }
  }
  return changeTo(
    target,
    {
      from: current.handle,
      direction: "DOWN",
      reason: currentLoss.reason,
      rewardsFor: [],
    },
    targetUntil,
  );
}

/** The credit's tier (its index in `handles`) and end, or null when it lapsed or has no tier. */
function heldCredit(
  credit: TierCredit | null | undefined,
  handles: readonly string[],
  now: number,
): { index: number; until: number | null } | null {
  if (credit === null || credit === undefined) return null;
  const index = handles.indexOf(credit.handle);
  const until =
    credit.until === null ? null : instant(credit.until, "credit.until");
  if (index === -1 || (until !== null && until <= now)) return null;
  return { index, until };
}

/**
 * When a tier credited at `creditedAt` lapses: it lasts as long as a tier reached by activity at
 * that moment would be kept with no activity after it, so an imported shopper has the same time
 * to requalify as one who qualified here that day. That is when the activity leaves the window
 * plus the grace period, by the rules that time a loss (CALENDAR_YEAR: the grace period after the
 * year ends in the shop's time zone); a LIFETIME window never moves, so such a credit never lapses.
 */
export function tierCreditUntil(
  creditedAt: Date,
  window: TierWindow,
  graceDays: number,
  timezone = "UTC",
): Date | null {
  assertNonNegativeInteger(graceDays, "graceDays");
  const leaves = leavesWindowAtMs(
    instant(creditedAt, "creditedAt"),
    window,
    timezone,
  );
  if (leaves === null) return null;
  return lossDate(
    lossOf(
      { since: leaves, cause: "WINDOW_MOVED" },
      null,
      window,
      graceDays,
      timezone,
    ),
  );
}

type WindowEvent = {
  at: number;
  delta: bigint;
  /** A negative amount entering the window: a clawback, refund or cancel. */
  clawback: boolean;
};

/** The total as a step function of time up to `now`: entries into and exits from the window. */
function windowEvents(
  activity: readonly QualifyingActivity[],
  basis: TierBasis,
  window: TierWindow,
  now: number,
  timezone: string,
): WindowEvent[] {
  const events: WindowEvent[] = [];
  for (const item of activity) {
    const amount = activityAmount(item, basis);
    const at = instant(item.at, "activity.at");
    if (amount === 0 || at > now) continue;
    events.push({ at, delta: BigInt(amount), clawback: amount < 0 });
    const leaves = leavesWindowAtMs(at, window, timezone);
    if (leaves !== null && leaves <= now) {
      events.push({ at: leaves, delta: -BigInt(amount), clawback: false });
    }
  }
  return events.sort((a, b) => a.at - b.at);
}

/** since null: the total was below the threshold for all of history. */
type BelowRun = {
  since: number | null;
  cause: "CLAWBACK" | "WINDOW_MOVED" | null;
};

/** The unbroken stretch ending at `now` during which the total was below `threshold`, if any. */
function belowRun(
  events: readonly WindowEvent[],
  threshold: number,
): BelowRun | null {
  const limit = BigInt(threshold);
  let total = 0n;
  let run: BelowRun | null =
    limit > total ? { since: null, cause: null } : null;
  let index = 0;
  while (index < events.length) {
    const time = nth(events, index).at;
    let clawback = false;
    // Everything at one instant applies together: an order and its same-instant refund never
    // open a stretch between them.
    while (index < events.length && nth(events, index).at === time) {
      const event = nth(events, index);
      total += event.delta;
      clawback ||= event.clawback;
      index += 1;
    }
    if (total >= limit) {
      run = null;
    } else if (run === null) {
      run = { since: time, cause: clawback ? "CLAWBACK" : "WINDOW_MOVED" };
    }
  }
  return run;
}

/** when null: lost already (below for all of history and no `effectiveFrom` to wait from). */
type Loss = { when: number | null; reason: TierChangeReason };

function lossOf(
  run: BelowRun,
  effectiveFrom: number | null,
  window: TierWindow,
  graceDays: number,
  timezone: string,
): Loss {
  let since = run.since;
  let reason: TierChangeReason = run.cause ?? "NOT_QUALIFIED";
  if (effectiveFrom !== null && (since === null || since < effectiveFrom)) {
    since = effectiveFrom;
    reason = "RULES_CHANGED";
  }
  if (since === null) return { when: null, reason };
  const periodEnd =
    window === "CALENDAR_YEAR" ? yearStartAtOrAfter(since, timezone) : since;
  return { when: periodEnd + graceDays * DAY_MS, reason };
}

function isDue(loss: Loss, now: number): boolean {
  return loss.when === null || loss.when <= now;
}

function lossDate(loss: Loss): Date | null {
  return loss.when === null ? null : new Date(loss.when);
}

// ---------------------------------------------------------------------------------------------
// Rule change preview.

export type PreviewMember = {
  id: string;
  /** Not read: the preview compares standings (see below); accepted so evaluated rows fit as is. */
  current?: CurrentTier | null;
  activity: readonly QualifyingActivity[];
  /** A held tier credit keeps its tier in the standing under either rules that still have it. */
  credit?: TierCredit | null;
};

/**
 * Who a change of thresholds, basis or window moves: each member's standing (the tier their
 * activity reaches at `now`) under the old rules against the new. Comparing standings rather than
 * stored tiers leaves out members the old rules already move (in a grace period, say), so the
 * lists show what the change itself does; upgrades then apply at once and downgrades after the
 * grace period. Ranks are the new rules' order; a tier the new rules drop ranks where its old
 * threshold falls among the new ones.
 */
export function previewRuleChange(
  members: readonly PreviewMember[],
  oldConfig: TierRulesInput,
  newConfig: TierRulesInput,
  now: Date,
  timezone = "UTC",
): { up: string[]; down: string[]; unchanged: number } {
  const newLevels = orderedLevels(newConfig.levels);
  const newHandles = newLevels.map(levelHandle);
  // Even ranks for the new tiers, odd ones between them for tiers only the old rules have.
  const rankOfNew = (level: TierLevelInput): number =>
    2 * newHandles.indexOf(levelHandle(level));
  const rankOfOld = (level: TierLevelInput): number => {
    const index = newHandles.indexOf(levelHandle(level));
    if (index !== -1) return 2 * index;
    return 2 * newLevels.indexOf(tierFor(level.threshold, newLevels)) + 1;
  };
  const up: string[] = [];
  const down: string[] = [];
  let unchanged = 0;
  for (const member of members) {
    const before = rankOfOld(standing(member, oldConfig, now, timezone));
    const after = rankOfNew(standing(member, newConfig, now, timezone));
    if (after > before) up.push(member.id);
    else if (after < before) down.push(member.id);
    else unchanged += 1;
  }
  return { up, down, unchanged };
}

/** The tier the member's activity reaches at `now`, or their held credit's when that is higher. */
function standing(
  member: PreviewMember,
  config: TierRulesInput,
  now: Date,
  timezone: string,
): TierLevelInput {
  const total = qualifyingTotal(
    member.activity,
    config.basis,
    config.window,
    now,
    timezone,
  );
  const levels = orderedLevels(config.levels);
  const reached = tierFor(total, levels);
  const credit = heldCredit(
    member.credit,
    levels.map(levelHandle),
    instant(now, "now"),
  );
  return credit !== null && credit.index > levels.indexOf(reached)
    ? nth(levels, credit.index)
    : reached;
}

/** The program's tier handles from the lowest tier up: a handle's index is its rank. */
export const rankedHandles = (levels: readonly TierLevelInput[]): string[] =>
  orderedLevels(levels).map(levelHandle);

// ---------------------------------------------------------------------------------------------
// Helpers.

function orderedLevels(levels: readonly TierLevelInput[]): TierLevelInput[] {
  if (levels.length === 0) throw new RangeError("a tier program has levels");
  const ordered = [...levels].sort((a, b) => a.threshold - b.threshold);
  ordered.forEach((level, index) => {
    assertNonNegativeInteger(level.threshold, `levels[${index}].threshold`);
    const previous = ordered[index - 1];
    if (previous !== undefined && previous.threshold === level.threshold) {
      throw new RangeError("tier thresholds strictly increase");
    }
  });
  const handles = ordered.map(levelHandle);
  if (handles.some((handle) => handle === "")) {
    throw new RangeError("every tier has a handle");
  }
  if (new Set(handles).size !== handles.length) {
    throw new RangeError("tier handles are unique");
  }
  return ordered;
}

function activityAmount(item: QualifyingActivity, basis: TierBasis): number {
  const amount = basis === "POINTS_EARNED" ? item.points : item.spentMinor;
  assertSafeInteger(
    amount,
    basis === "POINTS_EARNED" ? "activity.points" : "activity.spentMinor",
  );
  return amount;
}

function instant(date: Date, name: string): number {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`${name} is an invalid date`);
  return ms;
}

function toSafeTotal(total: bigint): number {
  const result = Number(total);
  if (!Number.isSafeInteger(result)) {
    throw new RangeError(`qualifying total ${total} is not a safe integer`);
  }
  return result;
}

function nth<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new RangeError(`no item at ${index}`);
  return item;
}

// Local years through Intl: the only time zone database the pure core may use. Formatters and
// year starts are memoised because a scheduled job evaluates every member of a shop in one go.
const yearFormatters = new Map<string, Intl.DateTimeFormat>();
const yearStarts = new Map<string, number>();

function localYear(ms: number, timezone: string): number {
  let formatter = yearFormatters.get(timezone);
  if (formatter === undefined) {
    // Throws RangeError for an unknown zone: the shop's time zone comes from Shopify, so a bad
    // one is a broken invariant.
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      year: "numeric",
      calendar: "gregory",
      numberingSystem: "latn",
    });
    yearFormatters.set(timezone, formatter);
  }
  const part = formatter
    .formatToParts(ms)
    .find((candidate) => candidate.type === "year");
  const year = part === undefined ? Number.NaN : Number(part.value);
  if (!Number.isSafeInteger(year)) {
    throw new RangeError(`no year for ${new Date(ms).toISOString()}`);
  }
  return year;
}

/** The first instant of `year` in `timezone`, found by bisection on the local year. */
function yearStartMs(year: number, timezone: string): number {
  const key = `${timezone}|${year}`;
  const cached = yearStarts.get(key);
  if (cached !== undefined) return cached;
  // UTC offsets stay within ±14 hours, so local New Year lies within a day of UTC's.
  let before = Date.UTC(year, 0, 1) - 2 * DAY_MS;
  let after = Date.UTC(year, 0, 1) + 2 * DAY_MS;
  if (
    localYear(before, timezone) >= year ||
    localYear(after, timezone) < year
  ) {
    throw new RangeError(`cannot place New Year ${year} in ${timezone}`);
  }
  while (after - before > 1) {
    const middle = before + Math.floor((after - before) / 2);
    if (localYear(middle, timezone) >= year) after = middle;
    else before = middle;
  }
  yearStarts.set(key, after);
  return after;
}

function yearStartAtOrAfter(ms: number, timezone: string): number {
  const year = localYear(ms, timezone);
  const start = yearStartMs(year, timezone);
  return start === ms ? ms : yearStartMs(year + 1, timezone);
}

/** The first instant of the calendar year containing `at` in `timezone` (exposed for tests). */
export function localYearStart(at: Date, timezone = "UTC"): Date {
  return new Date(
    yearStartMs(localYear(instant(at, "at"), timezone), timezone),
  );
}

/**
 * Whether an increase of the member's lifetime earnings can change their tier. With a lifetime
 * window on points earned the tier is a function of `lifetimeEarned` and a held tier credit, so
 * most orders need no review (a credited member earning below their tier included); every other
 * window needs the dated history, so it is always reviewed.
 */
export function tierReviewNeeded(
  rules: TierRulesInput,
  currentHandle: string | null,
  lifetimeEarned: number,
  credit: TierCredit | null,
  now: Date,
): boolean {
  if (rules.basis !== "POINTS_EARNED" || rules.window !== "LIFETIME")
    return true;
  const levels = orderedLevels(rules.levels);
  const handles = levels.map(levelHandle);
  const reached = levels.indexOf(tierFor(lifetimeEarned, levels));
  const floor =
    heldCredit(credit, handles, instant(now, "now"))?.index ?? reached;
  return nth(handles, Math.max(reached, floor)) !== currentHandle;
}

/** An order that earned, with what was refunded and whether it was cancelled, for spend tiers. */
export type SpendingOrder = {
  at: Date;
  baseMinor: number;
  lineBases: readonly LineBase[];
  refunds: readonly {
    at: Date;
    lines: readonly RefundedLine[];
    moneyRefunded: boolean;
  }[];
  cancelledAt: Date | null;
};

/**
 * The AMOUNT_SPENT activity of a member's orders: each order's earning base when it was paid,
 * each refund's share of it (negative) when refunded, and on a cancellation whatever was left.
 * In the same terms as the points, so a spend tier and a points tier treat a refund alike.
 */
export function spendActivity(
  orders: readonly SpendingOrder[],
): QualifyingActivity[] {
  const activity: QualifyingActivity[] = [];
  for (const order of orders) {
    activity.push({ at: order.at, points: 0, spentMinor: order.baseMinor });
    let refunded = 0;
    const earlier: (readonly RefundedLine[])[] = [];
    const byDate = [...order.refunds].sort(
      (a, b) => a.at.getTime() - b.at.getTime(),
    );
    for (const refund of byDate) {
      if (!refund.moneyRefunded) continue;
      const share = Math.min(
        refundedBase(order.lineBases, earlier, refund.lines),
        order.baseMinor - refunded,
      );
      earlier.push(refund.lines);
      if (share <= 0) continue;
      refunded += share;
      activity.push({ at: refund.at, points: 0, spentMinor: -share });
    }
    if (order.cancelledAt && order.baseMinor - refunded > 0) {
      activity.push({
        at: order.cancelledAt,
        points: 0,
        spentMinor: -(order.baseMinor - refunded),
      });
    }
  }
  return activity;
}

export type TierStanding = {
  name: string;
  handle: string;
  basis: TierBasis;
  /** What counts toward the tiers (points, or minor units spent) inside the window. */
  progress: number;
  /** Null at the top tier: there is nothing to reach, and a 0 would read as "about to move up". */
  next: { name: string; threshold: number; remaining: number } | null;
};

/**
 * Where a member stands: the tier they hold and what the next one still needs, from the total that
 * qualifies. A member placed in no known tier is measured from the tier the total reaches (below
 * the first threshold, as a refund can leave it, still places in the first). Null without tiers.
 */
export function tierStanding(
  tiers: TierRulesInput,
  tierHandle: string | null,
  qualifying: number,
): TierStanding | null {
  const ordered = [...tiers.levels].sort((a, b) => a.threshold - b.threshold);
  let index = ordered.findIndex((level) => levelHandle(level) === tierHandle);
  if (index === -1)
    index = Math.max(
      0,
      ordered.findLastIndex((level) => level.threshold <= qualifying),
    );
  const current = ordered[index];
  if (!current) return null;
  const next = ordered[index + 1];
  return {
    name: current.name,
    handle: levelHandle(current),
    basis: tiers.basis,
    progress: qualifying,
    next: next
      ? {
          name: next.name,
          threshold: next.threshold,
          remaining: Math.max(0, next.threshold - qualifying),
        }
      : null,
  };
}
