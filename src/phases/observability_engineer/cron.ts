/**
 * How often a cron schedule fires, for the figures the monitoring plan needs (batch runs per day, retraining
 * runs per month). Handles the shapes the spec and upstream phases produce: macros, `*`, `*\/n`, lists,
 * ranges and single values; day-of-month restrictions count as one day in 30.
 */
function fieldCount(field: string, size: number, first: number): number {
  if (field === '*' || field === '?') return size;
  return field.split(',').reduce((sum, part) => {
    const step = /^(\*|\d+-\d+)\/(\d+)$/.exec(part);
    if (step) {
      const [lo, hi] = step[1] === '*' ? [first, first + size - 1] : step[1]!.split('-').map(Number) as [number, number];
      return sum + Math.floor((hi - lo) / Number(step[2])) + 1;
    }
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) return sum + Math.max(0, Number(range[2]) - Number(range[1]) + 1);
    return sum + 1;
  }, 0);
}

export function runsPerDay(cron: string): number {
  const macro: Record<string, number> = { '@hourly': 24, '@daily': 1, '@midnight': 1, '@weekly': 1 / 7, '@monthly': 1 / 30, '@yearly': 1 / 365, '@annually': 1 / 365 };
  if (cron in macro) return macro[cron]!;
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) return 1;
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  let perDay = fieldCount(minute, 60, 0) * fieldCount(hour, 24, 0);
  if (dow !== '*' && dow !== '?') perDay *= Math.min(7, fieldCount(dow, 7, 0)) / 7;
  if (dom !== '*' && dom !== '?') perDay *= Math.min(30, fieldCount(dom, 31, 1)) / 30;
  if (month !== '*') perDay *= Math.min(12, fieldCount(month, 12, 1)) / 12;
  return perDay;
}

/** Longest gap between two runs, in hours, for the regular schedules above (the mean gap). */
export function intervalHours(cron: string): number {
  const perDay = runsPerDay(cron);
  return perDay > 0 ? 24 / perDay : 24;
}
