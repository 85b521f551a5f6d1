import { createHash } from 'node:crypto';
import type { Change, ForwardSpec, StateRow } from './device-state.ts';

/**
 * What goes out to syslog, Splunk and webhooks: one event per new restricted device, change of
 * a restricted device, review or expired exception. Pure. Each carries the agent, site, device,
 * maker (manufacturer of record), brand, rule, pack and a link to the device in the console;
 * `id` is stable for the event (a hash of its de-duplication key), so a receiver that sees it
 * twice (delivery is at least once) can drop the repeat.
 */

export const CENTRAL_EVENT_SCHEMA = 'camsweep.central-event/v1';

export interface CentralEvent {
  schema: typeof CENTRAL_EVENT_SCHEMA;
  id: string;
  type: ForwardSpec['type'];
  at: string;
  agent: string;
  site: string | null;
  device: {
    id: string;
    ip: string;
    mac: string | null;
    manufacturer: string | null;
    brand: string | null;
    model: string | null;
    kind: string;
    status: string;
    verdictStatus: string;
  };
  maker: string | null;
  brand: string | null;
  rule: string | null;
  pack: string | null;
  reason: string;
  link: string | null;
  change?: Change;
  review?: { state: string; note: string; until: string | null; by: string };
}

export function eventId(key: string): string {
  return createHash('sha256').update(`camsweep.central-event\u0000${key}`).digest('hex').slice(0, 32);
}

export function deviceLink(consoleUrl: string | null, deviceId: string): string | null {
  if (consoleUrl === null) return null;
  return `${consoleUrl.replace(/\/+$/u, '')}/devices/${encodeURIComponent(deviceId)}`;
}

export function buildEvent(
  spec: ForwardSpec,
  row: StateRow,
  ctx: { at: string; agent: string; consoleUrl: string | null; review?: CentralEvent['review'] },
): CentralEvent {
  return {
    schema: CENTRAL_EVENT_SCHEMA,
    id: eventId(spec.key),
    type: spec.type,
    at: ctx.at,
    agent: ctx.agent,
    site: row.site === '' ? null : row.site,
    device: {
      id: row.id,
      ip: row.ip,
      mac: row.mac,
      manufacturer: row.manufacturer,
      brand: row.brand,
      model: row.model,
      kind: row.kind,
      status: row.status,
      verdictStatus: row.verdictStatus,
    },
    maker: row.manufacturer,
    brand: row.brand,
    rule: row.rule,
    pack: row.pack,
    reason: row.reason,
    link: deviceLink(ctx.consoleUrl, row.id),
    ...(spec.change === undefined ? {} : { change: spec.change }),
    ...(ctx.review === undefined ? {} : { review: ctx.review }),
  };
}
