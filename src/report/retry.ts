/**
 * When to try a report again: what a response or an error means for it, how long to wait
 * (exponential backoff with jitter, or the endpoint's Retry-After), pure and clock-free.
 */

export type Outcome =
  | { kind: 'delivered' }
  /** Try again later: 408, 429, 5xx, network errors, timeouts, TLS failures. */
  | { kind: 'retry' }
  /** 413: split the batch (or dead-letter it when it holds one device). */
  | { kind: 'too-large' }
  /** 415 to a gzip body: resend uncompressed at once. */
  | { kind: 'no-gzip' }
  /** Other 3xx/4xx: the endpoint will not take this report as it is. */
  | { kind: 'dead' };

export function classifyStatus(status: number, sentGzip: boolean): Outcome {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 408 || status === 429 || (status >= 500 && status < 600)) return { kind: 'retry' };
  if (status === 413) return { kind: 'too-large' };
  if (status === 415 && sentGzip) return { kind: 'no-gzip' };
  return { kind: 'dead' };
}

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/**
 * Delay before attempt `failures + 1` after `failures` consecutive failures (>= 1):
 * "equal jitter": half of min(max, base * 2^(failures-1)) fixed, the other half random, so the
 * delay grows and agents that failed together do not retry together.
 */
export function backoffDelay(failures: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exp = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 40));
  return Math.round(exp / 2 + (exp / 2) * random());
}

/** The longest Retry-After honoured (a misconfigured endpoint cannot park reports for days). */
export const MAX_RETRY_AFTER_MS = 6 * 3600 * 1000;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const IMF = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/u;
const RFC850 = /^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/u;
const ASCTIME = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/u;

/** An HTTP-date (RFC 9110 5.6.7: IMF-fixdate, or the obsolete RFC 850 and asctime forms) in ms, or undefined. */
export function parseHttpDate(value: string, nowMs: number): number | undefined {
  let parts: [string, string, string, string, string, string] | undefined;
  let m = IMF.exec(value);
  if (m) parts = [m[3]!, m[2]!, m[1]!, m[4]!, m[5]!, m[6]!];
  else if ((m = RFC850.exec(value))) {
    // Two-digit year: the one within 50 years of now (RFC 9110 5.6.7).
    const yy = Number(m[3]);
    const century = Math.floor(new Date(nowMs).getUTCFullYear() / 100) * 100;
    let year = century + yy;
    if (year > new Date(nowMs).getUTCFullYear() + 50) year -= 100;
    parts = [String(year), m[2]!, m[1]!, m[4]!, m[5]!, m[6]!];
  } else if ((m = ASCTIME.exec(value))) parts = [m[6]!, m[1]!, m[2]!.trim(), m[3]!, m[4]!, m[5]!];
  if (!parts) return undefined;
  const month = MONTHS.indexOf(parts[1]);
  const [year, , day, hh, mm, ss] = parts.map(Number) as [number, number, number, number, number, number];
  if (month < 0 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return undefined;
  return Date.UTC(year, month, day, hh, mm, Math.min(ss, 59));
}

/**
 * Retry-After (RFC 9110 10.2.3): delta-seconds or an HTTP-date. Returns the wait in ms from
 * `nowMs` (0 for a date in the past), capped at MAX_RETRY_AFTER_MS; undefined when absent or
 * unparsable.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d{1,12}$/u.test(v)) return Math.min(Number(v) * 1000, MAX_RETRY_AFTER_MS);
  const when = parseHttpDate(v, nowMs);
  if (when === undefined) return undefined;
  return Math.min(Math.max(when - nowMs, 0), MAX_RETRY_AFTER_MS);
}

/**
 * When to try again: the endpoint's Retry-After when it sent one (never sooner than it asked;
 * never later than the cap), else the backoff.
 */
export function nextDelay(failures: number, retryAfterMs: number | undefined, options: BackoffOptions, random?: () => number): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  return backoffDelay(failures, options, random);
}
