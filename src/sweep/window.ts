/**
 * The listen window of one sweep (docs/decisions/window.md). Fixed, it lasts `maxMs`. Adaptive
 * (`idleMs` given), it closes as soon as
 *
 * 1. every discoverer run has sent its last scheduled datagram (or ended),
 * 2. every reply deadline they announced has passed (the protocol's own bound on how long a
 *    device may wait: MX for SSDP, APP_MAX_DELAY for WS-Discovery, ...), and
 * 3. no reply has arrived for `idleMs`,
 *
 * and at `maxMs` at the latest, whatever keeps arriving (a flood cannot hold it open longer).
 */
export interface WindowOutcome {
  /** `settled`: closed early by the rules above; `timeout`: lasted the whole `maxMs`. */
  reason: 'settled' | 'timeout';
  /** How long it was open, ms. */
  ms: number;
}

/** What one discoverer run holds. */
export interface WindowMember {
  /** Replies to what was just sent may come for `withinMs`; `last`: nothing more is scheduled. */
  expectReplies(withinMs: number, last?: boolean): void;
  /** The run ended (normally at the close, early when it could not open its sockets). */
  finished(): void;
}

export interface ListenWindow {
  join(): WindowMember;
  /** A reply was accepted. */
  activity(): void;
  readonly closed: Promise<WindowOutcome>;
  /** When, from the opening, the latest reply deadline falls and the last reply came, ms (the debug log's). */
  times(): { deadlineMs: number; lastReplyMs: number };
}

export interface ListenWindowOptions {
  maxMs: number;
  /** Adaptive when set: the quiet time after the last reply before closing. */
  idleMs?: number;
  /** Monotonic ms; injectable for tests. */
  clock?: () => number;
  /** Closes the window at once (reported as `timeout`: it did not settle). */
  signal?: AbortSignal;
}

export function openListenWindow(options: ListenWindowOptions): ListenWindow {
  const clock = options.clock ?? ((): number => performance.now());
  const { idleMs } = options;
  const start = clock();
  const closeAt = start + Math.max(0, options.maxMs);
  let sending = 0;
  let deadline = start;
  let lastReply = start;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let done = false;
  let resolveClosed: (outcome: WindowOutcome) => void = () => undefined;
  const closed = new Promise<WindowOutcome>((resolve) => {
    resolveClosed = resolve;
  });

  const finish = (reason: WindowOutcome['reason']): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    resolveClosed({ reason, ms: Math.round(clock() - start) });
  };

  // Re-evaluated when a run stops sending, and by a timer set for the earliest moment anything
  // can change; replies and deadlines only ever move that moment later, so they need no wake-up.
  const check = (): void => {
    if (done) return;
    clearTimeout(timer);
    const t = clock();
    if (t >= closeAt) {
      finish('timeout');
      return;
    }
    let wake = closeAt;
    if (idleMs !== undefined && sending === 0) {
      const ready = Math.max(deadline, lastReply + idleMs);
      if (t >= ready) {
        finish('settled');
        return;
      }
      wake = Math.min(wake, ready);
    }
    timer = setTimeout(check, Math.max(1, Math.ceil(wake - t)));
  };

  check();
  if (options.signal?.aborted) finish('timeout');
  else options.signal?.addEventListener('abort', () => finish('timeout'), { once: true });
  return {
    join() {
      sending += 1;
      let active = true;
      const stop = (): void => {
        if (!active) return;
        active = false;
        sending -= 1;
        if (sending === 0) check();
      };
      return {
        expectReplies(withinMs, last = false) {
          if (Number.isFinite(withinMs) && withinMs > 0) deadline = Math.max(deadline, clock() + withinMs);
          if (last) stop();
        },
        finished: stop,
      };
    },
    activity() {
      lastReply = clock();
    },
    closed,
    times: () => ({ deadlineMs: Math.round(deadline - start), lastReplyMs: Math.round(lastReply - start) }),
  };
}
