import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Lab } from './netns.ts';

/**
 * Timings of listening between sweeps, read from what the lab leaves: when a device first
 * announced itself (its simulator logs each announcement with the time) and when the reference
 * receiver first got a report holding it (its store keeps the millisecond; `receive --list`
 * prints seconds). Every process runs on this machine's clock.
 */

/** The first announcement of a device, ms since the epoch. */
export async function announcedAt(lab: Lab, name: string): Promise<number | undefined> {
  const times = (await lab.deviceLog(name))
    .split('\n')
    .filter((l) => l.includes('"announced"'))
    .map((l) => (JSON.parse(l) as { announced: { t: number } }).announced.t);
  return times.length === 0 ? undefined : Math.min(...times);
}

/** The receiver's first report holding the device at `address` since `after`, with its status. */
export function reportedAt(receiverDir: string, address: string, after: number): { at: number; status: string } | undefined {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path.join(receiverDir, 'receiver.db'), { readOnly: true });
  } catch {
    return undefined;
  }
  try {
    // One row per device report (the central service's embedded store: device_reports).
    const row = db.prepare('SELECT received_at AS at, status FROM device_reports WHERE ip = ? AND received_at >= ? ORDER BY received_at LIMIT 1').get(address, after) as { at: number; status: string } | undefined;
    return row === undefined ? undefined : { at: row.at, status: row.status };
  } catch {
    return undefined;
  } finally {
    db.close();
  }
}

/** The value at quantile q (0..1) of `values`, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

/** VmRSS and VmHWM of a process on this machine, kB. */
export function memoryKb(pid: number, read: (file: string) => string): { rss: number; hwm: number } {
  const status = read(`/proc/${pid}/status`);
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'mu').exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}
