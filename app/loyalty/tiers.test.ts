import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { earnRuleSchema, evaluateEarn, type EarnModifier } from "./earn-rule";
import {
  adjust,
  applyWrite,
  earn,
  emptyMemberState,
  hold,
  matureDue,
  post,
  reverseEarn,
  type LedgerWrite,
  type NewEntry,
} from "./ledger";
import { defaultProgramConfig } from "./program";
import {
  evaluateTier,
  leavesWindowAt,
  levelHandle,
  localYearStart,
  pointsActivity,
  previewRuleChange,
  spendActivity,
  qualifyingTotal,
  tagChanges,
  tierFor,
  tierHandle,
  tierModifiers,
  tierReviewNeeded,
  tierCreditUntil,
  tierRulesSchema,
  tierTag,
  type CurrentTier,
  type EvaluateTierInput,
  type QualifyingActivity,
  type TierChangeReason,
  type TierLevelInput,
  type TierRules,
  type TierWindow,
} from "./tiers";

const DAY = 86_400_000;
const date = (iso: string): Date => new Date(iso);

const BRONZE = { name: "Bronze", threshold: 0 };
const SILVER = {
  name: "Silver",
  threshold: 500,
  entryRewardPoints: 50,
  earnMultiplierBasisPoints: 12_500,
};
const GOLD = {
  name: "Gold",
  threshold: 1_500,
  entryRewardPoints: 200,
  earnMultiplierBasisPoints: 15_000,
};

type RulesOverrides = Partial<z.input<typeof tierRulesSchema>>;

const rules = (overrides: RulesOverrides = {}): TierRules =>
  tierRulesSchema.parse({
    basis: "POINTS_EARNED",
    window: "LIFETIME",
    levels: [BRONZE, SILVER, GOLD],
    ...overrides,
  });

const earned = (iso: string, points: number): QualifyingActivity => ({
  at: date(iso),
  points,
  spentMinor: 0,
});
const spent = (iso: string, spentMinor: number): QualifyingActivity => ({
  at: date(iso),
  points: 0,
  spentMinor,
});
const tier = (handle: string, since = "2024-01-01T00:00:00Z"): CurrentTier => ({
  handle,
  since: date(since),
});

const evaluate = (
  input: Partial<EvaluateTierInput> &
    Pick<EvaluateTierInput, "activity" | "now">,
) => evaluateTier({ current: null, config: rules(), graceDays: 30, ...input });

type Step = {
  now: string;
  /** The member's tier after the step. */
  handle: string;
  /** The change made at this step, if any. */
  reason?: TierChangeReason;
  graceUntil?: string;
};

/** Walks a member through time like the service and the scheduled job would. */
function walk(
  config: TierRules,
  activity: readonly QualifyingActivity[],
  steps: readonly Step[],
  options: { graceDays?: number; timezone?: string; start?: CurrentTier } = {},
): void {
  let current: CurrentTier | null = options.start ?? null;
  const rewarded: string[] = [];
  for (const step of steps) {
    const result = evaluateTier({
      current,
      activity,
      config,
      now: date(step.now),
      graceDays: options.graceDays ?? 30,
      alreadyRewarded: rewarded,
      timezone: options.timezone,
    });
    expect(result.next.handle, step.now).toBe(step.handle);
    expect(result.change?.reason, step.now).toBe(step.reason);
    expect(result.graceUntil?.toISOString(), step.now).toBe(step.graceUntil);
    rewarded.push(...(result.change?.rewardsFor ?? []));
    current = result.next;
  }
}

describe("tierRulesSchema", () => {
  it("adopts program.ts's default tiers and fills the perks and settings", () => {
    expect(tierRulesSchema.parse(defaultProgramConfig("USD").tiers)).toEqual({
      basis: "POINTS_EARNED",
      window: "LIFETIME",
      levels: [
        {
          name: "Bronze",
          threshold: 0,
          earnMultiplierBasisPoints: 10_000,
          entryRewardPoints: 0,
        },
        {
          name: "Silver",
          threshold: 500,
          earnMultiplierBasisPoints: 10_000,
          entryRewardPoints: 0,
        },
        {
          name: "Gold",
          threshold: 1_500,
          earnMultiplierBasisPoints: 10_000,
          entryRewardPoints: 0,
        },
      ],
      graceDays: 30,
      tagPrefix: "loyalty-tier:",
      effectiveFrom: null,
    });
  });

  const levels = [
    { name: "Bronze", threshold: 0 },
    { name: "Gold", threshold: 1_500 },
  ];
  it.each([
    ["thresholds that do not increase", { levels: [...levels].reverse() }],
    [
      "two tiers with one handle",
      { levels: [levels[0], { name: "Gold", threshold: 9, handle: "bronze" }] },
    ],
    [
      "a name without a usable handle",
      { levels: [levels[0], { name: "★★★", threshold: 9 }] },
    ],
    [
      "a handle that is not lowercase-dashed",
      {
        levels: [levels[0], { name: "Gold", threshold: 9, handle: "Gold VIP" }],
      },
    ],
    [
      "an entry reward on the first tier",
      {
        levels: [{ name: "Bronze", threshold: 0, entryRewardPoints: 10 }],
      },
    ],
    [
      "a multiplier below ×1",
      {
        levels: [
          levels[0],
          { name: "Gold", threshold: 9, earnMultiplierBasisPoints: 9_999 },
        ],
      },
    ],
    ["a tag prefix with a comma", { tagPrefix: "vip,tier:" }],
    ["a negative grace period", { graceDays: -1 }],
  ])("rejects %s", (_label, overrides) => {
    const result = tierRulesSchema.safeParse({
      basis: "POINTS_EARNED",
      window: "LIFETIME",
      levels,
      ...overrides,
    });
    expect(result.success).toBe(false);
  });

  it("accepts an explicit handle for a name that has none", () => {
    const parsed = tierRulesSchema.parse({
      basis: "AMOUNT_SPENT",
      window: "CALENDAR_YEAR",
      levels: [levels[0], { name: "★★★", threshold: 9, handle: "stars" }],
    });
    expect(parsed.levels.map(levelHandle)).toEqual(["bronze", "stars"]);
  });
});

describe("tierHandle", () => {
  it.each([
    ["Gold VIP", "gold-vip"],
    ["  Silver  ", "silver"],
    ["Platinum+ (2025)", "platinum-2025"],
    ["Złoty Klient", "zloty-klient"],
    ["Kuldne ÕÄÖÜ Šž", "kuldne-oaou-sz"],
    ["Золото", "zoloto"],
    ["Щедрий клієнт", "shchedriy-kliyent"],
    ["Straße Æon", "strasse-aeon"],
    ["★★★", ""],
    ["a".repeat(39) + " b", "a".repeat(39)],
  ])("%s → %s", (name, handle) => {
    expect(tierHandle(name)).toBe(handle);
  });

  it("always gives lowercase ASCII words joined by single dashes, or nothing", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 60 }), (name) => {
        const handle = tierHandle(name);
        expect(handle.length).toBeLessThanOrEqual(40);
        expect(handle).toMatch(/^(?:[a-z0-9]+(?:-[a-z0-9]+)*)?$/);
        expect(tierHandle(handle)).toBe(handle);
      }),
    );
  });
});

