import type { SweepResult } from '../domain/types.ts';
import type { Logger } from '../util/log.ts';
import type { ChangeEvent, ChangeType } from './types.ts';
import { openInventory } from './store.ts';

/** How many events of each type, for a log line or a metric. */
export function countChanges(events: readonly ChangeEvent[]): Partial<Record<ChangeType, number>> {
  const counts: Partial<Record<ChangeType, number>> = {};
  for (const e of events) counts[e.type] = (counts[e.type] ?? 0) + 1;
  return counts;
}

export interface RecordFromCliOptions {
  dataDir: string;
  log: Logger;
  now?: () => Date;
}

/**
 * What `camsweep sweep --record` does after printing: stores the sweep in the inventory and
 * logs what changed (a warning for each new restricted device). Returns the events. A sweep
 * that cannot be stored (data directory not writable, database busy beyond the timeout)
 * throws a CamsweepError (INVENTORY_*): the caller exits 1.
 */
export function recordSweepFromCli(result: SweepResult, options: RecordFromCliOptions): ChangeEvent[] {
  const log = options.log.child({ module: 'inventory' });
  const inventory = openInventory(options.dataDir, options.now === undefined ? {} : { now: options.now });
  try {
    const events = inventory.recordSweep(result);
    for (const e of events) {
      if (e.type !== 'restricted-new') continue;
      const { ip, mac, manufacturer, brand, model } = e.device;
      log.warn({ device: { id: e.deviceId, ip, mac, manufacturer, brand, model } }, 'new restricted device');
    }
    log.info({ inventory: { file: inventory.file, sweepId: result.id, devices: result.devices.length, changes: countChanges(events) } }, `sweep recorded in the inventory: ${events.length} change(s)`);
    return events;
  } finally {
    inventory.close();
  }
}
