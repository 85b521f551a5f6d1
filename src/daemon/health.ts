import type { PassiveStatus } from '../passive/passive.ts';
import type { SweepStatus } from './sweeps.ts';

/**
 * What `GET /healthz` says, as a pure function of the daemon's state: healthy (200) while it
 * runs and sweeps keep succeeding; 503 while it stops, or when no sweep has succeeded for two
 * schedule periods plus the time one sweep may take plus a minute (counted from the start
 * until the first success), which is what a container HEALTHCHECK or a monitor should catch:
 * a daemon that is up but no longer sweeps.
 */

export interface HealthState extends SweepStatus {
  nowMs: number;
  version: string;
  startedMs: number;
  stopping: boolean;
  nextAtMs: number | null;
  /** The schedule's gap between sweeps. */
  periodMs: number;
  /** The longest one sweep should take (listen window + enrichment grace + margin). */
  sweepBudgetMs: number;
  skipped: number;
  outbox: { pending: number; dead: number } | null;
  /** Listening between sweeps (null: off). */
  passive?: PassiveStatus | null;
}

export type HealthStatus = 'ok' | 'stale' | 'stopping';

export interface Health {
  status: HealthStatus;
  httpStatus: 200 | 503;
  body: Record<string, unknown>;
}

export const STALE_MARGIN_MS = 60_000;

const at = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function healthOf(s: HealthState): Health {
  const since = s.lastSuccessMs ?? s.startedMs;
  const staleAfterMs = 2 * s.periodMs + s.sweepBudgetMs + STALE_MARGIN_MS;
  const status: HealthStatus = s.stopping ? 'stopping' : s.nowMs - since > staleAfterMs ? 'stale' : 'ok';
  return {
    status,
    httpStatus: status === 'ok' ? 200 : 503,
    body: {
      status,
      version: s.version,
      uptimeSeconds: Math.round((s.nowMs - s.startedMs) / 1000),
      sweeps: {
        running: s.runningSinceMs !== null,
        runningSince: at(s.runningSinceMs),
        lastSuccessAt: at(s.lastSuccessMs),
        lastFinishedAt: at(s.lastFinishedMs),
        lastError: s.lastError,
        nextAt: at(s.nextAtMs),
        skipped: s.skipped,
        staleAfterSeconds: Number.isFinite(staleAfterMs) ? Math.round(staleAfterMs / 1000) : null,
      },
      outbox: s.outbox,
      passive: s.passive ?? null,
    },
  };
}