describe("tierTag and tagChanges", () => {
  it("builds the tag from the prefix and the handle", () => {
    expect(tierTag("loyalty-tier:", "gold-vip")).toBe("loyalty-tier:gold-vip");
    expect(() => tierTag("loyalty-tier:", "")).toThrow(RangeError);
  });

  it.each([
    {
      label: "first tag, foreign tags untouched",
      tags: ["vip", "newsletter"],
      target: "silver",
      add: ["loyalty-tier:silver"],
      remove: [],
    },
    {
      label: "upgrade replaces the old tier tag",
      tags: ["vip", "loyalty-tier:silver"],
      target: "gold",
      add: ["loyalty-tier:gold"],
      remove: ["loyalty-tier:silver"],
    },
    {
      label: "already right: nothing to do",
      tags: ["loyalty-tier:gold", "wholesale"],
      target: "gold",
      add: [],
      remove: [],
    },
    {
      label: "the target in another case is kept, every stray spelling removed",
      tags: [
        "Loyalty-Tier:Gold",
        "loyalty-tier:bronze",
        " LOYALTY-TIER:BRONZE",
        "loyalty-tier:bronze",
      ],
      target: "gold",
      add: [],
      remove: ["loyalty-tier:bronze", " LOYALTY-TIER:BRONZE"],
    },
    {
      label: "null target clears every tier tag",
      tags: ["loyalty-tier:gold", "loyalty-tier-old", "loyalty"],
      target: null,
      add: [],
      remove: ["loyalty-tier:gold"],
    },
  ])("$label", ({ tags, target, add, remove }) => {
    expect(tagChanges(tags, target, "loyalty-tier:")).toEqual({ add, remove });
  });

  const prefixArb = fc.constantFrom("loyalty-tier:", "VIP-", "t/");
  const handleArb = fc.constantFrom("bronze", "silver", "gold", "gold-vip");
  const casing = (text: string, upper: boolean[]): string =>
    [...text]
      .map((char, index) => (upper[index] ? char.toUpperCase() : char))
      .join("");

  it("keeps foreign tags and leaves exactly the target tier tag (property)", () => {
    fc.assert(
      fc.property(
        prefixArb,
        fc.option(handleArb, { nil: null }),
        fc.array(
          fc.oneof(
            fc.string({ maxLength: 12 }).map((tag) => ({ foreign: tag })),
            fc.record({
              handle: handleArb,
              upper: fc.array(fc.boolean(), { maxLength: 20 }),
            }),
          ),
          { maxLength: 8 },
        ),
        (prefix, target, picks) => {
          const isTierTag = (tag: string) =>
            tag.trim().toLowerCase().startsWith(prefix.toLowerCase());
          const current = picks.map((pick) =>
            "foreign" in pick
              ? pick.foreign
              : casing(`${prefix}${pick.handle}`, pick.upper),
          );
          const { add, remove } = tagChanges(current, target, prefix);
          const result = [
            ...current.filter((tag) => !remove.includes(tag)),
            ...add,
          ];

          expect(remove.every((tag) => current.includes(tag))).toBe(true);
          expect(result.filter((tag) => !isTierTag(tag))).toEqual(
            current.filter((tag) => !isTierTag(tag)),
          );
          const tierTags = new Set(
            result.filter(isTierTag).map((tag) => tag.trim().toLowerCase()),
          );
          expect([...tierTags]).toEqual(
            target === null ? [] : [`${prefix}${target}`.toLowerCase()],
          );
          expect(tagChanges(result, target, prefix)).toEqual({
            add: [],
            remove: [],
          });
        },
      ),
    );
  });
});

describe("tierModifiers", () => {
  it.each<[string, TierLevelInput, EarnModifier[]]>([
    ["a ×1 tier adds nothing", BRONZE, []],
    [
      "silver ×1.25",
      SILVER,
      [{ source: "tier:silver", multiplierBasisPoints: 12_500 }],
    ],
    [
      "gold ×1.5",
      GOLD,
      [{ source: "tier:gold", multiplierBasisPoints: 15_000 }],
    ],
    [
      "the stored handle, not the name",
      {
        name: "Gold VIP",
        threshold: 9,
        handle: "gold",
        earnMultiplierBasisPoints: 20_000,
      },
      [{ source: "tier:gold", multiplierBasisPoints: 20_000 }],
    ],
  ])("%s", (_label, level, modifiers) => {
    expect(tierModifiers(level)).toEqual(modifiers);
  });

  it("plugs into evaluateEarn and is snapshotted on the entry", () => {
    const evaluation = evaluateEarn(
      {
        currency: "USD",
        lines: [
          {
            quantity: 1,
            unitPriceMinor: 10_000,
            discountMinor: 0,
            loyaltyDiscountMinor: 0,
            isGiftCard: false,
          },
        ],
        shippingMinor: 0,
        taxMinor: 0,
        tipMinor: 0,
      },
      earnRuleSchema.parse({ points: 1, perAmountMinor: 100 }),
      tierModifiers(GOLD),
    );
    expect(evaluation.points).toBe(150);
    expect(evaluation.snapshot.sources).toEqual(["tier:gold"]);
    expect(evaluation.snapshot.multiplierBasisPoints).toBe(15_000);
  });
});

describe("leavesWindowAt", () => {
  it.each<[string, TierWindow, string, string | null]>([
    ["lifetime never", "LIFETIME", "2024-03-10T10:00:00.000Z", null],
    [
      "12 months later",
      "ROLLING_12_MONTHS",
      "2024-03-10T10:00:00.000Z",
      "2025-03-10T10:00:00.000Z",
    ],
    [
      "31 Jan → 31 Jan",
      "ROLLING_12_MONTHS",
      "2024-01-31T23:59:59.999Z",
      "2025-01-31T23:59:59.999Z",
    ],
    [
      "28 Feb → 28 Feb",
      "ROLLING_12_MONTHS",
      "2024-02-28T23:59:59.999Z",
      "2025-02-28T23:59:59.999Z",
    ],
    [
      "29 Feb → 1 Mar 00:00",
      "ROLLING_12_MONTHS",
      "2024-02-29T15:30:00.000Z",
      "2025-03-01T00:00:00.000Z",
    ],
    [
      "28 Feb into a leap year",
      "ROLLING_12_MONTHS",
      "2027-02-28T12:00:00.000Z",
      "2028-02-28T12:00:00.000Z",
    ],
    [
      "1 Mar into a leap year",
      "ROLLING_12_MONTHS",
      "2027-03-01T00:00:00.000Z",
      "2028-03-01T00:00:00.000Z",
    ],
    [
      "New Year's Eve",
      "ROLLING_12_MONTHS",
      "2024-12-31T23:59:59.999Z",
      "2025-12-31T23:59:59.999Z",
    ],
    [
      "calendar year, UTC",
      "CALENDAR_YEAR",
      "2024-06-01T00:00:00.000Z",
      "2025-01-01T00:00:00.000Z",
    ],
  ])("%s", (_label, window, at, leaves) => {
    expect(leavesWindowAt(date(at), window)?.toISOString() ?? null).toBe(
      leaves,
    );
  });

  it.each([
    ["Pacific/Auckland", "2024-06-01T00:00:00Z", "2024-12-31T11:00:00.000Z"],
    ["America/Los_Angeles", "2024-06-01T00:00:00Z", "2025-01-01T08:00:00.000Z"],
    ["Asia/Kolkata", "2024-06-01T00:00:00Z", "2024-12-31T18:30:00.000Z"],
    // Samoa skipped 30 December 2011 when it moved across the date line.
    ["Pacific/Apia", "2011-12-29T12:00:00Z", "2011-12-31T10:00:00.000Z"],
    // Already 2025 in Auckland: the next New Year is a year on.
    ["Pacific/Auckland", "2024-12-31T11:30:00Z", "2025-12-31T11:00:00.000Z"],
  ])("calendar year in %s from %s: %s", (timezone, at, leaves) => {
    expect(
      leavesWindowAt(date(at), "CALENDAR_YEAR", timezone)?.toISOString(),
    ).toBe(leaves);
  });

  it("throws for an unknown time zone", () => {
    expect(() =>
      leavesWindowAt(
        date("2024-06-01T00:00:00Z"),
        "CALENDAR_YEAR",
        "Mars/Base",
      ),
    ).toThrow(RangeError);
  });

  const instantArb = fc
    .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) })
    .map((ms) => new Date(ms));

  it("rolling: each activity counts 365 or 366 days, and later activity never leaves first", () => {
    fc.assert(
      fc.property(instantArb, instantArb, (first, second) => {
        const [a, b] = first <= second ? [first, second] : [second, first];
        const leavesA = leavesWindowAt(a, "ROLLING_12_MONTHS")?.getTime() ?? 0;
        const leavesB = leavesWindowAt(b, "ROLLING_12_MONTHS")?.getTime() ?? 0;
        expect(leavesA - a.getTime()).toBeGreaterThanOrEqual(365 * DAY);
        expect(leavesA - a.getTime()).toBeLessThanOrEqual(366 * DAY);
        expect(leavesA).toBeLessThanOrEqual(leavesB);
      }),
    );
  });

  it("calendar year: activity leaves at the first instant of the next local year", () => {
    fc.assert(
      fc.property(
        instantArb,
        fc.constantFrom(
          "UTC",
          "Pacific/Auckland",
          "America/Los_Angeles",
          "Asia/Kathmandu",
          "Pacific/Kiritimati",
        ),
        (at, timezone) => {
          const leaves = leavesWindowAt(at, "CALENDAR_YEAR", timezone);
          expect(leaves).not.toBeNull();
          if (leaves === null) return;
          expect(localYearStart(leaves, timezone)).toEqual(leaves);
          expect(
            localYearStart(new Date(leaves.getTime() - 1), timezone),
          ).toEqual(localYearStart(at, timezone));
          expect(at.getTime()).toBeLessThan(leaves.getTime());
        },
      ),
    );
  });
});

