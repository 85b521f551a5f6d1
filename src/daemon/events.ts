import type { Logger } from '../util/log.ts';
import type { ChangeEvent } from '../inventory/types.ts';
import type { Counter } from './prometheus.ts';

/**
 * What the daemon does with the inventory's change events besides reporting them: one log line
 * each (module `events`; a new restricted device is a warning), counted by type. Device values
 * are nested under `device`, never spread into the line's own fields.
 */
export function publishEvents(events: readonly ChangeEvent[], log: Logger, counter: Counter): void {
  for (const e of events) {
    counter.inc({ type: e.type });
    const { ip, mac, manufacturer, brand, model, kind, status } = e.device;
    const line = {
      event: { type: e.type, sweepId: e.sweepId, at: e.at },
      device: { id: e.deviceId, ip, mac, manufacturer, brand, model, kind, status },
      ...(e.before === undefined && e.after === undefined ? {} : { change: { before: e.before ?? null, after: e.after ?? null } }),
    };
    if (e.type === 'restricted-new') log.warn(line, 'new restricted device');
    else log.info(line, e.type);
  }
}

/** A restricted device appeared: its report goes at once, whatever backoff is in progress. */
export function isUrgent(events: readonly ChangeEvent[]): boolean {
  return events.some((e) => e.type === 'restricted-new');
}
