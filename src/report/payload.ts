import type { Device, DeviceStatus, Identifiers, SweepResult } from '../domain/types.ts';
import type { ChangeEvent } from '../inventory/types.ts';
import { ERR, CamsweepError } from '../domain/errors.ts';
import type { ReportInclude } from './config.ts';
import { batchKey, deviceIdentity, deviceKey } from './identity.ts';
import { reportEvents, type ReportEvent } from './events.ts';

/**
 * The `camsweep.report/v1` payload (schemas/report.v1.schema.json): pure functions from a
 * sweep result to the request bodies, cut into batches no bigger than a byte cap.
 */

export const REPORT_SCHEMA = 'camsweep.report/v1';

/** A device as reported: the sweep's device (src/domain/types.ts) plus its idempotency key. */
export interface ReportDevice extends Device {
  /** Idempotency key of this device in this sweep of this agent: a receiver keeps one row per key. */
  idempotencyKey: string;
  /** `mac:<mac>` or `ip:<ip>`: what the key was derived from. */
  identity: string;
  /** Present when evidence or attribution detail was cut so the device fits one request. */
  truncated?: true;
}

export interface ReportSweep {
  id: string;
  startedAt: string;
  finishedAt: string;
  include: ReportInclude;
  /** Devices the sweep found, and how many of them this sweep reports (over all batches). */
  devicesFound: number;
  devicesReported: number;
  counts: Record<DeviceStatus, number>;
  /** Problems the sweep recorded (not sent: see the agent's own output). */
  errors: number;
  /** Change events this sweep reports over all batches (present when the report carries events). */
  eventsReported?: number;
  /** Absent for a sweep: what the daemon recorded between sweeps (a sighting or a departure). */
  kind?: ReportKind;
}

/** What a report other than a sweep's is about (src/agent/after-sweep.ts). */
export type ReportKind = 'sighting' | 'departure';

export interface ReportBatch {
  index: number;
  count: number;
  /** Set when the endpoint refused the batch as too large and it was split: "0", "1", "01"... */
  part?: string;
}

export interface ReportV1 {
  schema: typeof REPORT_SCHEMA;
  /** Idempotency key of this request (also in the Idempotency-Key header). */
  idempotencyKey: string;
  createdAt: string;
  agent: { id: string; version: string };
  site: string | null;
  sweep: ReportSweep;
  batch: ReportBatch;
  devices: ReportDevice[];
  /** Changes since the previous sweep (the daemon's inventory); absent from `camsweep sweep` reports. */
  events?: ReportEvent[];
}

export interface BuildOptions {
  agentId: string;
  site: string | null;
  sweepId: string;
  include: ReportInclude;
  batchMaxBytes: number;
  /** ISO time the report was built. */
  createdAt: string;
  version: string;
  /** The inventory's change events for this sweep; included by report.include like devices. */
  events?: readonly ChangeEvent[];
  /** A sighting or a departure between sweeps (absent: a sweep). */
  kind?: ReportKind;
}

const INCLUDED: Record<ReportInclude, readonly DeviceStatus[]> = {
  restricted: ['restricted'],
  review: ['restricted', 'review'],
  all: ['restricted', 'review', 'clear'],
};

export function includedStatuses(include: ReportInclude): readonly DeviceStatus[] {
  return INCLUDED[include];
}

const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');

export function toReportDevice(device: Device, key: string, identity: string): ReportDevice {
  const out: ReportDevice = {
    idempotencyKey: key,
    identity,
    ip: device.ip,
    addresses: [...device.addresses],
    mac: device.mac,
    manufacturer: device.manufacturer,
    brand: device.brand,
    model: device.model,
    firmware: device.firmware,
    serial: device.serial,
    kind: device.kind,
    status: device.verdict.status,
    confidence: device.confidence,
    protocols: [...device.protocols],
    interfaces: [...device.interfaces],
    identifiers: { ...device.identifiers },
    evidence: device.evidence.map((e) => ({ protocol: e.protocol, field: e.field, value: e.value })),
    verdict: structuredClone(device.verdict),
  };
  if (device.attribution !== undefined) out.attribution = structuredClone(device.attribution);
  return out;
}

