import type { DeviceStatus } from '../domain/types.ts';
import type { ChangeEvent, ChangeType } from '../inventory/types.ts';
import type { ReportInclude } from './config.ts';
import { eventKey } from './identity.ts';

/**
 * Change events (src/inventory) as they travel in camsweep.report/v1 (`events`, optional):
 * pure functions from the inventory's events to the payload's, each with an idempotency key
 * so a receiver keeps one row per event however often a report is resent.
 */

export interface ReportEvent {
  /** Idempotency key of this event: agent, sweep, type and inventory device id. */
  idempotencyKey: string;
  type: ChangeType;
  /** The inventory's id of the device. */
  deviceId: string;
  at: string;
  device: ChangeEvent['device'];
  /** For *-changed: the value before and after (cut to EVENT_VALUE_MAX characters). */
  before?: string | null;
  after?: string | null;
}

export const EVENT_VALUE_MAX = 256;

const STATUS_WORD = /^(restricted|review|clear)\b/u;

const cut = (s: string | null): string | null => (s !== null && s.length > EVENT_VALUE_MAX ? s.slice(0, EVENT_VALUE_MAX) : s);

/**
 * Whether an event is reported under `report.include`: its device's status is included, or,
 * for verdict-changed, the status before was (a device leaving the reported statuses is news).
 */
export function eventIncluded(event: ChangeEvent, statuses: readonly DeviceStatus[]): boolean {
  if (statuses.includes(event.device.status)) return true;
  if (event.type !== 'verdict-changed' || typeof event.before !== 'string') return false;
  const before = STATUS_WORD.exec(event.before)?.[1] as DeviceStatus | undefined;
  return before !== undefined && statuses.includes(before);
}

/** The included events with their keys, in the inventory's order; a repeat of the same (type, device) gets `#2`. */
export function reportEvents(events: readonly ChangeEvent[], agentId: string, sweepId: string, statuses: readonly DeviceStatus[]): ReportEvent[] {
  const seen = new Map<string, number>();
  const out: ReportEvent[] = [];
  for (const e of events) {
    if (!eventIncluded(e, statuses)) continue;
    const base = `${e.type}\u0000${e.deviceId}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const d = e.device;
    const event: ReportEvent = {
      idempotencyKey: eventKey(agentId, sweepId, e.type, e.deviceId, n),
      type: e.type,
      deviceId: e.deviceId,
      at: e.at,
      device: {
        ip: d.ip,
        mac: d.mac,
        manufacturer: cut(d.manufacturer),
        brand: cut(d.brand),
        model: cut(d.model),
        kind: d.kind,
        status: d.status,
      },
    };
    if (e.before !== undefined) event.before = cut(e.before);
    if (e.after !== undefined) event.after = cut(e.after);
    out.push(event);
  }
  return out;
}

export type { ReportInclude };
