/**
 * Dates in policy packs carry the precision their source gives: `YYYY-MM-DD`, `YYYY-MM` or
 * `YYYY` ("Dahua bought Lorex in 2018" says a year, not a day). A date names a period; a
 * `since` starts at the first instant of its period and an `until` ends at the last, so a
 * coarse date never narrows what a rule covers.
 */

export const POLICY_DATE_PATTERN = /^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$/u;

export interface Period {
  /** First millisecond of the period (UTC). */
  start: number;
  /** Last millisecond of the period (UTC). */
  end: number;
}

/** Periods already worked out: a sweep asks about the packs' few dates for every rule and device. */
const periods = new Map<string, Period | undefined>();

/** The period a policy date names, or undefined for anything else (including 2023-02-30). */
export function datePeriod(text: string): Period | undefined {
  if (periods.has(text)) {
    const known = periods.get(text);
    return known === undefined ? undefined : { ...known };
  }
  const period = computePeriod(text);
  if (periods.size >= 1024) periods.clear();
  periods.set(text, period);
  return period === undefined ? undefined : { ...period };
}

function computePeriod(text: string): Period | undefined {
  if (!POLICY_DATE_PATTERN.test(text)) return undefined;
  const [y, m, d] = text.split('-').map(Number) as [number, number | undefined, number | undefined];
  if (m === undefined) return { start: Date.UTC(y, 0, 1), end: Date.UTC(y + 1, 0, 1) - 1 };
  if (d === undefined) return { start: Date.UTC(y, m - 1, 1), end: Date.UTC(y, m, 1) - 1 };
  const start = Date.UTC(y, m - 1, d);
  // Date.UTC rolls 2023-02-30 over to March: a real calendar day survives the round trip.
  if (new Date(start).getUTCDate() !== d) return undefined;
  return { start, end: start + 86_400_000 - 1 };
}

export function isPolicyDate(text: string): boolean {
  return datePeriod(text) !== undefined;
}

/** Where `at` falls relative to a since/until window (both optional, both inclusive). */
export type WindowPosition = 'before' | 'within' | 'after';

export function windowPosition(window: { since?: string | undefined; until?: string | undefined }, at: Date): WindowPosition {
  const t = at.getTime();
  const since = window.since === undefined ? undefined : datePeriod(window.since);
  const until = window.until === undefined ? undefined : datePeriod(window.until);
  if (since && t < since.start) return 'before';
  if (until && t > until.end) return 'after';
  return 'within';
}

/** True when `since` does not come after `until` (both present and valid). */
export function ordered(since: string, until: string): boolean {
  const a = datePeriod(since);
  const b = datePeriod(until);
  return a !== undefined && b !== undefined && a.start <= b.end;
}