/** Devices whose verdict is included, with their keys; a second device with the same identity gets `#2`. */
export function reportDevices(result: SweepResult, agentId: string, sweepId: string, include: ReportInclude): ReportDevice[] {
  const statuses = INCLUDED[include];
  const seen = new Map<string, number>();
  const out: ReportDevice[] = [];
  for (const device of result.devices) {
    if (!statuses.includes(device.verdict.status)) continue;
    const base = deviceIdentity(device);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const identity = n === 1 ? base : `${base}#${n}`;
    out.push(toReportDevice(device, deviceKey(agentId, sweepId, identity), identity));
  }
  return out;
}

/**
 * Makes one device fit `room` bytes of JSON, cutting detail in this order: evidence (keeping the
 * first items), attribution matches, attribution candidates and conflicts, extra addresses and
 * interfaces, then every string to 64 characters. Never drops the device or its verdict.
 */
export function fitDevice(device: ReportDevice, room: number): ReportDevice {
  if (bytes(device) <= room) return device;
  const d: ReportDevice = structuredClone(device);
  d.truncated = true;
  const evidence = d.evidence;
  d.evidence = [];
  if (bytes(d) <= room) {
    let used = bytes(d);
    for (const e of evidence) {
      const size = bytes(e) + (d.evidence.length > 0 ? 1 : 0);
      if (used + size > room) break;
      d.evidence.push(e);
      used += size;
    }
    return d;
  }
  const steps: Array<() => void> = [
    () => {
      if (d.attribution) d.attribution.matches = [];
    },
    () => {
      if (d.attribution) {
        d.attribution.candidates = d.attribution.candidates.slice(0, 1).map((c) => ({ ...c, fingerprints: c.fingerprints.slice(0, 4) }));
        d.attribution.conflicts = [];
      }
    },
    () => {
      d.addresses = [d.ip];
      d.interfaces = d.interfaces.slice(0, 4);
    },
    () => {
      const cut = (s: string): string => (s.length > 64 ? s.slice(0, 64) : s);
      for (const k of ['manufacturer', 'brand', 'model', 'firmware', 'serial'] as const) {
        const v = d[k];
        if (v !== null) d[k] = cut(v);
      }
      for (const k of Object.keys(d.identifiers) as Array<keyof Identifiers>) {
        const v = d.identifiers[k];
        if (v !== undefined) d.identifiers[k] = cut(v);
      }
      d.verdict.reason = cut(d.verdict.reason);
      if (d.attribution) d.attribution = { ...d.attribution, conflicts: [], candidates: [], matches: [] };
    },
  ];
  for (const step of steps) {
    step();
    if (bytes(d) <= room) return d;
  }
  return d;
}

function envelope(result: SweepResult, all: readonly ReportDevice[], opts: BuildOptions): Omit<ReportV1, 'idempotencyKey' | 'batch' | 'devices'> {
  const counts: Record<DeviceStatus, number> = { restricted: 0, review: 0, clear: 0 };
  for (const d of result.devices) counts[d.verdict.status] += 1;
  return {
    schema: REPORT_SCHEMA,
    createdAt: opts.createdAt,
    agent: { id: opts.agentId, version: opts.version },
    site: opts.site,
    sweep: {
      id: opts.sweepId,
      startedAt: result.startedAt,
      finishedAt: result.finishedAt,
      include: opts.include,
      devicesFound: result.devices.length,
      devicesReported: all.length,
      counts,
      errors: result.errors.length,
      ...(opts.kind === undefined ? {} : { kind: opts.kind }),
    },
  };
}

