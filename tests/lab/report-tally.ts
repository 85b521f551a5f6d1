import { Writable } from 'node:stream';
import type { SweepResult } from '../../src/domain/types.ts';
import type { ReportConfig } from '../../src/report/config.ts';
import { reportDevices } from '../../src/report/payload.ts';
import type { ReceiverStore } from '../../src/report/receiver/store.ts';
import { createLogger, type Logger } from '../../src/util/log.ts';

/** What the delivery tests count: what should have arrived, what did, how often. */

export interface Expected {
  /** Device key -> "agent sweep identity". */
  keys: Map<string, string>;
}

export function expectedFor(results: readonly SweepResult[], cfg: ReportConfig, expected: Expected = { keys: new Map() }): Expected {
  for (const r of results) {
    const sweepId = r.id;
    for (const d of reportDevices(r, cfg.agentId, sweepId, cfg.include)) expected.keys.set(d.idempotencyKey, `${cfg.agentId} ${sweepId} ${d.identity}`);
  }
  return expected;
}

export interface Tally {
  /** Requests that reached the receiver (every attempt, faults included). */
  sent: number;
  /** Repeats: requests beyond the first for the same request key. */
  retried: number;
  /** Distinct device keys stored. */
  delivered: number;
  /** Device entries that arrived again and were dropped by key (before de-duplication). */
  rawRepeats: number;
  /** After de-duplication: devices stored more than once (same agent, sweep and identity) or under a key never queued. */
  duplicated: number;
  /** Expected device keys never stored. */
  lost: number;
}

export function tally(store: ReceiverStore, expected: Expected, requestKeys: ReadonlyArray<string | undefined>): Tally {
  const stored = store.listDevices();
  const byIdentity = new Map<string, number>();
  for (const d of stored) byIdentity.set(`${d.agentId} ${d.sweepId} ${d.identity}`, (byIdentity.get(`${d.agentId} ${d.sweepId} ${d.identity}`) ?? 0) + 1);
  const keys = new Set(stored.map((d) => d.key));
  const duplicated = [...byIdentity.values()].reduce((n, c) => n + (c - 1), 0) + stored.filter((d) => !expected.keys.has(d.key)).length;
  const counts = store.counts();
  const distinctRequests = new Set(requestKeys.filter((k) => k !== undefined)).size;
  return {
    sent: requestKeys.length,
    retried: requestKeys.length - distinctRequests,
    delivered: keys.size,
    rawRepeats: counts.deviceReceipts - counts.devices,
    duplicated,
    lost: [...expected.keys.keys()].filter((k) => !keys.has(k)).length,
  };
}

export function printTally(name: string, t: Tally, extra = ''): void {
  console.log(
    `[report] ${name}: sent=${t.sent} retried=${t.retried} delivered=${t.delivered} duplicated=${t.duplicated} lost=${t.lost} ` +
      `(repeats dropped by key: ${t.rawRepeats})${extra ? `; ${extra}` : ''}`,
  );
}

/** A logger whose lines land in `lines` (parsed). */
export function captureLog(lines: Array<Record<string, unknown>>): Logger {
  return createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk: Buffer, _e, done) {
        for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    }),
  });
}
