import { compareIp } from '../util/ip.ts';
import type { ChangeEvent, ChangeType } from './types.ts';
import { carryForward, eventDevice, verdictLabel, type Snapshot } from './snapshot.ts';

/**
 * The changes one sweep brings, from the devices it found (matched to the inventory's ids) and
 * the inventory's state before it. Pure: the store feeds it rows, `diff` feeds it two stored
 * sweeps. Rules:
 *
 * - a device never seen before: `device-new`, or `restricted-new` instead when restricted;
 * - a known device that was absent (a covering sweep missed it), or that said goodbye since
 *   (a departure), found again: `device-back`;
 * - a known device present before that this sweep missed: `device-gone`, but only when the
 *   sweep covered it (it swept one of the interfaces the device was last seen on, or the
 *   device's interface is unknown): a sweep of eth1 says nothing about the devices on eth0
 *   (a device that said goodbye is confirmed gone the same way);
 * - a goodbye heard between sweeps from a present device: `device-leaving` (departureChange);
 * - a known device found again (back or not): `ip-changed`, `firmware-changed`,
 *   `model-changed` (only between two known values: learning a value is not a change, and a
 *   sweep that did not learn one keeps the old), `verdict-changed` (status, pack or rule).
 */

/** Known state of one device before the sweep. */
export interface KnownState {
  /** As last seen (firmware and model: the last values known). */
  snapshot: Snapshot;
  /** False when a covering sweep missed it since it was last seen. */
  present: boolean;
  /** It said goodbye since it was last seen (a departure), and nothing has seen it since. */
  leaving?: boolean;
}

export interface FoundDevice {
  id: string;
  snapshot: Snapshot;
  /** Absent when the device is new to the inventory. */
  known?: KnownState;
}

export interface ChangeInput {
  sweep: { id: string; at: string; interfaces: readonly string[] };
  found: readonly FoundDevice[];
  /** Every known device this sweep did not find. */
  missing: ReadonlyArray<{ id: string; known: KnownState }>;
}

/** Event types in the order they are listed: what needs attention first. */
export const CHANGE_ORDER: readonly ChangeType[] = [
  'restricted-new',
  'device-new',
  'device-back',
  'device-gone',
  'device-leaving',
  'verdict-changed',
  'ip-changed',
  'firmware-changed',
  'model-changed',
];

const RANK = new Map(CHANGE_ORDER.map((t, i) => [t, i]));

/** Stable order: by type (CHANGE_ORDER), then IP (numeric for IPv4), then device id. */
export function compareEvents(a: ChangeEvent, b: ChangeEvent): number {
  return (RANK.get(a.type) ?? 99) - (RANK.get(b.type) ?? 99) || compareIp(a.device.ip, b.device.ip) || (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0);
}

/** Did a sweep of `sweepInterfaces` look where a device last seen on `deviceInterfaces` would answer? */
export function covers(sweepInterfaces: readonly string[], deviceInterfaces: readonly string[]): boolean {
  if (deviceInterfaces.length === 0) return true;
  return deviceInterfaces.some((i) => sweepInterfaces.includes(i));
}

export function computeChanges(input: ChangeInput): ChangeEvent[] {
  const { id: sweepId, at } = input.sweep;
  const events: ChangeEvent[] = [];
  const event = (type: ChangeType, deviceId: string, s: Snapshot, change?: { before: string | null; after: string | null }): void => {
    events.push({ type, deviceId, sweepId, at, device: eventDevice(s), ...(change ?? {}) });
  };

  for (const f of input.found) {
    if (f.known === undefined) {
      event(f.snapshot.status === 'restricted' ? 'restricted-new' : 'device-new', f.id, f.snapshot);
      continue;
    }
    const before = f.known.snapshot;
    const now = carryForward(f.snapshot, before);
    if (!f.known.present || f.known.leaving === true) event('device-back', f.id, now);
    if (before.ip !== now.ip) event('ip-changed', f.id, now, { before: before.ip, after: now.ip });
    if (before.firmware !== null && now.firmware !== null && before.firmware !== now.firmware) {
      event('firmware-changed', f.id, now, { before: before.firmware, after: now.firmware });
    }
    if (before.model !== null && now.model !== null && before.model !== now.model) {
      event('model-changed', f.id, now, { before: before.model, after: now.model });
    }
    const [was, is] = [verdictLabel(before), verdictLabel(now)];
    if (was !== is) event('verdict-changed', f.id, now, { before: was, after: is });
  }

  for (const m of input.missing) {
    if (m.known.present && covers(input.sweep.interfaces, m.known.snapshot.interfaces)) event('device-gone', m.id, m.known.snapshot);
  }
  return events.sort(compareEvents);
}

/**
 * The event a goodbye brings: `device-leaving` for a device present and not already leaving
 * (SSDP repeats its byebye for every service, mDNS its goodbye), else none.
 */
export function departureChange(input: { id: string; at: string; deviceId: string; known: KnownState }): ChangeEvent | undefined {
  if (!input.known.present || input.known.leaving === true) return undefined;
  return { type: 'device-leaving', deviceId: input.deviceId, sweepId: input.id, at: input.at, device: eventDevice(input.known.snapshot) };
}

/** How many events of each type, for a log line or a metric. */
export function countChanges(events: readonly ChangeEvent[]): Partial<Record<ChangeType, number>> {
  const counts: Partial<Record<ChangeType, number>> = {};
  for (const e of events) counts[e.type] = (counts[e.type] ?? 0) + 1;
  return counts;
}
