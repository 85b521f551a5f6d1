import { errorCode, errorMessage } from '../domain/errors.ts';
import type { SweepResult } from '../domain/types.ts';
import type { ChangeEvent, Departure, Inventory } from '../inventory/types.ts';
import type { ReportConfig } from '../report/config.ts';
import type { DeliveryStats } from '../report/deliver.ts';
import type { Outbox } from '../report/outbox.ts';
import { queueSweepReport, type QueueResult } from '../report/queue.ts';
import type { Logger } from '../util/log.ts';

/**
 * What follows a sweep, in one place for `camsweep sweep`, the daemon and an identification
 * between sweeps: record the findings in the inventory (which gives the change events), tell
 * of the changes (a new restricted device is a warning), queue the report in the outbox (with
 * the events, where the caller sends them), then deliver. What differs between callers is
 * policy, given here as dependencies: when the inventory and the outbox are opened and closed,
 * whether a failure stops the rest (`strict`, the CLI: exit non-zero) or is logged and counted
 * while the rest goes on (the daemon), and how delivery goes (for a while now, or a kick to the
 * background worker, at once for a new restricted device).
 */

/**
 * What was found: a whole sweep (`sweep`: a device it did not find on an interface it swept
 * is gone), a sighting (`sighting`: devices identified outside a sweep, from their
 * announcements; nothing is inferred about the others), or a departure (`departure`: a
 * device said goodbye between sweeps; it is possibly gone, which the next sweep settles).
 */
export type Findings = { result: SweepResult; scope: 'sweep' | 'sighting' } | { departure: Departure; scope: 'departure' };

/** A store the pipeline uses for one step: opened for it and closed after (the CLI), or kept open (the daemon). */
export interface Lease<T> {
  use<R>(fn: (store: T) => R | Promise<R>): Promise<R>;
}

export type AfterSweepStage = 'inventory' | 'report';

export interface AfterSweepDeps {
  log: Logger;
  /** Where findings are recorded; absent: not recorded (and there are no change events). */
  inventory?: Lease<Inventory>;
  /** Told the changes once recorded: log lines, counters. */
  onChanges?(events: readonly ChangeEvent[], findings: Findings): void;
  /** The report settings in force, and the outbox: absent (or no endpoint), nothing is reported. */
  report?: { config(): ReportConfig; outbox: Lease<Outbox>; withEvents: boolean };
  /** After the report is queued; `urgent` when a new restricted device is in it. */
  deliver?(outbox: Outbox, config: ReportConfig, queued: QueueResult, urgent: boolean): Promise<DeliveryStats | null>;
  /** True: the first failure is thrown. False: it is logged (and `onFailure` told) and the rest goes on. */
  strict: boolean;
  onFailure?(stage: AfterSweepStage, err: unknown): void;
  now?: () => number;
}

export interface AfterSweepOutcome {
  events: ChangeEvent[];
  /** Null when nothing was reported (no endpoint, or the report could not be stored). */
  queued: QueueResult | null;
  /** A new restricted device is among the events: its report goes at once. */
  urgent: boolean;
  delivery: DeliveryStats | null;
}

export type AfterSweep = (findings: Findings) => Promise<AfterSweepOutcome>;

const FAILED: Record<AfterSweepStage, string> = {
  inventory: 'the sweep could not be stored in the inventory; its changes are unknown',
  // Not stored: this report is lost (the next sweep reports the devices again).
  report: "the sweep's report could not be stored in the outbox",
};

export function createAfterSweep(deps: AfterSweepDeps): AfterSweep {
  const log = deps.log.child({ module: 'agent' });
  const failed = (stage: AfterSweepStage, err: unknown, result: SweepResult): void => {
    if (deps.strict) throw err;
    deps.onFailure?.(stage, err);
    log.error({ sweep: { id: result.id }, error: { code: errorCode(err), message: errorMessage(err) } }, FAILED[stage]);
  };

  return async (findings) => {
    const result = findings.scope === 'departure' ? departureResult(findings.departure) : findings.result;
    let events: ChangeEvent[] = [];
    if (deps.inventory !== undefined) {
      try {
        events = await deps.inventory.use((inventory) =>
          findings.scope === 'departure' ? inventory.recordDeparture(findings.departure) : inventory.recordSweep(findings.result, { partial: findings.scope === 'sighting' }),
        );
      } catch (err) {
        failed('inventory', err, result);
      }
    }
    deps.onChanges?.(events, findings);
    const urgent = isUrgent(events);

    const report = deps.report;
    const cfg = report?.config();
    if (report === undefined || cfg === undefined || cfg.endpoint === null) return { events, queued: null, urgent, delivery: null };
    // A goodbye that changed nothing (an unknown device, one already leaving) has nothing to report.
    if (findings.scope === 'departure' && events.length === 0) return { events, queued: null, urgent, delivery: null };
    let queued: QueueResult | null = null;
    let delivery: DeliveryStats | null = null;
    try {
      await report.outbox.use(async (outbox) => {
        const q = queueSweepReport(result, cfg, {
          outbox,
          ...(report.withEvents ? { events } : {}),
          ...(findings.scope === 'sweep' ? {} : { kind: findings.scope }),
          ...(deps.now === undefined ? {} : { now: deps.now }),
        });
        queued = q;
        log.debug({ report: { sweepId: q.sweepId, queued: q.queued, devices: q.devices, events: q.events ?? 0 } }, 'report queued');
        delivery = (await deps.deliver?.(outbox, cfg, q, urgent)) ?? null;
      });
    } catch (err) {
      failed('report', err, result);
    }
    return { events, queued, urgent, delivery };
  };
}

/** A departure as a result with no devices, for its report (its event is what it says). */
function departureResult(d: Departure): SweepResult {
  return { schema: 'camsweep.sweep/v1', id: d.id, startedAt: d.at, finishedAt: d.at, interfaces: [], devices: [], errors: [] };
}

/** A restricted device appeared: its report goes at once, whatever backoff is in progress. */
export function isUrgent(events: readonly ChangeEvent[]): boolean {
  return events.some((e) => e.type === 'restricted-new');
}

/**
 * The change events as log lines: a new restricted device is a warning, with what identifies
 * it; with `every`, the other events too (info). Device values are nested under `device`,
 * never spread into the line's own fields.
 */
export function logChanges(events: readonly ChangeEvent[], log: Logger, options: { every: boolean }): void {
  for (const e of events) {
    if (e.type !== 'restricted-new' && !options.every) continue;
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
