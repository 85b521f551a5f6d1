import type { Clock } from '../../../src/daemon/clock.ts';
import { createLogger, type Logger } from '../../../src/util/log.ts';

/** A virtual clock: timers run only when the test advances time, in order. */
export class FakeClock implements Clock {
  t: number;
  private timers: Array<{ at: number; seq: number; fn: () => void }> = [];
  private seq = 0;

  constructor(start: number | string = '2026-01-15T00:00:00.000Z') {
    this.t = typeof start === 'number' ? start : Date.parse(start);
  }

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, ms: number): () => void {
    const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward, running each due timer at its own time and letting promises settle in between. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    await settle();
    for (;;) {
      const next = [...this.timers].sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (next === undefined || next.at > target) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = Math.max(this.t, next.at);
      next.fn();
      await settle();
    }
    this.t = target;
    await settle();
  }

  /** Moves the wall clock without running timers (a clock change, a suspended host). */
  jump(ms: number): void {
    this.t += ms;
  }
}

/** Lets pending promise callbacks (and a few rounds of I/O callbacks) run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

export interface LogLine {
  level: number;
  msg: string;
  module?: string;
  [key: string]: unknown;
}

/** A real pino logger whose lines are kept, parsed, for assertions. */
export function captureLog(level: 'debug' | 'info' | 'trace' = 'debug'): { log: Logger; lines: LogLine[]; messages: () => string[] } {
  const lines: LogLine[] = [];
  const log = createLogger({
    level,
    destination: {
      write(chunk: string) {
        for (const line of chunk.split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine);
      },
    },
  });
  return { log, lines, messages: () => lines.map((l) => l.msg) };
}