describe("qualifyingTotal", () => {
  const monthEnd = [
    earned("2024-02-28T12:00:00Z", 10),
    earned("2024-02-29T12:00:00Z", 100),
    earned("2024-03-01T12:00:00Z", 1),
  ];
  it.each([
    ["2025-02-28T11:59:59.999Z", 111],
    ["2025-02-28T12:00:00.000Z", 101],
    ["2025-02-28T23:59:59.999Z", 101],
    ["2025-03-01T00:00:00.000Z", 1],
    ["2025-03-01T12:00:00.000Z", 0],
  ])("rolling window around 29 Feb, at %s: %i", (now, total) => {
    expect(
      qualifyingTotal(
        monthEnd,
        "POINTS_EARNED",
        "ROLLING_12_MONTHS",
        date(now),
      ),
    ).toBe(total);
  });

  it.each([
    ["2028-02-28T11:59:59.999Z", 11],
    ["2028-02-29T12:00:00.000Z", 1],
    ["2028-03-01T11:59:59.999Z", 1],
    ["2028-03-01T12:00:00.000Z", 0],
  ])("rolling window into a leap year, at %s: %i", (now, total) => {
    const activity = [
      earned("2027-02-28T12:00:00Z", 10),
      earned("2027-03-01T12:00:00Z", 1),
    ];
    expect(
      qualifyingTotal(
        activity,
        "POINTS_EARNED",
        "ROLLING_12_MONTHS",
        date(now),
      ),
    ).toBe(total);
  });

  // 11:30 UTC on 31 Dec is 00:30 on 1 Jan in Auckland (UTC+13) and 03:30 on 31 Dec in Los Angeles.
  const newYearsEve = [spent("2024-12-31T11:30:00Z", 20_000)];
  // 05:00 UTC on 1 Jan is 18:00 on 1 Jan in Auckland and 21:00 on 31 Dec in Los Angeles.
  const newYearsDay = [spent("2025-01-01T05:00:00Z", 7_000)];
  it.each([
    ["Pacific/Auckland", newYearsEve, "2025-01-15T00:00:00Z", 20_000],
    ["America/Los_Angeles", newYearsEve, "2025-01-15T00:00:00Z", 0],
    ["UTC", newYearsEve, "2025-01-15T00:00:00Z", 0],
    ["America/Los_Angeles", newYearsEve, "2024-12-31T23:00:00Z", 20_000],
    ["Pacific/Auckland", newYearsDay, "2025-01-15T00:00:00Z", 7_000],
    ["America/Los_Angeles", newYearsDay, "2025-01-15T00:00:00Z", 0],
    ["America/Los_Angeles", newYearsDay, "2025-01-01T07:59:59.999Z", 7_000],
    ["UTC", newYearsDay, "2025-01-15T00:00:00Z", 7_000],
  ])("calendar year in %s", (timezone, activity, now, total) => {
    expect(
      qualifyingTotal(
        activity,
        "AMOUNT_SPENT",
        "CALENDAR_YEAR",
        date(now),
        timezone,
      ),
    ).toBe(total);
  });

  it.each<[string, TierWindow, number]>([
    ["lifetime counts everything up to now", "LIFETIME", 1_350],
    ["rolling drops what is over 12 months old", "ROLLING_12_MONTHS", 550],
    ["calendar year keeps this year only", "CALENDAR_YEAR", 250],
  ])("%s", (_label, window, total) => {
    const activity = [
      earned("2023-05-01T00:00:00Z", 800),
      earned("2024-09-01T00:00:00Z", 300),
      earned("2025-02-01T00:00:00Z", 400),
      // A refund of the September order, at its own date.
      earned("2025-03-01T00:00:00Z", -150),
      earned("2025-07-01T00:00:00Z", 999),
    ];
    expect(
      qualifyingTotal(
        activity,
        "POINTS_EARNED",
        window,
        date("2025-04-01T00:00:00Z"),
      ),
    ).toBe(total);
  });

  it("reads the basis: spend ignores points and points ignore spend", () => {
    const activity = [
      { at: date("2025-01-01T00:00:00Z"), points: 40, spentMinor: 4_000 },
    ];
    const now = date("2025-02-01T00:00:00Z");
    expect(qualifyingTotal(activity, "POINTS_EARNED", "LIFETIME", now)).toBe(
      40,
    );
    expect(qualifyingTotal(activity, "AMOUNT_SPENT", "LIFETIME", now)).toBe(
      4_000,
    );
  });

  it("can go below zero when a refund in the window takes back an order from before it", () => {
    const activity = [
      spent("2024-12-20T00:00:00Z", 5_000),
      spent("2025-01-05T00:00:00Z", -5_000),
    ];
    expect(
      qualifyingTotal(
        activity,
        "AMOUNT_SPENT",
        "CALENDAR_YEAR",
        date("2025-01-10T00:00:00Z"),
      ),
    ).toBe(-5_000);
  });

  it.each([
    [{ at: date("2025-01-01T00:00:00Z"), points: 1.5, spentMinor: 0 }],
    [{ at: new Date(Number.NaN), points: 1, spentMinor: 0 }],
  ])("throws on a broken activity %#", (item) => {
    expect(() =>
      qualifyingTotal(
        [item],
        "POINTS_EARNED",
        "LIFETIME",
        date("2025-02-01T00:00:00Z"),
      ),
    ).toThrow(RangeError);
  });
});

describe("tierFor", () => {
  const levels = rules().levels;
  it.each([
    [-10, "Bronze"],
    [0, "Bronze"],
    [499, "Bronze"],
    [500, "Silver"],
    [1_499, "Silver"],
    [1_500, "Gold"],
    [1_000_000_000, "Gold"],
  ])("%i → %s", (total, name) => {
    expect(tierFor(total, levels).name).toBe(name);
    expect(tierFor(total, [...levels].reverse()).name).toBe(name);
  });

  it("throws without levels", () => {
    expect(() => tierFor(0, [])).toThrow(RangeError);
  });
});

