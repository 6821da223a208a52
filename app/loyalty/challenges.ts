import { z } from "zod";
import type { OrderForEarning } from "./earn-rule";

/**
 * "Place 3 orders in June", "spend 200.00 this month": bonus points once per member and period
 * when the member's paid orders in the period reach the target.
 */
export const challengeSchema = z
  .object({
    id: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9-]{0,39}$/,
        "lower-case letters, digits and dashes, at most 40",
      ),
    title: z.string().trim().min(1).max(60),
    kind: z.enum(["ORDER_COUNT", "SPEND"]),
    /** Orders to place, or minor units to spend (line items after discounts, no gift cards). */
    target: z.int().min(1).max(1_000_000_000),
    bonusPoints: z.int().min(1).max(1_000_000),
    startsAt: z.coerce.date(),
    /** One period, from startsAt to here… */
    endsAt: z.coerce.date().nullable().default(null),
    /** …or back-to-back periods of this many days from startsAt, each its own challenge. */
    everyDays: z.int().min(1).max(366).nullable().default(null),
  })
  .refine(
    (challenge) =>
      (challenge.endsAt === null) !== (challenge.everyDays === null),
    {
      message: "give either an end or a number of days per period",
      path: ["endsAt"],
    },
  )
  .refine(
    (challenge) => !challenge.endsAt || challenge.endsAt > challenge.startsAt,
    {
      message: "a challenge ends after it starts",
      path: ["endsAt"],
    },
  );

export type Challenge = z.infer<typeof challengeSchema>;

export const challengesSchema = z
  .array(challengeSchema)
  .max(10)
  .refine(
    (list) =>
      new Set(list.map((challenge) => challenge.id)).size === list.length,
    {
      message: "every challenge needs its own id",
    },
  );

const DAY_MS = 86_400_000;

export interface ChallengeWindow {
  start: Date;
  end: Date;
  /** Names the period in the bonus's idempotency key: the UTC instant it starts, compacted. */
  period: string;
}

/** The period of `challenge` that `at` falls in; null before the start or after a one-off end. */
export function challengeWindow(
  challenge: Challenge,
  at: Date,
): ChallengeWindow | null {
  const start = challenge.startsAt.getTime();
  if (at.getTime() < start) return null;
  let from = start;
  let to: number;
  if (challenge.everyDays !== null) {
    const length = challenge.everyDays * DAY_MS;
    from = start + Math.floor((at.getTime() - start) / length) * length;
    to = from + length;
  } else {
    to = (challenge.endsAt as Date).getTime();
    if (at.getTime() >= to) return null;
  }
  return {
    start: new Date(from),
    end: new Date(to),
    period: new Date(from).toISOString().replace(/[-:]|\.\d{3}/g, ""),
  };
}

export interface CountedOrder {
  at: Date;
  spentMinor: number;
}

/** Orders placed, or minor units spent, within the window: what is compared to the target. */
export function challengeProgress(
  challenge: Challenge,
  window: ChallengeWindow,
  orders: CountedOrder[],
): number {
  const inside = orders.filter(
    (order) => order.at >= window.start && order.at < window.end,
  );
  return challenge.kind === "ORDER_COUNT"
    ? inside.length
    : inside.reduce((sum, order) => sum + order.spentMinor, 0);
}

/** What an order counts towards a spend challenge: line items after every discount, no gift cards. */
export function orderSpendMinor(lines: OrderForEarning["lines"]): number {
  return lines.reduce(
    (sum, line) =>
      line.isGiftCard
        ? sum
        : sum +
          line.unitPriceMinor * line.quantity -
          line.discountMinor -
          line.loyaltyDiscountMinor,
    0,
  );
}
