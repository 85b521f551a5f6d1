import type { SweepError } from './types.ts';
import { ERR } from './errors.ts';

/**
 * Bounded error records: whatever a network sends, what is kept of its problems has a fixed
 * size, and what is cut is counted and said.
 *
 * - capErrorsPerSource: per source (a host, or a protocol and host), the first few errors;
 *   one host flooding junk costs no more. The replies handlers of every protocol use it.
 * - createErrorLog: one sweep's (or one identification's) errors: the same problem from the
 *   same host, protocol and interface is one record, at most `maxErrors` are kept, and the
 *   summaries of what the bounds cut come last, always kept.
 */

/** Error records kept per source. */
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

/**
 * At most `perSource` (default MAX_ERRORS_PER_SOURCE) errors of each source; at most
 * `maxSources` sources are tracked, so the counter itself stays bounded, and errors from
 * sources beyond them are not recorded.
 */
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

export interface ErrorLog {
  /** Keeps an error: once per (code, ip, protocol, interface, message); past the cap, only counted. */
  record(err: SweepError): void;
  /** Errors kept so far. */
  readonly size: number;
  /**
   * What was kept, then `summaries` (what other bounds cut: hosts, unsent requests), then
   * SWEEP_ERROR_LIMIT when this log's own cap dropped errors. Summaries are always kept.
   */
  close(summaries?: readonly SweepError[]): SweepError[];
}

export function createErrorLog(options: { maxErrors: number }): ErrorLog {
  const errors: SweepError[] = [];
  const keys = new Set<string>();
  let dropped = 0;
  return {
    record(err) {
      // The same problem from the same host (a junk reply to each of our repeated probes) is one error.
      const key = [err.code, err.ip, err.protocol, err.interface, err.message].join('\u0000');
      if (keys.has(key)) return;
      if (errors.length >= options.maxErrors) {
        dropped += 1;
        return;
      }
      keys.add(key);
      errors.push(err);
    },
    get size() {
      return errors.length;
    },
    close(summaries = []) {
      const out = [...errors, ...summaries];
      if (dropped > 0) out.push({ code: ERR.SWEEP_ERROR_LIMIT, message: `${dropped} further errors were not kept` });
      return out;
    },
  };
}
