import type { Device, DeviceKind, DeviceStatus } from '../domain/types.ts';
import { DEVICE_KINDS, DEVICE_STATUSES } from '../domain/kinds.ts';
import type { ChangeEvent } from './types.ts';

/**
 * The facts about a device that changes are computed from, as of one sweep. The store keeps
 * one per device (as last seen) and one per device per sweep (presence), so the changes of a
 * sweep and the diff of two stored sweeps compare the same things.
 */
export interface Snapshot {
  ip: string;
  mac: string | null;
  manufacturer: string | null;
  brand: string | null;
  model: string | null;
  firmware: string | null;
  kind: DeviceKind;
  status: DeviceStatus;
  pack: string | null;
  rule: string | null;
  /** Local interfaces the device answered on (empty when unknown). */
  interfaces: string[];
}

export function snapshotOf(device: Device): Snapshot {
  return {
    ip: device.ip,
    mac: device.mac,
    manufacturer: device.manufacturer,
    brand: device.brand,
    model: device.model,
    firmware: device.firmware,
    kind: device.kind,
    status: device.verdict.status,
    pack: device.verdict.pack ?? null,
    rule: device.verdict.rule ?? null,
    interfaces: [...device.interfaces],
  };
}

/**
 * What a sweep did not learn is not a change: a MAC missing from the neighbour table, or a
 * firmware or model missing because the device service timed out this time, keeps the value
 * known before. The verdict and addresses are always this sweep's.
 */
export function carryForward(now: Snapshot, before: Snapshot | undefined): Snapshot {
  if (before === undefined) return now;
  return {
    ...now,
    mac: now.mac ?? before.mac,
    model: now.model ?? before.model,
    firmware: now.firmware ?? before.firmware,
  };
}

/** `restricted (us-ndaa-889/dahua)`, `review`: the status with the pack and rule behind it. */
export function verdictLabel(s: Pick<Snapshot, 'status' | 'pack' | 'rule'>): string {
  if (s.pack === null && s.rule === null) return s.status;
  return `${s.status} (${s.pack ?? '-'}/${s.rule ?? '-'})`;
}

/** The part of a snapshot an event carries. */
export function eventDevice(s: Snapshot): ChangeEvent['device'] {
  return { ip: s.ip, mac: s.mac, manufacturer: s.manufacturer, brand: s.brand, model: s.model, kind: s.kind, status: s.status };
}

const STATUSES: ReadonlySet<string> = new Set(DEVICE_STATUSES);
const KINDS: ReadonlySet<string> = new Set(DEVICE_KINDS);

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** A snapshot read back from the database; undefined when the stored JSON is not one. */
export function parseSnapshot(json: string): Snapshot | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (raw === null || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.ip !== 'string' || typeof r.status !== 'string' || !STATUSES.has(r.status) || typeof r.kind !== 'string' || !KINDS.has(r.kind)) {
    return undefined;
  }
  return {
    ip: r.ip,
    mac: text(r.mac),
    manufacturer: text(r.manufacturer),
    brand: text(r.brand),
    model: text(r.model),
    firmware: text(r.firmware),
    kind: r.kind as DeviceKind,
    status: r.status as DeviceStatus,
    pack: text(r.pack),
    rule: text(r.rule),
    interfaces: Array.isArray(r.interfaces) ? r.interfaces.filter((i): i is string => typeof i === 'string') : [],
  };
}
