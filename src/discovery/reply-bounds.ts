import type { SweepError } from '../domain/types.ts';

/**
 * The bounds every protocol's reply handler keeps, whatever a segment sends (socket-free):
 *
 * - errors per source: a host that floods junk costs at most `perSource` error records (per
 *   protocol and host where one handler serves several protocols); further ones are only
 *   counted. At most `maxSources` sources are tracked, so the counter itself stays bounded;
 *   errors from sources beyond them are not recorded;
 * - replies seen: repeats (the same reply to each of our repeated probes, or to the group and
 *   to us) are recognised while the set has room; past `max` keys nothing more is remembered,
 *   so a flood of distinct replies costs no memory (the merger de-duplicates evidence anyway).
 */

/** Error records kept per source address (and protocol). */
export const MAX_ERRORS_PER_SOURCE = 4;
/** Sources whose errors are counted. */
export const MAX_ERROR_SOURCES = 4096;

export interface ErrorCapOptions {
  /** Where a recorded error goes. */
  record(err: SweepError): void;
  perSource?: number;
  maxSources?: number;
  /** Told about each error not recorded (for a debug line). */
  onCapped?(err: SweepError): void;
}

/** `(source, error)`: records the error unless its source is over the cap. Never throws. */
export type SourceErrorSink = (source: string, err: SweepError) => void;

export function capErrorsPerSource(options: ErrorCapOptions): SourceErrorSink {
  const perSource = options.perSource ?? MAX_ERRORS_PER_SOURCE;
  const maxSources = options.maxSources ?? MAX_ERROR_SOURCES;
  const counts = new Map<string, number>();
  return (source, err) => {
    if (!counts.has(source) && counts.size >= maxSources) {
      options.onCapped?.(err);
      return;
    }
    const n = (counts.get(source) ?? 0) + 1;
    counts.set(source, n);
    if (n <= perSource) options.record(err);
    else options.onCapped?.(err);
  };
}

/** `firstTime(key)`: true the first time a key is offered (and whenever the set is full). */
export function seenOnce(max: number): (key: string) => boolean {
  const seen = new Set<string>();
  return (key) => {
    if (seen.has(key)) return false;
    if (seen.size < max) seen.add(key);
    return true;
  };
}