/**
 * The request bodies for one sweep: the included devices (then the included change events,
 * when `events` is given) in batches whose JSON is at most `batchMaxBytes`. A sweep with
 * nothing to report still gives one report with no devices, so the central side learns that
 * the sweep ran and found nothing.
 */
export function buildReports(result: SweepResult, opts: BuildOptions): ReportV1[] {
  const all = reportDevices(result, opts.agentId, opts.sweepId, opts.include);
  const events = opts.events === undefined ? undefined : reportEvents(opts.events, opts.agentId, opts.sweepId, INCLUDED[opts.include]);
  const env = envelope(result, all, opts);
  if (events !== undefined) env.sweep.eventsReported = events.length;
  // Worst-case envelope: the widest batch numbers and part a sweep can have.
  const overhead = bytes({
    ...env,
    idempotencyKey: 'k'.repeat(32),
    batch: { index: 999_999, count: 999_999, part: 'p'.repeat(32) },
    devices: [],
    ...(events === undefined ? {} : { events: [] }),
  });
  const room = opts.batchMaxBytes - overhead;
  if (room < 1024) throw new CamsweepError(ERR.REPORT_BATCH_TOO_SMALL, `batchMaxBytes ${opts.batchMaxBytes} leaves no room for devices`);
  type Group = { devices: ReportDevice[]; events: ReportEvent[] };
  const groups: Group[] = [];
  let current: Group = { devices: [], events: [] };
  let used = 0;
  const add = (size: number, push: (g: Group) => void): void => {
    const count = current.devices.length + current.events.length;
    if (count > 0 && used + size + 1 > room) {
      groups.push(current);
      current = { devices: [], events: [] };
      used = 0;
    }
    used += size + (current.devices.length + current.events.length > 0 ? 1 : 0);
    push(current);
  };
  for (const raw of all) {
    const d = fitDevice(raw, room);
    add(bytes(d), (g) => g.devices.push(d));
  }
  for (const e of events ?? []) add(bytes(e), (g) => g.events.push(e));
  if (current.devices.length + current.events.length > 0 || groups.length === 0) groups.push(current);
  return groups.map((group, index) => {
    const e = structuredClone(env);
    const report: ReportV1 = {
      schema: e.schema,
      idempotencyKey: batchKey(
        opts.agentId,
        opts.sweepId,
        group.devices.map((d) => d.idempotencyKey),
        group.events.map((x) => x.idempotencyKey),
      ),
      createdAt: e.createdAt,
      agent: e.agent,
      site: e.site,
      sweep: e.sweep,
      batch: { index, count: groups.length },
      devices: group.devices,
    };
    if (events !== undefined) report.events = group.events;
    return report;
  });
}

export function serializeReport(report: ReportV1): string {
  return JSON.stringify(report);
}

/**
 * Splits a report the endpoint refused as too large into two halves with their own request
 * keys; every device and event keeps its key. A report with a single device (or event) cannot
 * be split (null).
 */
export function splitReport(report: ReportV1): [ReportV1, ReportV1] | null {
  const events = report.events ?? [];
  const items = report.devices.length + events.length;
  if (items < 2) return null;
  const mid = Math.ceil(items / 2);
  const half = (from: number, to: number, bit: string): ReportV1 => {
    const devices = report.devices.slice(Math.min(from, report.devices.length), Math.min(to, report.devices.length));
    const evs = events.slice(Math.max(from - report.devices.length, 0), Math.max(to - report.devices.length, 0));
    const out: ReportV1 = {
      ...report,
      idempotencyKey: batchKey(
        report.agent.id,
        report.sweep.id,
        devices.map((d) => d.idempotencyKey),
        evs.map((x) => x.idempotencyKey),
      ),
      batch: { index: report.batch.index, count: report.batch.count, part: `${report.batch.part ?? ''}${bit}` },
      devices,
    };
    if (report.events !== undefined) out.events = evs;
    return out;
  };
  return [half(0, mid, '0'), half(mid, items, '1')];
}
