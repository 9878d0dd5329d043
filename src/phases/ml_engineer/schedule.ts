/**
 * How often a cron schedule fires, so that the training run can be given a time budget that never overlaps
 * the next run. Counts are approximate calendar averages (a month is 365/12 days): good enough for budgets.
 */
export interface SchedulePeriod {
  cron: string;
  runsPerYear: number;
  periodHours: number;
  label: string;
}

const FIELD_SIZES = [60, 24, 31, 12, 7] as const;
const DAYS_PER_YEAR = 365;
const DAYS_PER_MONTH = DAYS_PER_YEAR / 12;

/** Number of distinct values a cron field matches (names such as MON count as one value). */
export function cronFieldCount(field: string, size: number): number {
  let total = 0;
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText !== undefined && /^\d+$/.test(stepText) && Number(stepText) > 0 ? Number(stepText) : 1;
    let span: number;
    if (range === '*' || range === '?') span = size;
    else if (/^\d+-\d+$/.test(range)) {
      const [a, b] = range.split('-').map(Number) as [number, number];
      span = Math.max(1, b - a + 1);
    } else span = 1;
    total += Math.ceil(span / step);
  }
  return Math.min(total, size);
}

const MACROS: Record<string, { runsPerYear: number; label: string }> = {
  '@hourly': { runsPerYear: DAYS_PER_YEAR * 24, label: 'hourly' },
  '@daily': { runsPerYear: DAYS_PER_YEAR, label: 'daily' },
  '@weekly': { runsPerYear: DAYS_PER_YEAR / 7, label: 'weekly' },
  '@monthly': { runsPerYear: 12, label: 'monthly' },
};

export function schedulePeriod(cron: string): SchedulePeriod {
  const macro = MACROS[cron];
  if (macro) return { cron, runsPerYear: macro.runsPerYear, periodHours: (DAYS_PER_YEAR * 24) / macro.runsPerYear, label: macro.label };
  const fields = cron.trim().split(/\s+/);
  const [minute, hour, dom, month, dow] = fields.map((f, i) => ({ f, n: cronFieldCount(f, FIELD_SIZES[i] ?? 1) })) as {
    f: string;
    n: number;
  }[] & { length: 5 };
  const monthShare = month!.n / 12;
  let daysPerYear: number;
  let label: string;
  if (dom!.f === '*' && dow!.f === '*') {
    daysPerYear = DAYS_PER_YEAR * monthShare;
    label = 'daily';
  } else if (dow!.f === '*') {
    daysPerYear = (DAYS_PER_YEAR / DAYS_PER_MONTH) * dom!.n * monthShare;
    label = dom!.n === 1 ? 'monthly' : `${dom!.n}× per month`;
  } else if (dom!.f === '*') {
    daysPerYear = (DAYS_PER_YEAR / 7) * dow!.n * monthShare;
    label = dow!.n === 1 ? 'weekly' : `${dow!.n}× per week`;
  } else {
    // cron fires when either day field matches
    daysPerYear = Math.min(DAYS_PER_YEAR, ((DAYS_PER_YEAR / DAYS_PER_MONTH) * dom!.n + (DAYS_PER_YEAR / 7) * dow!.n) * monthShare);
    label = 'several times per month';
  }
  const perDay = minute!.n * hour!.n;
  if (perDay > 1) label = hour!.n === 24 && minute!.n === 1 ? 'hourly' : `${perDay}× per day`;
  const runsPerYear = daysPerYear * perDay;
  return { cron, runsPerYear, periodHours: (DAYS_PER_YEAR * 24) / runsPerYear, label };
}