describe("evaluateTier", () => {
  describe("placement and upgrades", () => {
    it.each([
      [
        "a new member starts in the first tier",
        [],
        null,
        "bronze",
        "ENROLLED",
        [],
      ],
      [
        "a new member with history lands where it reaches, with rewards",
        [earned("2025-01-01T00:00:00Z", 1_600)],
        null,
        "gold",
        "ENROLLED",
        ["silver", "gold"],
      ],
      [
        "crossing one threshold upgrades at once",
        [earned("2025-01-01T00:00:00Z", 500)],
        tier("bronze"),
        "silver",
        "THRESHOLD_REACHED",
        ["silver"],
      ],
      [
        "skipping a tier gives both rewards",
        [earned("2025-01-01T00:00:00Z", 1_500)],
        tier("bronze"),
        "gold",
        "THRESHOLD_REACHED",
        ["silver", "gold"],
      ],
      [
        "a tier that was removed places the member afresh",
        [earned("2025-01-01T00:00:00Z", 600)],
        tier("platinum"),
        "silver",
        "TIER_REMOVED",
        ["silver"],
      ],
    ])("%s", (_label, activity, current, handle, reason, rewardsFor) => {
      const result = evaluate({
        current,
        activity,
        now: date("2025-01-02T00:00:00Z"),
      });
      expect(result.next).toEqual({
        handle,
        since: date("2025-01-02T00:00:00Z"),
      });
      expect(result.change).toEqual({
        from: current?.handle ?? null,
        to: handle,
        direction: "UP",
        reason,
        rewardsFor,
      });
    });

    it.each([
      [[], ["silver", "gold"]],
      [["silver"], ["gold"]],
      [["silver", "gold"], []],
    ])("already rewarded %j: rewards %j", (alreadyRewarded, rewardsFor) => {
      const result = evaluate({
        current: tier("bronze"),
        activity: [earned("2025-01-01T00:00:00Z", 2_000)],
        now: date("2025-01-02T00:00:00Z"),
        alreadyRewarded,
      });
      expect(result.change?.rewardsFor).toEqual(rewardsFor);
    });

    it("tiers without an entry reward are passed without one", () => {
      const result = evaluate({
        config: rules({
          levels: [
            { name: "Bronze", threshold: 0 },
            { name: "Silver", threshold: 500 },
            { name: "Gold", threshold: 1_500, entryRewardPoints: 200 },
          ],
        }),
        current: tier("bronze"),
        activity: [earned("2025-01-01T00:00:00Z", 1_500)],
        now: date("2025-01-02T00:00:00Z"),
      });
      expect(result.change?.rewardsFor).toEqual(["gold"]);
    });

    it("accepts program.ts's tiers as they are today", () => {
      const result = evaluate({
        config: defaultProgramConfig("USD").tiers,
        current: tier("bronze"),
        activity: [earned("2025-01-01T00:00:00Z", 700)],
        now: date("2025-01-02T00:00:00Z"),
      });
      expect(result.change).toMatchObject({ to: "silver", rewardsFor: [] });
    });

    it("is stable: evaluating the result again changes nothing", () => {
      const input = {
        current: tier("bronze"),
        activity: [earned("2025-01-01T00:00:00Z", 1_600)],
        now: date("2025-01-02T00:00:00Z"),
      };
      const first = evaluate(input);
      const second = evaluate({
        ...input,
        current: first.next,
        alreadyRewarded: first.change?.rewardsFor,
      });
      expect(second).toEqual({
        next: first.next,
        change: null,
        graceUntil: null,
      });
    });
  });

  describe("with a fake clock, per window", () => {
    it.each<[string, TierWindow, QualifyingActivity[], Step[]]>([
      [
        "lifetime: up at once, never down without a clawback",
        "LIFETIME",
        [
          earned("2024-03-10T10:00:00Z", 600),
          earned("2024-08-01T00:00:00Z", 900),
        ],
        [
          {
            now: "2024-03-10T09:59:59.999Z",
            handle: "bronze",
            reason: "ENROLLED",
          },
          {
            now: "2024-03-10T10:00:00Z",
            handle: "silver",
            reason: "THRESHOLD_REACHED",
          },
          {
            now: "2024-08-01T00:00:00Z",
            handle: "gold",
            reason: "THRESHOLD_REACHED",
          },
          { now: "2034-08-01T00:00:00Z", handle: "gold" },
        ],
      ],
      [
        "rolling: down once the window passed the activity and the grace ran out",
        "ROLLING_12_MONTHS",
        [earned("2024-03-10T10:00:00Z", 1_600)],
        [
          { now: "2024-03-10T10:00:00Z", handle: "gold", reason: "ENROLLED" },
          { now: "2025-03-10T09:59:59.999Z", handle: "gold" },
          {
            now: "2025-03-10T10:00:00Z",
            handle: "gold",
            graceUntil: "2025-04-09T10:00:00.000Z",
          },
          {
            now: "2025-04-09T09:59:59.999Z",
            handle: "gold",
            graceUntil: "2025-04-09T10:00:00.000Z",
          },
          {
            now: "2025-04-09T10:00:00Z",
            handle: "bronze",
            reason: "WINDOW_MOVED",
          },
        ],
      ],
      [
        "rolling: down one tier when the rest still qualifies",
        "ROLLING_12_MONTHS",
        [
          earned("2024-03-10T10:00:00Z", 1_000),
          earned("2024-06-01T00:00:00Z", 600),
        ],
        [
          { now: "2024-06-01T00:00:00Z", handle: "gold", reason: "ENROLLED" },
          {
            now: "2025-04-09T10:00:00Z",
            handle: "silver",
            reason: "WINDOW_MOVED",
          },
          {
            now: "2025-06-01T00:00:00Z",
            handle: "silver",
            graceUntil: "2025-07-01T00:00:00.000Z",
          },
          {
            now: "2025-07-01T00:00:00Z",
            handle: "bronze",
            reason: "WINDOW_MOVED",
          },
        ],
      ],
      [
        "rolling: keeps a tier whose own grace is still running",
        "ROLLING_12_MONTHS",
        [
          earned("2024-03-10T10:00:00Z", 1_000),
          earned("2024-03-20T10:00:00Z", 600),
        ],
        [
          { now: "2024-03-20T10:00:00Z", handle: "gold", reason: "ENROLLED" },
          {
            now: "2025-04-09T10:00:00Z",
            handle: "silver",
            reason: "WINDOW_MOVED",
            graceUntil: "2025-04-19T10:00:00.000Z",
          },
          {
            now: "2025-04-19T10:00:00Z",
            handle: "bronze",
            reason: "WINDOW_MOVED",
          },
        ],
      ],
      [
        "rolling: new activity during the grace period keeps the tier",
        "ROLLING_12_MONTHS",
        [
          earned("2024-03-10T10:00:00Z", 1_600),
          earned("2025-04-01T00:00:00Z", 1_500),
        ],
        [
          { now: "2024-03-10T10:00:00Z", handle: "gold", reason: "ENROLLED" },
          {
            now: "2025-03-20T00:00:00Z",
            handle: "gold",
            graceUntil: "2025-04-09T10:00:00.000Z",
          },
          { now: "2025-04-09T10:00:00Z", handle: "gold" },
        ],
      ],
      [
        "calendar year: Gold holds through the year, then the grace period",
        "CALENDAR_YEAR",
        [earned("2024-06-01T00:00:00Z", 1_600)],
        [
          { now: "2024-06-01T00:00:00Z", handle: "gold", reason: "ENROLLED" },
          { now: "2024-12-31T23:59:59.999Z", handle: "gold" },
          {
            now: "2025-01-01T00:00:00Z",
            handle: "gold",
            graceUntil: "2025-01-31T00:00:00.000Z",
          },
          {
            now: "2025-01-31T00:00:00Z",
            handle: "bronze",
            reason: "WINDOW_MOVED",
          },
        ],
      ],
      [
        "calendar year: requalifying in January keeps the tier",
        "CALENDAR_YEAR",
        [
          earned("2024-06-01T00:00:00Z", 1_600),
          earned("2025-01-20T00:00:00Z", 1_500),
        ],
        [
          { now: "2024-06-01T00:00:00Z", handle: "gold", reason: "ENROLLED" },
          { now: "2025-01-31T00:00:00Z", handle: "gold" },
          {
            now: "2026-01-31T00:00:00Z",
            handle: "bronze",
            reason: "WINDOW_MOVED",
          },
        ],
      ],
    ])("%s", (_label, window, activity, steps) => {
      walk(rules({ window }), activity, steps);
    });

    it("a re-upgrade never pays an entry reward twice", () => {
      const activity = [
        earned("2024-03-10T10:00:00Z", 1_600),
        earned("2025-06-01T00:00:00Z", 1_600),
      ];
      let current: CurrentTier | null = null;
      const rewarded: string[] = [];
      const rewardsAt = (now: string): string[] => {
        const result = evaluateTier({
          current,
          activity,
          config: rules({ window: "ROLLING_12_MONTHS" }),
          now: date(now),
          graceDays: 30,
          alreadyRewarded: rewarded,
        });
        current = result.next;
        const rewards = result.change?.rewardsFor ?? [];
        rewarded.push(...rewards);
        return rewards;
      };
      expect(rewardsAt("2024-03-10T10:00:00Z")).toEqual(["silver", "gold"]);
      expect(rewardsAt("2025-04-09T10:00:00Z")).toEqual([]);
      expect(current).toMatchObject({ handle: "bronze" });
      expect(rewardsAt("2025-06-01T00:00:00Z")).toEqual([]);
      expect(current).toMatchObject({ handle: "gold" });
    });
  });

  describe("clawbacks demote only at period end, after the grace period", () => {
    const activity = [
      earned("2024-06-01T00:00:00Z", 1_600),
      earned("2024-09-01T12:00:00Z", -1_000),
    ];
    it.each<[TierWindow, Step[]]>([
      [
        "LIFETIME",
        [
          { now: "2024-06-01T00:00:00Z", handle: "gold", reason: "ENROLLED" },
          {
            now: "2024-09-01T12:00:00Z",
            handle: "gold",
            graceUntil: "2024-10-01T12:00:00.000Z",
          },
          {
            now: "2024-10-01T11:59:59.999Z",
            handle: "gold",
            graceUntil: "2024-10-01T12:00:00.000Z",
          },
          { now: "2024-10-01T12:00:00Z", handle: "silver", reason: "CLAWBACK" },
          { now: "2034-01-01T00:00:00Z", handle: "silver" },
        ],
      ],
      [
        "ROLLING_12_MONTHS",
        [
          { now: "2024-06-01T00:00:00Z", handle: "gold", reason: "ENROLLED" },
          {
            now: "2024-09-01T12:00:00Z",
            handle: "gold",
            graceUntil: "2024-10-01T12:00:00.000Z",
          },
          { now: "2024-10-01T12:00:00Z", handle: "silver", reason: "CLAWBACK" },
          // The order leaves the window before its refund does: the total is −1,000 for a while.
          {
            now: "2025-06-01T00:00:00Z",
            handle: "silver",
            graceUntil: "2025-07-01T00:00:00.000Z",
          },
          {
            now: "2025-07-01T00:00:00Z",
            handle: "bronze",
            reason: "WINDOW_MOVED",
          },
        ],
      ],
      [
        "CALENDAR_YEAR",
        [
          { now: "2024-06-01T00:00:00Z", handle: "gold", reason: "ENROLLED" },
          {
            now: "2024-09-01T12:00:00Z",
            handle: "gold",
            graceUntil: "2025-01-31T00:00:00.000Z",
          },
          {
            now: "2024-12-31T00:00:00Z",
            handle: "gold",
            graceUntil: "2025-01-31T00:00:00.000Z",
          },
          { now: "2025-01-31T00:00:00Z", handle: "bronze", reason: "CLAWBACK" },
        ],
      ],
    ])("%s", (window, steps) => {
      walk(rules({ window }), activity, steps);
    });

    it("a clawback that leaves the total at the threshold changes nothing", () => {
      walk(
        rules(),
        [
          earned("2024-06-01T00:00:00Z", 1_700),
          earned("2024-07-01T00:00:00Z", -200),
        ],
        [
          { now: "2024-06-01T00:00:00Z", handle: "gold", reason: "ENROLLED" },
          { now: "2025-07-01T00:00:00Z", handle: "gold" },
        ],
      );
    });

    it("climbing back during the grace period restarts the clock", () => {
      walk(
        rules(),
        [
          earned("2024-06-01T00:00:00Z", 1_600),
          earned("2024-09-01T00:00:00Z", -200),
          earned("2024-09-20T00:00:00Z", 200),
          earned("2024-09-25T00:00:00Z", -300),
        ],
        [
          { now: "2024-06-01T00:00:00Z", handle: "gold", reason: "ENROLLED" },
          {
            now: "2024-10-01T00:00:00Z",
            handle: "gold",
            graceUntil: "2024-10-25T00:00:00.000Z",
          },
          { now: "2024-10-25T00:00:00Z", handle: "silver", reason: "CLAWBACK" },
        ],
      );
    });

    it("with no grace period the demotion is immediate", () => {
      walk(
        rules(),
        activity,
        [
          { now: "2024-06-01T00:00:00Z", handle: "gold", reason: "ENROLLED" },
          { now: "2024-09-01T12:00:00Z", handle: "silver", reason: "CLAWBACK" },
        ],
        { graceDays: 0 },
      );
    });
  });

  describe("calendar-year boundary in the shop's time zone", () => {
    // Bought at 11:30 UTC on 31 Dec 2024: already 2025 in Auckland, still 2024 in Los Angeles.
    const activity = [spent("2024-12-31T11:30:00Z", 200_000)];
    const config = rules({
      basis: "AMOUNT_SPENT",
      window: "CALENDAR_YEAR",
      levels: [
        { name: "Bronze", threshold: 0 },
        { name: "Gold", threshold: 150_000 },
      ],
    });
    it.each([
      // Los Angeles reaches 2025 at 08:00 UTC: the order no longer counts there.
      ["America/Los_Angeles", "2025-01-01T07:59:59.999Z", "gold", undefined],
      ["America/Los_Angeles", "2025-01-01T08:00:00Z", "bronze", "WINDOW_MOVED"],
      ["Pacific/Auckland", "2025-01-01T08:00:00Z", "gold", undefined],
      ["Pacific/Auckland", "2025-12-31T10:59:59.999Z", "gold", undefined],
      ["Pacific/Auckland", "2025-12-31T11:00:00Z", "bronze", "WINDOW_MOVED"],
    ])("%s at %s: %s", (timezone, now, handle, reason) => {
      const result = evaluateTier({
        current: tier("gold", "2024-12-31T11:30:00Z"),
        activity,
        config,
        now: date(now),
        graceDays: 0,
        timezone,
      });
      expect(result.next.handle).toBe(handle);
      expect(result.change?.reason).toBe(reason);
    });
  });

  describe("spending and pending points, through the real ledger", () => {
    it("pending points count only once matured, dated when they became available", () => {
      let state = emptyMemberState();
      const entries: NewEntry[] = [];
      const apply = (write: LedgerWrite) => {
        state = applyWrite(state, write);
        entries.push(...write.entries);
      };
      apply(
        earn(state, {
          key: "order:1:earn",
          points: 1_600,
          occurredAt: date("2025-01-10T00:00:00Z"),
          availableAt: date("2025-02-09T00:00:00Z"),
          expiresAt: null,
          now: date("2025-01-10T00:00:00Z"),
        }),
      );
      expect(pointsActivity(entries)).toEqual([]);
      expect(
        evaluate({
          current: tier("bronze"),
          activity: pointsActivity(entries),
          now: date("2025-02-08T00:00:00Z"),
        }).change,
      ).toBeNull();

      apply(matureDue(state, date("2025-02-10T06:00:00Z")));
      expect(pointsActivity(entries)).toEqual([
        earned("2025-02-09T00:00:00Z", 1_600),
      ]);
      expect(
        evaluate({
          current: tier("bronze"),
          activity: pointsActivity(entries),
          now: date("2025-02-10T06:00:00Z"),
        }).change,
      ).toMatchObject({ to: "gold", direction: "UP" });
    });

    it("spending every point, and more, never demotes; a clawback does count", () => {
      let state = emptyMemberState();
      const entries: NewEntry[] = [];
      const apply = (write: LedgerWrite) => {
        state = applyWrite(state, write);
        entries.push(...write.entries);
      };
      apply(
        earn(state, {
          key: "order:1:earn",
          points: 1_600,
          occurredAt: date("2025-01-10T00:00:00Z"),
          availableAt: date("2025-01-10T00:00:00Z"),
          expiresAt: null,
          now: date("2025-01-10T00:00:00Z"),
        }),
      );
      const held = hold(state, {
        key: "redemption:r1:hold",
        redemptionId: "r1",
        points: 1_600,
        occurredAt: date("2025-02-01T00:00:00Z"),
      });
      expect(held.ok).toBe(true);
      if (!held.ok) return;
      apply(held.write);
      apply(
        post(state, {
          key: "redemption:r1:post",
          redemptionId: "r1",
          holdKey: "redemption:r1:hold",
          points: 1_600,
          occurredAt: date("2025-02-02T00:00:00Z"),
        }),
      );
      apply(
        adjust(state, {
          key: "adjustment:1",
          points: -300,
          reason: "goodwill reversed",
          policy: "ALLOW_NEGATIVE",
          occurredAt: date("2025-02-03T00:00:00Z"),
        }),
      );
      expect(state.balances.available).toBe(-300);
      const afterSpending = evaluate({
        current: tier("gold", "2025-01-10T00:00:00Z"),
        activity: pointsActivity(entries),
        now: date("2030-01-01T00:00:00Z"),
      });
      expect(afterSpending).toMatchObject({ change: null, graceUntil: null });

      apply(
        reverseEarn(state, {
          key: "refund:1",
          lotKey: "order:1:earn",
          points: 200,
          policy: "ALLOW_NEGATIVE",
          occurredAt: date("2030-01-02T00:00:00Z"),
        }),
      );
      expect(
        evaluate({
          current: tier("gold", "2025-01-10T00:00:00Z"),
          activity: pointsActivity(entries),
          now: date("2030-02-01T00:00:00Z"),
        }).change,
      ).toMatchObject({ to: "silver", direction: "DOWN", reason: "CLAWBACK" });
    });
  });

  describe("rule changes and tiers without history", () => {
    it("counts time below a raised threshold only from when the rules took effect", () => {
      const activity = [earned("2024-01-01T00:00:00Z", 1_700)];
      const raised = (effectiveFrom: string | null) =>
        rules({
          effectiveFrom,
          levels: [
            { name: "Bronze", threshold: 0 },
            { name: "Silver", threshold: 500 },
            { name: "Gold", threshold: 2_000 },
          ],
        });
      walk(
        raised("2025-05-01T00:00:00Z"),
        activity,
        [
          {
            now: "2025-05-01T00:00:00Z",
            handle: "gold",
            graceUntil: "2025-05-31T00:00:00.000Z",
          },
          {
            now: "2025-05-31T00:00:00Z",
            handle: "silver",
            reason: "RULES_CHANGED",
          },
        ],
        { start: tier("gold") },
      );
      walk(
        raised(null),
        activity,
        [
          {
            now: "2025-05-01T00:00:00Z",
            handle: "silver",
            reason: "NOT_QUALIFIED",
          },
        ],
        { start: tier("gold") },
      );
    });
  });

  it.each([
    ["graceDays", { graceDays: -1 }],
    ["graceDays", { graceDays: 1.5 }],
    ["now", { now: new Date(Number.NaN) }],
  ])("throws on a broken %s", (_label, overrides) => {
    expect(() =>
      evaluate({
        activity: [],
        now: date("2025-01-01T00:00:00Z"),
        ...overrides,
      }),
    ).toThrow(RangeError);
  });
});

