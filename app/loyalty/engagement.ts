import { z } from "zod";
import type { LotState } from "./lots";

/**
 * Birthday rewards and expiry warnings. Every field has a default, so a program saved before
 * these settings existed reads with birthdays off and the default warning.
 */
export const DEFAULT_ENGAGEMENT = {
  expiryWarningDays: 30,
  birthday: { enabled: false, points: 100 },
} as const;

export const engagementSettingsSchema = z
  .object({
    /**
     * How many days (in the shop's calendar) before a lot expires its member is warned: the Flow
     * trigger "points expiring soon". 0 sends no warning; nothing is sent while points never expire.
     */
    expiryWarningDays: z
      .int()
      .min(0)
      .max(365)
      .default(DEFAULT_ENGAGEMENT.expiryWarningDays),
    birthday: z
      .object({
        enabled: z.boolean().default(DEFAULT_ENGAGEMENT.birthday.enabled),
        points: z
          .int()
          .min(1)
          .max(1_000_000)
          .default(DEFAULT_ENGAGEMENT.birthday.points),
      })
      .default({ ...DEFAULT_ENGAGEMENT.birthday }),
  })
  .default({
    expiryWarningDays: DEFAULT_ENGAGEMENT.expiryWarningDays,
    birthday: { ...DEFAULT_ENGAGEMENT.birthday },
  });

export type EngagementSettings = z.infer<typeof engagementSettingsSchema>;

/** A calendar date, YYYY-MM-DD, as the shopper and the CSV import write a birthday. */
export const calendarDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "use YYYY-MM-DD", abort: true })
  .refine((value) => {
    const [year, month, day] = value.split("-").map(Number);
    const date = new Date(Date.UTC(year ?? 0, (month ?? 0) - 1, day ?? 0));
    return (
      date.getUTCFullYear() === year &&
      date.getUTCMonth() + 1 === month &&
      date.getUTCDate() === day &&
      (year ?? 0) >= 1900
    );
  }, "not a calendar date");

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (YYYY-MM-DD) `at` falls on in `timezone`. */
export function localDate(at: Date, timezone: string): string {
  let formatter = dateFormatters.get(timezone);
  if (formatter === undefined) {
    // en-CA writes dates as YYYY-MM-DD; an unknown zone throws, which is a broken invariant since
    // the shop's zone comes from Shopify.
    formatter = new Intl.DateTimeFormat("en-CA", {
      timeZone: timezone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      calendar: "gregory",
      numberingSystem: "latn",
    });
    dateFormatters.set(timezone, formatter);
  }
  return formatter.format(at);
}

/** `date` (YYYY-MM-DD) moved by `days` calendar days. */
export function addDays(date: string, days: number): string {
  const [year, month, day] = date.split("-").map(Number);
  return new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, (day ?? 1) + days))
    .toISOString()
    .slice(0, 10);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** The day a birthday is celebrated in `year`: 29 February falls on the 28th in other years. */
export function birthdayIn(birthday: string, year: number): string {
  const monthDay = birthday.slice(5);
  const shown = monthDay === "02-29" && !isLeapYear(year) ? "02-28" : monthDay;
  return `${String(year).padStart(4, "0")}-${shown}`;
}

/**
 * How many days after the birthday a late run still celebrates it: the job catches up on a few
 * days of downtime, but a birthday entered weeks after it passed waits for next year.
 */
export const BIRTHDAY_CATCH_UP_DAYS = 7;

/**
 * The birthdays a run on local date `today` celebrates: for each year whose celebration day lies in
 * [today − catch-up, today], the month-days stored birthdays match and the year the reward is for
 * (the key's year). Near New Year the window spans two years.
 */
export function birthdaysDue(
  today: string,
  catchUpDays = BIRTHDAY_CATCH_UP_DAYS,
): { monthDay: string; year: number }[] {
  const due: { monthDay: string; year: number }[] = [];
  for (let back = 0; back <= catchUpDays; back += 1) {
    const date = addDays(today, -back);
    const year = Number(date.slice(0, 4));
    const monthDay = date.slice(5);
    due.push({ monthDay, year });
    // A 29 February birthday is celebrated on the 28th when the year has no 29th.
    if (monthDay === "02-28" && !isLeapYear(year))
      due.push({ monthDay: "02-29", year });
  }
  return due;
}

export interface ExpiringPoints {
  points: number;
  /** The earliest expiry of the lots counted, ISO 8601. */
  expiresAt: string;
}

/**
 * The member's next expiries, grouped by the shop's calendar date (lots earned on one day expire on
 * one day), soonest first, at most `limit`. Counts what is left of each lot, pending or available:
 * held points were taken from their lots and are not at risk.
 */
export function upcomingExpiries(
  lots: readonly LotState[],
  now: Date,
  timezone: string,
  limit = 3,
): ExpiringPoints[] {
  const byDate = new Map<string, { points: number; first: Date }>();
  for (const lot of lots) {
    if (lot.expired || lot.remaining <= 0 || lot.expiresAt === null) continue;
    if (lot.expiresAt.getTime() <= now.getTime()) continue;
    const date = localDate(lot.expiresAt, timezone);
    const group = byDate.get(date);
    if (group === undefined) {
      byDate.set(date, { points: lot.remaining, first: lot.expiresAt });
    } else {
      group.points += lot.remaining;
      if (lot.expiresAt < group.first) group.first = lot.expiresAt;
    }
  }
  return [...byDate.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, limit)
    .map(([, group]) => ({
      points: group.points,
      expiresAt: group.first.toISOString(),
    }));
}

/**
 * Whether a lot expiring at `expiresAt` is inside the warning window on `now`: its expiry date in
 * the shop's calendar is at most `warningDays` days after today's. Whole days, so every lot
 * expiring on one date enters the window at the same local midnight and is warned in one message.
 */
export function inWarningWindow(
  expiresAt: Date,
  now: Date,
  warningDays: number,
  timezone: string,
): boolean {
  if (warningDays <= 0 || expiresAt.getTime() <= now.getTime()) return false;
  return (
    localDate(expiresAt, timezone) <=
    addDays(localDate(now, timezone), warningDays)
  );
}

/**
 * The rewards the member can now afford and could not before this change: cost in
 * (before, after]. A decrease reaches nothing.
 */
export function rewardsReached<R extends { points: number }>(
  rewards: readonly R[],
  before: number,
  after: number,
): R[] {
  if (after <= before) return [];
  return rewards.filter(
    (reward) => reward.points > before && reward.points <= after,
  );
}
