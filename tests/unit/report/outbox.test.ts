import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openOutbox, outboxPath, type NewReport, type Outbox } from '../../../src/report/outbox.ts';

let dir: string;
let box: Outbox;
const report = (n: number, devices = 1): NewReport => ({ key: `key-${String(n).padStart(4, '0')}`, sweepId: 'sw-1', body: JSON.stringify({ n }), devices });

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-outbox-'));
  box = openOutbox(path.join(dir, 'data'));
});
afterEach(() => {
  box.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('outbox', () => {
  it('creates its directory 0700 and database 0600, in WAL mode with synchronous FULL', () => {
    expect(statSync(path.join(dir, 'data')).mode & 0o777).toBe(0o700);
    expect(statSync(outboxPath(path.join(dir, 'data'))).mode & 0o777).toBe(0o600);
    const db = new DatabaseSync(box.file, { readOnly: true });
    expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    db.close();
  });

  it('stores a batch of reports in one transaction and skips keys already queued', () => {
    expect(box.enqueue([report(1), report(2)], 1000)).toBe(2);
    expect(box.enqueue([report(2), report(3)], 2000)).toBe(1);
    expect(box.listPending().map((r) => r.key)).toEqual(['key-0001', 'key-0002', 'key-0003']);
    expect(box.pendingCount()).toBe(3);
  });

  it('rolls the whole batch back when one insert fails', () => {
    box.enqueue([report(1)], 1000);
    const broken = { ...report(2), body: null as unknown as string };
    expect(() => box.enqueue([report(3), broken], 1000)).toThrow();
    expect(box.listPending().map((r) => r.key)).toEqual(['key-0001']);
  });

  it('survives a reopen (the committed state is on disk)', () => {
    box.enqueue([report(1), report(2)], 1000);
    box.close();
    box = openOutbox(path.join(dir, 'data'));
    expect(box.pendingCount()).toBe(2);
    expect(box.integrityCheck()).toBe('ok');
  });

  it('hands out due reports oldest schedule first, and tells when the next one is due', () => {
    box.enqueue([report(1), report(2), report(3)], 1000);
    const first = box.nextDue(1000)!;
    expect(first.key).toBe('key-0001');
    box.recordAttempt(first.id, 1000);
    box.reschedule(first.id, 5000, 503, 'HTTP 503');
    expect(box.nextDue(1000)!.key).toBe('key-0002');
    box.delivered(box.nextDue(1000)!.id);
    box.reschedule(box.nextDue(1000)!.id, 4000, null, 'REPORT_NETWORK');
    expect(box.nextDue(1000)).toBeUndefined();
    expect(box.nextWakeAt()).toBe(4000);
    const again = box.nextDue(5000)!;
    expect(again.key).toBe('key-0003');
    const one = box.getPending(first.id)!;
    expect(one).toMatchObject({ attempts: 1, lastAttemptAt: 1000, lastStatus: 503, lastError: 'HTTP 503', nextAttemptAt: 5000 });
  });

  it('moves a report to the dead-letter table atomically, keeping its id; a dead key is not queued again', () => {
    box.enqueue([report(1), report(2)], 1000);
    const id = box.nextDue(1000)!.id;
    box.recordAttempt(id, 1100);
    box.deadLetter(id, 1200, 401, 'HTTP 401: bad token');
    expect(box.pendingCount()).toBe(1);
    expect(box.listDead()).toEqual([expect.objectContaining({ id, key: 'key-0001', attempts: 1, deadAt: 1200, status: 401, reason: 'HTTP 401: bad token' })]);
    expect(box.enqueue([report(1)], 1300)).toBe(0);
    expect(box.pendingCount()).toBe(1);
  });

  it('retry moves chosen (or all) dead letters back, due now with attempts reset; purge deletes them', () => {
    box.enqueue([report(1), report(2), report(3)], 1000);
    for (const r of box.listPending()) box.deadLetter(r.id, 1200, 400, 'HTTP 400');
    const [a, b, c] = box.listDead().map((d) => d.id);
    expect(box.retryDead([a!], 2000)).toBe(1);
    expect(box.listPending()).toEqual([expect.objectContaining({ id: a, attempts: 0, nextAttemptAt: 2000, createdAt: 2000, lastStatus: 400 })]);
    expect(box.listDead().map((d) => d.id)).toEqual([b, c]);
    expect(box.retryDead([], 2000)).toBe(0);
    expect(box.purgeDead([b!])).toBe(1);
    expect(box.retryDead('all', 3000)).toBe(1);
    expect(box.deadCount()).toBe(0);
    expect(box.pendingCount()).toBe(2);
    expect(box.purgePending('all')).toBe(2);
    expect(box.pendingCount()).toBe(0);
  });

  it('never reuses an id, so a dead letter id stays unambiguous', () => {
    box.enqueue([report(1)], 1000);
    const id = box.listPending()[0]!.id;
    box.deadLetter(id, 1000, 400, 'x');
    box.enqueue([report(2)], 1000);
    expect(box.listPending()[0]!.id).toBeGreaterThan(id);
  });

  it('replaces a report by its halves in one transaction, keeping its age', () => {
    box.enqueue([report(1, 4)], 1000);
    const id = box.listPending()[0]!.id;
    box.replace(id, [report(10, 2), report(11, 2)], 5000);
    const rows = box.listPending();
    expect(rows.map((r) => [r.key, r.devices, r.createdAt, r.nextAttemptAt])).toEqual([
      ['key-0010', 2, 1000, 5000],
      ['key-0011', 2, 1000, 5000],
    ]);
    box.replace(9999, [report(12)], 5000);
    expect(box.pendingCount()).toBe(2);
  });

  it('keeps small state (gzip support of an endpoint) in meta', () => {
    expect(box.getMeta('gzip:https://x/')).toBeUndefined();
    box.setMeta('gzip:https://x/', 'accepted');
    box.setMeta('gzip:https://x/', 'refused');
    expect(box.getMeta('gzip:https://x/')).toBe('refused');
  });

  it('lets a second connection read while the first holds it open (outbox list during a delivery)', () => {
    box.enqueue([report(1)], 1000);
    const other = openOutbox(path.join(dir, 'data'));
    try {
      expect(other.pendingCount()).toBe(1);
      other.enqueue([report(2)], 1000);
      expect(box.pendingCount()).toBe(2);
    } finally {
      other.close();
    }
  });
});