describe("evaluateTier over time (property)", () => {
  const T0 = Date.UTC(2024, 0, 1);
  const HOUR = 3_600_000;
  const config = (window: TierWindow) => rules({ window });
  const handles = rules().levels.map(levelHandle);
  const rank = (handle: string) => handles.indexOf(handle);

  /** Oracle: the total stayed below `threshold` at every instant of [from, to]. */
  function belowThroughout(
    activity: readonly QualifyingActivity[],
    window: TierWindow,
    timezone: string,
    from: number,
    to: number,
    threshold: number,
  ): boolean {
    const changes = activity.flatMap((item) => {
      const leaves = leavesWindowAt(item.at, window, timezone);
      return leaves === null
        ? [item.at.getTime()]
        : [item.at.getTime(), leaves.getTime()];
    });
    return [from, ...changes.filter((time) => time > from && time <= to)].every(
      (time) =>
        qualifyingTotal(
          activity,
          "POINTS_EARNED",
          window,
          new Date(time),
          timezone,
        ) < threshold,
    );
  }

  /** Oracle: the rules say the tier with `threshold` is lost at `now`. */
  function lost(
    activity: readonly QualifyingActivity[],
    window: TierWindow,
    timezone: string,
    graceDays: number,
    now: number,
    threshold: number,
  ): boolean {
    const graceStart = now - graceDays * DAY;
    // CALENDAR_YEAR: below since a New Year that is at least the grace period ago.
    const from =
      window === "CALENDAR_YEAR"
        ? localYearStart(new Date(graceStart), timezone).getTime()
        : graceStart;
    return belowThroughout(activity, window, timezone, from, now, threshold);
  }

  it("upgrades at once, keeps a tier exactly until the rules say it is lost or while a credit holds it, rewards once", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            day: fc.integer({ min: 0, max: 700 }),
            minute: fc.integer({ min: 0, max: 1_439 }),
            points: fc.oneof(
              { weight: 4, arbitrary: fc.integer({ min: 1, max: 900 }) },
              { weight: 1, arbitrary: fc.integer({ min: -600, max: -1 }) },
            ),
          }),
          { maxLength: 10 },
        ),
        fc.constantFrom<TierWindow>(
          "LIFETIME",
          "ROLLING_12_MONTHS",
          "CALENDAR_YEAR",
        ),
        fc.constantFrom("UTC", "Pacific/Auckland", "America/Los_Angeles"),
        fc.integer({ min: 0, max: 60 }),
        // A tier imported on that day, when there is one.
        fc.option(
          fc.record({
            index: fc.integer({ min: 0, max: 2 }),
            day: fc.integer({ min: 0, max: 400 }),
          }),
        ),
        (raw, window, timezone, graceDays, imported) => {
          const activity = raw.map((item) => ({
            at: new Date(T0 + item.day * DAY + item.minute * 60_000),
            points: item.points,
            spentMinor: 0,
          }));
          const levels = config(window).levels;
          const creditedAt = T0 + (imported?.day ?? 0) * DAY;
          const creditLevel =
            imported === null ? undefined : levels[imported.index];
          const credit =
            creditLevel === undefined
              ? null
              : {
                  handle: levelHandle(creditLevel),
                  until: tierCreditUntil(
                    new Date(creditedAt),
                    window,
                    graceDays,
                    timezone,
                  ),
                };
          let current: CurrentTier | null = null;
          const rewarded: string[] = [];
          for (let now = T0; now <= T0 + 900 * DAY; now += 4 * DAY + 7 * HOUR) {
            const input = {
              activity,
              config: config(window),
              now: new Date(now),
              graceDays,
              timezone,
              credit: now >= creditedAt ? credit : null,
            };
            const result = evaluateTier({
              ...input,
              current,
              alreadyRewarded: rewarded,
            });
            const total = qualifyingTotal(
              activity,
              "POINTS_EARNED",
              window,
              input.now,
              timezone,
            );
            const reached = rank(levelHandle(tierFor(total, levels)));
            const creditHolds =
              input.credit !== null &&
              (input.credit.until === null ||
                now < input.credit.until.getTime());
            const floor =
              creditHolds && imported !== null
                ? Math.max(reached, imported.index)
                : reached;
            const before = current === null ? -1 : rank(current.handle);
            const after = rank(result.next.handle);
            const isLost = (index: number) =>
              lost(
                activity,
                window,
                timezone,
                graceDays,
                now,
                levels[index]?.threshold ?? 0,
              );

            if (before <= floor) {
              expect(after).toBe(floor);
            } else {
              expect(after).toBeGreaterThanOrEqual(floor);
              for (let index = after + 1; index <= before; index += 1) {
                expect(isLost(index)).toBe(true);
              }
              if (after > floor) expect(isLost(after)).toBe(false);
            }
            // Entry rewards follow activity alone: a credited tier pays none.
            for (const handle of result.change?.rewardsFor ?? []) {
              expect(rewarded).not.toContain(handle);
              expect(rank(handle)).toBeGreaterThan(Math.max(before, 0));
              expect(rank(handle)).toBeLessThanOrEqual(reached);
              rewarded.push(handle);
            }
            expect(
              evaluateTier({
                ...input,
                current: result.next,
                alreadyRewarded: rewarded,
              }).change,
            ).toBeNull();
            current = result.next;
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("previewRuleChange", () => {
  const now = date("2025-06-01T00:00:00Z");
  const members = [
    {
      id: "gold-1600",
      current: tier("gold"),
      activity: [earned("2024-01-01T00:00:00Z", 1_600)],
    },
    {
      id: "gold-1700",
      current: tier("gold"),
      activity: [earned("2025-01-01T00:00:00Z", 1_700)],
    },
    {
      id: "silver-600",
      current: tier("silver"),
      activity: [earned("2025-03-01T00:00:00Z", 600)],
    },
    {
      id: "bronze-300",
      current: tier("bronze"),
      activity: [earned("2025-03-01T00:00:00Z", 300)],
    },
    {
      id: "big-6000",
      current: tier("gold"),
      activity: [earned("2025-05-01T00:00:00Z", 6_000)],
    },
    // In a grace period already: the old rules move them down too, so the change does not.
    {
      id: "gold-in-grace",
      current: tier("gold"),
      activity: [
        earned("2025-01-01T00:00:00Z", 1_600),
        earned("2025-05-20T00:00:00Z", -400),
      ],
    },
  ];
  it.each<[string, RulesOverrides, ReturnType<typeof previewRuleChange>]>([
    [
      "raising Gold to 2,000",
      { levels: [BRONZE, SILVER, { ...GOLD, threshold: 2_000 }] },
      { up: [], down: ["gold-1600", "gold-1700"], unchanged: 4 },
    ],
    [
      "lowering Silver to 300",
      { levels: [BRONZE, { ...SILVER, threshold: 300 }, GOLD] },
      { up: ["bronze-300"], down: [], unchanged: 5 },
    ],
    [
      "lifetime to rolling 12 months",
      { window: "ROLLING_12_MONTHS" },
      { up: [], down: ["gold-1600"], unchanged: 5 },
    ],
    [
      "adding Platinum at 5,000",
      {
        levels: [BRONZE, SILVER, GOLD, { name: "Platinum", threshold: 5_000 }],
      },
      { up: ["big-6000"], down: [], unchanged: 5 },
    ],
    [
      "removing Silver",
      { levels: [BRONZE, GOLD] },
      { up: [], down: ["silver-600", "gold-in-grace"], unchanged: 4 },
    ],
    ["nothing", {}, { up: [], down: [], unchanged: 6 }],
  ])("%s", (_label, overrides, expected) => {
    expect(previewRuleChange(members, rules(), rules(overrides), now)).toEqual(
      expected,
    );
  });

  it("keeps a member where a held tier credit keeps them, while the rules still have its tier", () => {
    const credited = [
      {
        id: "imported-gold",
        activity: [earned("2025-03-01T00:00:00Z", 600)],
        credit: { handle: "gold", until: null },
      },
      {
        id: "lapsed-gold",
        activity: [earned("2025-03-01T00:00:00Z", 600)],
        credit: { handle: "gold", until: date("2025-05-01T00:00:00Z") },
      },
    ];
    expect(
      previewRuleChange(
        credited,
        rules(),
        rules({ levels: [BRONZE, { ...SILVER, threshold: 900 }, GOLD] }),
        now,
      ),
    ).toEqual({ up: [], down: ["lapsed-gold"], unchanged: 1 });
    expect(
      previewRuleChange(
        credited,
        rules(),
        rules({ levels: [BRONZE, SILVER] }),
        now,
      ),
    ).toEqual({ up: [], down: ["imported-gold"], unchanged: 1 });
  });

  it("reads the calendar year in the shop's time zone", () => {
    const newYearsEve = [
      { id: "nye", activity: [earned("2024-12-31T11:30:00Z", 1_600)] },
    ];
    const calendar = rules({ window: "CALENDAR_YEAR" });
    const at = date("2025-01-15T00:00:00Z");
    expect(
      previewRuleChange(newYearsEve, rules(), calendar, at, "Pacific/Auckland"),
    ).toEqual({ up: [], down: [], unchanged: 1 });
    expect(
      previewRuleChange(
        newYearsEve,
        rules(),
        calendar,
        at,
        "America/Los_Angeles",
      ),
    ).toEqual({ up: [], down: ["nye"], unchanged: 0 });
  });
});

describe("tier credits", () => {
  const rolling = rules({ window: "ROLLING_12_MONTHS" });
  const until = date("2026-04-09T15:00:00Z");
  const goldCredit = { handle: "gold", until };

  it("places a member with no history in the credited tier, held until the credit ends, with no entry reward", () => {
    const result = evaluate({
      config: rolling,
      activity: [],
      now: date("2025-03-10T15:00:00Z"),
      credit: goldCredit,
    });
    expect(result.next.handle).toBe("gold");
    expect(result.change).toMatchObject({
      from: null,
      to: "gold",
      direction: "UP",
      reason: "IMPORTED",
      rewardsFor: [],
    });
    expect(result.graceUntil).toEqual(until);
  });

  it("pays the rewards of tiers reached by activity on the way, not the credited one's", () => {
    const result = evaluate({
      config: rolling,
      activity: [earned("2025-03-01T00:00:00Z", 600)],
      current: tier("bronze"),
      now: date("2025-03-10T15:00:00Z"),
      credit: goldCredit,
    });
    expect(result.change).toMatchObject({
      to: "gold",
      reason: "IMPORTED",
      rewardsFor: ["silver"],
    });
  });

  it("keeps the credited tier below its threshold, where the scheduled review would otherwise demote", () => {
    const review = (credit: typeof goldCredit | null) =>
      evaluate({
        config: rolling,
        activity: [earned("2025-05-01T00:00:00Z", 100)],
        current: tier("gold", "2025-03-10T15:00:00Z"),
        now: date("2026-04-09T14:59:59Z"),
        credit,
      });
    expect(review(goldCredit)).toEqual({
      next: tier("gold", "2025-03-10T15:00:00Z"),
      change: null,
      graceUntil: until,
    });
    expect(review(null).change).toMatchObject({
      to: "bronze",
      reason: "NOT_QUALIFIED",
    });
  });

  it("upgrades past the credited tier by activity, with that tier's reward", () => {
    const result = evaluate({
      config: rolling,
      activity: [earned("2025-05-01T00:00:00Z", 1_600)],
      current: tier("silver"),
      now: date("2025-05-01T00:00:00Z"),
      credit: { handle: "silver", until },
      alreadyRewarded: [],
    });
    expect(result.change).toMatchObject({
      to: "gold",
      reason: "THRESHOLD_REACHED",
      rewardsFor: ["gold"],
    });
  });

  it("changes nothing for a credit at or below the tier activity holds", () => {
    const result = evaluate({
      config: rolling,
      activity: [earned("2025-05-01T00:00:00Z", 1_600)],
      current: tier("gold"),
      now: date("2025-06-01T00:00:00Z"),
      credit: { handle: "silver", until },
    });
    expect(result).toMatchObject({ change: null, graceUntil: null });
  });

  it("demotes a tier above the credit no further than the credited tier", () => {
    const result = evaluate({
      config: rolling,
      activity: [earned("2024-01-01T00:00:00Z", 1_600)],
      current: tier("gold"),
      now: date("2025-06-01T00:00:00Z"),
      credit: { handle: "silver", until },
    });
    expect(result.change).toMatchObject({
      from: "gold",
      to: "silver",
      direction: "DOWN",
      reason: "WINDOW_MOVED",
    });
    expect(result.graceUntil).toEqual(until);
  });

  it("once lapsed, evaluates as without it: the next review demotes to what activity holds", () => {
    const result = evaluate({
      config: rolling,
      activity: [earned("2025-05-01T00:00:00Z", 600)],
      current: tier("gold", "2025-03-10T15:00:00Z"),
      now: until,
      credit: goldCredit,
    });
    expect(result.change).toMatchObject({
      from: "gold",
      to: "silver",
      direction: "DOWN",
    });
  });

  it("never lapses when it has no end", () => {
    const result = evaluate({
      activity: [],
      current: tier("gold"),
      now: date("2099-01-01T00:00:00Z"),
      credit: { handle: "gold", until: null },
    });
    expect(result).toEqual({
      next: tier("gold"),
      change: null,
      graceUntil: null,
    });
  });

  it("is ignored when its tier is no longer configured", () => {
    const result = evaluate({
      activity: [],
      now: date("2025-06-01T00:00:00Z"),
      credit: { handle: "platinum", until: null },
    });
    expect(result.change).toMatchObject({ to: "bronze", reason: "ENROLLED" });
  });
});

describe("tierCreditUntil", () => {
  it("never lapses under a lifetime window", () => {
    expect(
      tierCreditUntil(date("2025-03-10T15:00:00Z"), "LIFETIME", 30),
    ).toBeNull();
  });
  it("rolling 12 months: a year after the import, plus the grace period", () => {
    expect(
      tierCreditUntil(date("2025-03-10T15:00:00Z"), "ROLLING_12_MONTHS", 30),
    ).toEqual(date("2026-04-09T15:00:00Z"));
  });
  it("calendar year: the grace period after the shop's year ends", () => {
    // 31 December, 23:00 in New York is already 2026 in UTC.
    const importedAt = date("2026-01-01T04:00:00Z");
    expect(
      tierCreditUntil(importedAt, "CALENDAR_YEAR", 30, "America/New_York"),
    ).toEqual(date("2026-01-31T05:00:00Z"));
    expect(tierCreditUntil(importedAt, "CALENDAR_YEAR", 0, "UTC")).toEqual(
      date("2027-01-01T00:00:00Z"),
    );
  });
});

describe("tierReviewNeeded", () => {
  const NOW = date("2025-06-01T00:00:00Z");
  const rules = {
    basis: "POINTS_EARNED" as const,
    window: "LIFETIME" as const,
    levels: [
      { name: "Bronze", threshold: 0 },
      { name: "Silver", threshold: 500 },
      { name: "Gold", threshold: 1500 },
    ],
  };
  it.each([
    ["staying in Bronze", "bronze", 499, false],
    ["reaching Silver", "bronze", 500, true],
    ["a first placement", null, 10, true],
    ["Gold staying Gold", "gold", 9000, false],
  ])("lifetime window: %s", (_, current, lifetime, expected) => {
    expect(tierReviewNeeded(rules, current, lifetime, null, NOW)).toBe(
      expected,
    );
  });
  it("lifetime window: a credited tier stays while the credit holds, and not after", () => {
    const credit = { handle: "gold", until: date("2026-01-01T00:00:00Z") };
    expect(tierReviewNeeded(rules, "gold", 100, credit, NOW)).toBe(false);
    expect(
      tierReviewNeeded(
        rules,
        "gold",
        100,
        credit,
        date("2026-01-01T00:00:00Z"),
      ),
    ).toBe(true);
  });
  it("always for windows that move", () => {
    expect(
      tierReviewNeeded(
        { ...rules, window: "ROLLING_12_MONTHS" },
        "bronze",
        10,
        null,
        NOW,
      ),
    ).toBe(true);
    expect(
      tierReviewNeeded(
        { ...rules, window: "CALENDAR_YEAR" },
        "bronze",
        10,
        null,
        NOW,
      ),
    ).toBe(true);
  });
});

describe("spendActivity", () => {
  const at = (day: number) => new Date(Date.UTC(2026, 0, day));
  const order = {
    at: at(1),
    baseMinor: 10_000,
    lineBases: [
      { lineItemId: "a", quantity: 2, baseMinor: 6_000 },
      { lineItemId: "b", quantity: 1, baseMinor: 4_000 },
    ],
    refunds: [],
    cancelledAt: null,
  };

  it("counts what was spent when paid, and takes refunds and a cancellation back at their dates", () => {
    expect(
      spendActivity([
        {
          ...order,
          refunds: [
            {
              at: at(5),
              lines: [{ lineItemId: "a", quantity: 1 }],
              moneyRefunded: true,
            },
            {
              at: at(6),
              lines: [{ lineItemId: "b", quantity: 1 }],
              moneyRefunded: false,
            },
          ],
          cancelledAt: at(9),
        },
      ]),
    ).toEqual([
      { at: at(1), points: 0, spentMinor: 10_000 },
      { at: at(5), points: 0, spentMinor: -3_000 },
      { at: at(9), points: 0, spentMinor: -7_000 },
    ]);
  });

  it("never takes back more than was spent", () => {
    const total = spendActivity([
      {
        ...order,
        refunds: [
          {
            at: at(2),
            lines: [
              { lineItemId: "a", quantity: 2 },
              { lineItemId: "b", quantity: 1 },
            ],
            moneyRefunded: true,
          },
          {
            at: at(3),
            lines: [{ lineItemId: "a", quantity: 2 }],
            moneyRefunded: true,
          },
        ],
        cancelledAt: at(4),
      },
    ]).reduce((sum, item) => sum + item.spentMinor, 0);
    expect(total).toBe(0);
  });
});
