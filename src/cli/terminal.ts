import type { SweepProgress } from '../sweep/sweep.ts';

/**
 * What a command shows on stderr while it works, when stderr is a terminal: one status line
 * rewritten in place (progress), with whole lines (logs) written above it. Off a terminal the
 * status is never shown and lines are written as they come.
 */
export interface StatusLine {
  readonly enabled: boolean;
  /** Replaces the status line (a terminal only). */
  show(text: string): void;
  /** Removes the status line, leaving the cursor at the start of an empty line. */
  clear(): void;
  /** Writes a whole line (ending in a newline) above the status line, which is drawn again. */
  line(text: string): void;
}

const CLEAR = '\r\u001b[K';

export function statusLine(write: (text: string) => void, enabled: boolean): StatusLine {
  let current = '';
  return {
    enabled,
    show(text) {
      if (!enabled || text === current) return;
      current = text;
      write(`${CLEAR}${text}`);
    },
    clear() {
      if (!enabled || current === '') return;
      current = '';
      write(CLEAR);
    },
    line(text) {
      if (!enabled || current === '') {
        write(text);
        return;
      }
      write(`${CLEAR}${text}${current}`);
    },
  };
}

/** What the progress display knows: the sweep's counters, the unicast probing, the bounds. */
export interface ProgressState {
  sweep: SweepProgress;
  /** Unicast probing: addresses probed and in all, when it began and ended. */
  probe?: { probed: number; total: number; startedAt: number; doneAt?: number };
  /** Longest listen window and enrichment grace, ms. */
  windowMs: number;
  graceMs: number;
}

const seconds = (ms: number): string => `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
const rate = (n: number, ms: number): number => (ms > 0 ? (n * 1000) / ms : 0);
const left = (remaining: number, perSecond: number, capMs?: number): string => {
  if (remaining <= 0) return '';
  if (perSecond <= 0) return capMs === undefined ? '' : ` · ≤${seconds(capMs)} left`;
  const ms = (remaining / perSecond) * 1000;
  return ` · ~${seconds(capMs === undefined ? ms : Math.min(ms, capMs))} left`;
};

/**
 * The status line for a sweep at time `now` (performance.now()): each long phase with its
 * count, rate and time left. The listen window's end is bounded (it closes earlier once every
 * reply is in); enrichment ends when its requests are done or the grace runs out.
 */
export function progressText(state: ProgressState, now: number): string {
  const { sweep } = state;
  const hosts = `${sweep.hosts} host(s) answered`;
  const elapsed = now - sweep.phaseAt;
  switch (sweep.phase) {
    case 'listen': {
      const probe = state.probe;
      if (probe !== undefined && probe.probed < probe.total) {
        const perSecond = rate(probe.probed, now - probe.startedAt);
        return `probing ${probe.probed}/${probe.total} addresses · ${perSecond.toFixed(0)}/s${left(probe.total - probe.probed, perSecond)} · ${hosts}`;
      }
      // With routed targets the window opens after the last unicast probe.
      const bound = state.windowMs + (probe?.doneAt === undefined ? 0 : Math.max(0, probe.doneAt - sweep.phaseAt));
      return `listening ${seconds(elapsed)} · ≤${seconds(bound - elapsed)} left (less once all replies are in) · ${hosts}`;
    }
    case 'enrich': {
      const done = sweep.enrichFinished;
      const total = sweep.enrichScheduled;
      const perSecond = rate(done, elapsed);
      return `identifying ${done}/${total} request(s) · ${perSecond.toFixed(1)}/s${left(total - done, perSecond, state.graceMs - elapsed)} · ${hosts}`;
    }
    case 'judge':
      return `judging ${sweep.hosts} host(s)`;
    case 'done':
      return '';
  }
}

export interface SweepProgressDisplay {
  /** The sweep's counters (pass to the sweeper). */
  readonly progress: SweepProgress;
  /** The unicast prober's callback (pass to the sweeper as onProgress). */
  onProbe(probed: number, total: number): void;
  /** Stops redrawing and clears the line. */
  stop(): void;
}

/** Redraws the status line every `intervalMs` from the sweep's counters, until stop(). */
export function sweepProgressDisplay(status: StatusLine, bounds: { windowMs: number; graceMs: number }, intervalMs = 200): SweepProgressDisplay {
  const now = (): number => performance.now();
  const state: ProgressState = { sweep: { phase: 'listen', phaseAt: now(), hosts: 0, enrichScheduled: 0, enrichFinished: 0 }, ...bounds };
  const draw = (): void => {
    const text = progressText(state, now());
    if (text === '') status.clear();
    else status.show(text);
  };
  const timer = setInterval(draw, intervalMs);
  timer.unref();
  return {
    progress: state.sweep,
    onProbe(probed, total) {
      state.probe ??= { probed: 0, total, startedAt: now() };
      state.probe.probed = probed;
      state.probe.total = total;
      if (probed >= total) state.probe.doneAt ??= now();
    },
    stop() {
      clearInterval(timer);
      status.clear();
    },
  };
}
