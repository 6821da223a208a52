import { describe, expect, it } from "vitest";
import {
  birthdaysDue,
  engagementSettingsSchema,
  inWarningWindow,
  localDate,
  rewardsReached,
  upcomingExpiries,
} from "./engagement";
import type { LotState } from "./lots";

const lot = (
  lotKey: string,
  remaining: number,
  expiresAt: string | null,
  more: Partial<LotState> = {},
): LotState => ({
  lotKey,
  source: "EARN",
  points: remaining,
  remaining,
  reversed: 0,
  earnedAt: new Date("2025-01-01T00:00:00Z"),
  availableAt: new Date("2025-01-01T00:00:00Z"),
  expiresAt: expiresAt === null ? null : new Date(expiresAt),
  matured: true,
  expired: false,
  ...more,
});

describe("engagement settings", () => {
  it("read a program saved before they existed with birthdays off", () => {
    expect(engagementSettingsSchema.parse(undefined)).toEqual({
      expiryWarningDays: 30,
      birthday: { enabled: false, points: 100 },
    });
    expect(
      engagementSettingsSchema.parse({ birthday: { enabled: true } }),
    ).toEqual({
      expiryWarningDays: 30,
      birthday: { enabled: true, points: 100 },
    });
  });

  it.each([
    { expiryWarningDays: -1 },
    { expiryWarningDays: 1.5 },
    { birthday: { enabled: true, points: 0 } },
  ])("refuses %j", (settings) => {
    expect(engagementSettingsSchema.safeParse(settings).success).toBe(false);
  });
});

describe("localDate", () => {
  it("is the date on the shop's wall calendar, not UTC's", () => {
    const at = new Date("2026-03-15T03:30:00Z");
    expect(localDate(at, "UTC")).toBe("2026-03-15");
    expect(localDate(at, "America/Los_Angeles")).toBe("2026-03-14");
    expect(localDate(at, "Pacific/Auckland")).toBe("2026-03-15");
    expect(
      localDate(new Date("2026-03-15T12:00:00Z"), "Pacific/Kiritimati"),
    ).toBe("2026-03-16");
  });
});

describe("birthdaysDue", () => {
  it("covers today and the catch-up days before it, with the year each belongs to", () => {
    expect(birthdaysDue("2026-01-02", 3)).toEqual([
      { monthDay: "01-02", year: 2026 },
      { monthDay: "01-01", year: 2026 },
      { monthDay: "12-31", year: 2025 },
      { monthDay: "12-30", year: 2025 },
    ]);
  });

  it("celebrates 29 February on the 28th in a common year, and on the 29th in a leap year", () => {
    expect(birthdaysDue("2027-02-28", 0)).toEqual([
      { monthDay: "02-28", year: 2027 },
      { monthDay: "02-29", year: 2027 },
    ]);
    expect(birthdaysDue("2028-02-28", 0)).toEqual([
      { monthDay: "02-28", year: 2028 },
    ]);
    expect(birthdaysDue("2028-02-29", 0)).toEqual([
      { monthDay: "02-29", year: 2028 },
    ]);
  });
});

describe("upcomingExpiries", () => {
  const now = new Date("2026-06-01T12:00:00Z");

  it("groups what is left of the lots by the shop's expiry date, soonest first", () => {
    const lots = [
      lot("order:3:earn", 40, "2026-07-02T10:00:00Z"),
      lot("order:1:earn", 100, "2026-07-01T02:00:00Z"),
      lot("order:2:earn", 20, "2026-07-01T23:00:00Z"),
      lot("never", 500, null),
    ];
    expect(upcomingExpiries(lots, now, "UTC")).toEqual([
      { points: 120, expiresAt: "2026-07-01T02:00:00.000Z" },
      { points: 40, expiresAt: "2026-07-02T10:00:00.000Z" },
    ]);
    // In New York the first lot expires at 22:00 on 30 June, a date of its own.
    expect(upcomingExpiries(lots, now, "America/New_York")).toEqual([
      { points: 100, expiresAt: "2026-07-01T02:00:00.000Z" },
      { points: 20, expiresAt: "2026-07-01T23:00:00.000Z" },
      { points: 40, expiresAt: "2026-07-02T10:00:00.000Z" },
    ]);
  });

  it("leaves out spent, expired and past lots, and keeps at most the limit", () => {
    const lots = [
      lot("spent", 0, "2026-07-01T00:00:00Z"),
      lot("swept", 10, "2026-05-01T00:00:00Z", { expired: true }),
      lot("due", 10, "2026-06-01T11:00:00Z"),
      lot("a", 1, "2026-08-01T00:00:00Z"),
      lot("b", 2, "2026-09-01T00:00:00Z"),
      lot("c", 3, "2026-10-01T00:00:00Z"),
      lot("d", 4, "2026-11-01T00:00:00Z"),
    ];
    expect(upcomingExpiries(lots, now, "UTC").map((e) => e.points)).toEqual([
      1, 2, 3,
    ]);
  });
});

describe("inWarningWindow", () => {
  const now = new Date("2026-06-01T20:00:00Z");

  it("counts whole days of the shop's calendar", () => {
    // 14 days ahead in UTC is 15 June; anything on that date is in, 16 June is out.
    expect(
      inWarningWindow(new Date("2026-06-15T23:59:00Z"), now, 14, "UTC"),
    ).toBe(true);
    expect(
      inWarningWindow(new Date("2026-06-16T00:00:00Z"), now, 14, "UTC"),
    ).toBe(false);
    // In Tokyo it is already 2 June, so 16 June is 14 days away there.
    expect(
      inWarningWindow(new Date("2026-06-16T00:00:00Z"), now, 14, "Asia/Tokyo"),
    ).toBe(true);
  });

  it("never warns with 0 days or about what has already expired", () => {
    expect(
      inWarningWindow(new Date("2026-06-01T21:00:00Z"), now, 0, "UTC"),
    ).toBe(false);
    expect(
      inWarningWindow(new Date("2026-06-01T19:00:00Z"), now, 30, "UTC"),
    ).toBe(false);
  });
});

describe("rewardsReached", () => {
  const rewards = [{ points: 500 }, { points: 1_000 }, { points: 2_000 }];

  it("names the rewards whose cost the balance just reached, and only those", () => {
    expect(rewardsReached(rewards, 400, 1_000)).toEqual([
      { points: 500 },
      { points: 1_000 },
    ]);
    expect(rewardsReached(rewards, 500, 999)).toEqual([]);
    expect(rewardsReached(rewards, -300, 500)).toEqual([{ points: 500 }]);
  });

  it("reaches nothing when the balance falls or stays", () => {
    expect(rewardsReached(rewards, 1_200, 300)).toEqual([]);
    expect(rewardsReached(rewards, 700, 700)).toEqual([]);
  });
});
