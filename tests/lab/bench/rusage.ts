/** The resource-usage line rusage-cli.ts writes to stderr, and its reader (pure). */

export const RUSAGE_MARK = 'BENCH-RUSAGE ';

export interface Rusage {
  userMs: number;
  systemMs: number;
  maxRssKb: number;
}

/** The last BENCH-RUSAGE line in a process's stderr, or undefined. */
export function readRusage(stderr: string): Rusage | undefined {
  const line = stderr.split('\n').filter((l) => l.startsWith(RUSAGE_MARK)).at(-1);
  if (line === undefined) return undefined;
  const value = JSON.parse(line.slice(RUSAGE_MARK.length)) as Partial<Rusage>;
  if (typeof value.userMs !== 'number' || typeof value.systemMs !== 'number' || typeof value.maxRssKb !== 'number') return undefined;
  return { userMs: value.userMs, systemMs: value.systemMs, maxRssKb: value.maxRssKb };
}
