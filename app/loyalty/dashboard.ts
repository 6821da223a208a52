// The merchant's numbers, from totals the store has already summed: rates as integer basis
// points (10,000 = 100 %), charts' series in whole days or weeks.

/** The periods the dashboard offers, in days up to and including today. */
export const DASHBOARD_PERIODS = [30, 90, 365] as const;
export type DashboardPeriod = (typeof DASHBOARD_PERIODS)[number];

/** part / whole in basis points, rounded down; null when there is no whole to compare with. */
export function basisPoints(part: number, whole: number): number | null {
  if (whole <= 0) return null;
  return Math.floor((part * 10_000) / whole);
}

export interface DayPoints {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  issued: number;
  redeemed: number;
}

const DAY_MS = 86_400_000;

export const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/**
 * One point per day (up to 31 days) or per week from `from` to `to` inclusive, zero where nothing
 * happened, so a chart's axis is regular; each point is labelled with its first day.
 */
export function pointsSeries(
  days: DayPoints[],
  from: Date,
  to: Date,
): DayPoints[] {
  const totalDays = Math.floor((to.getTime() - from.getTime()) / DAY_MS) + 1;
  const step = totalDays > 31 ? 7 : 1;
  const byDay = new Map(days.map((day) => [day.day, day]));
  const series: DayPoints[] = [];
  for (let offset = 0; offset < totalDays; offset += step) {
    const point = {
      day: isoDay(new Date(from.getTime() + offset * DAY_MS)),
      issued: 0,
      redeemed: 0,
    };
    for (
      let within = offset;
      within < Math.min(offset + step, totalDays);
      within++
    ) {
      const found = byDay.get(
        isoDay(new Date(from.getTime() + within * DAY_MS)),
      );
      point.issued += found?.issued ?? 0;
      point.redeemed += found?.redeemed ?? 0;
    }
    series.push(point);
  }
  return series;
}
