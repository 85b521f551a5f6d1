import type { DeviceStatus, SweepResult } from '../domain/types.ts';
import { DEVICE_STATUSES } from '../domain/kinds.ts';
import type { ChangeType } from '../inventory/types.ts';
import type { DeliveryStats } from '../report/deliver.ts';
import type { PassiveMetrics, PassiveStatus } from '../passive/passive.ts';
import { PASSIVE_PROTOCOLS } from './config.ts';
import { createRegistry, type Counter, type Gauge, type Histogram } from './prometheus.ts';

/**
 * The daemon's metrics (`GET /metrics`): sweeps (count, outcome, duration, skipped), devices
 * by status (last sweep and inventory), change events by type, outbox depth, deliveries and
 * errors by stage, and listening between sweeps (announcements heard and dropped,
 * identifications run and skipped with their time from announcement to report, departures,
 * the description cache, hosts remembered). Every series a dashboard needs exists from the
 * start, at 0.
 */

export const CHANGE_TYPES = [
  'device-new',
  'restricted-new',
  'device-gone',
  'device-back',
  'device-leaving',
  'ip-changed',
  'firmware-changed',
  'model-changed',
  'verdict-changed',
] as const satisfies readonly ChangeType[];
// Compile-time check that the list names every change type.
const everyChangeType: [Exclude<ChangeType, (typeof CHANGE_TYPES)[number]>] extends [never] ? true : false = true;
void everyChangeType;

export const STATUSES: readonly DeviceStatus[] = DEVICE_STATUSES;

/** Where a daemon error happened (label values of camsweep_errors_total). */
export const ERROR_STAGES = ['sweep', 'inventory', 'report', 'delivery', 'reload', 'http'] as const;
export type ErrorStage = (typeof ERROR_STAGES)[number];

export const DURATION_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600];
/** From a host's first announcement to its sighting recorded and its report queued. */
export const IDENTIFICATION_BUCKETS = [0.25, 0.5, 1, 2, 3, 5, 10, 30, 60, 120];
export const DROP_REASONS = ['rate-source', 'rate-total', 'invalid', 'off-segment'] as const;

export interface MetricsSources {
  version: string;
  startedMs: number;
  outbox: () => { pending: number; dead: number } | null;
  nextSweepMs: () => number | null;
  running: () => boolean;
  /** Listening between sweeps, when on. */
  passive?: () => PassiveStatus | null;
}

export interface DaemonMetrics {
  sweeps: Counter;
  skipped: Counter;
  duration: Histogram;
  lastFinished: Gauge;
  lastSuccess: Gauge;
  devices: Gauge;
  inventoryDevices: Gauge;
  sweepProblems: Counter;
  events: Counter;
  errors: Counter;
  reloads: Counter;
  deliveryAttempts: Counter;
  delivered: Counter;
  deadLettered: Counter;
  /** Records a finished sweep: outcome, duration, devices by status, the problems it recorded. */
  sweepDone(result: SweepResult | null, durationMs: number, finishedMs: number): void;
  deliveryDone(stats: DeliveryStats): void;
  /** The passive listener's hooks. */
  passive: PassiveMetrics;
  render(): string;
}

const seconds = (ms: number): number => Math.round(ms) / 1000;

export function createDaemonMetrics(src: MetricsSources): DaemonMetrics {
  const r = createRegistry();
  r.gauge('camsweep_build_info', 'camsweep version of this agent (always 1)', { collect: () => [{ labels: { version: src.version }, value: 1 }] });
  r.gauge('camsweep_start_time_seconds', 'When the daemon started (Unix seconds)', { collect: () => seconds(src.startedMs) });
  const sweeps = r.counter('camsweep_sweeps_total', 'Sweeps run, by outcome', [{ outcome: 'ok' }, { outcome: 'failed' }]);
  const skipped = r.counter('camsweep_sweeps_skipped_total', 'Scheduled sweeps skipped because the previous one was still running');
  skipped.inc({}, 0);
  r.gauge('camsweep_sweep_running', '1 while a sweep runs', { collect: () => (src.running() ? 1 : 0) });
  const duration = r.histogram('camsweep_sweep_duration_seconds', 'Duration of sweeps (seconds)', DURATION_BUCKETS);
  const lastFinished = r.gauge('camsweep_last_sweep_timestamp_seconds', 'When the last sweep ended, successful or not (Unix seconds; 0: none yet)');
  lastFinished.set(0);
  const lastSuccess = r.gauge('camsweep_last_success_timestamp_seconds', 'When the last successful sweep ended (Unix seconds; 0: none yet)');
  lastSuccess.set(0);
  r.gauge('camsweep_next_sweep_timestamp_seconds', 'When the next scheduled sweep starts (Unix seconds; 0: none planned)', {
    collect: () => {
      const next = src.nextSweepMs();
      return next === null ? 0 : seconds(next);
    },
  });
  const statusLabels = STATUSES.map((status) => ({ status }));
  const devices = r.gauge('camsweep_devices', 'Devices found by the last successful sweep, by verdict status', { initial: statusLabels });
  const inventoryDevices = r.gauge('camsweep_inventory_devices', 'Devices in the inventory (every device ever seen), by latest verdict status', { initial: statusLabels });
  const sweepProblems = r.counter('camsweep_sweep_problems_total', 'Problems sweeps recorded without stopping (bad replies, unreachable hosts...)');
  sweepProblems.inc({}, 0);
  const events = r.counter('camsweep_events_total', 'Change events, by type', CHANGE_TYPES.map((type) => ({ type })));
  const errors = r.counter('camsweep_errors_total', 'Daemon errors, by stage', ERROR_STAGES.map((stage) => ({ stage })));
  const reloads = r.counter('camsweep_config_reloads_total', 'Configuration reloads (SIGHUP), by outcome', [{ outcome: 'ok' }, { outcome: 'failed' }]);
  r.gauge('camsweep_outbox_pending', 'Reports waiting in the outbox for delivery', { collect: () => src.outbox()?.pending ?? 0 });
  r.gauge('camsweep_outbox_dead', 'Reports in the outbox dead-letter table', { collect: () => src.outbox()?.dead ?? 0 });
  const deliveryAttempts = r.counter('camsweep_report_attempts_total', 'Report requests sent to the endpoint');
  deliveryAttempts.inc({}, 0);
  const delivered = r.counter('camsweep_reports_delivered_total', 'Reports the endpoint acknowledged');
  delivered.inc({}, 0);
  const deadLettered = r.counter('camsweep_reports_dead_lettered_total', 'Reports moved to the dead-letter table');
  deadLettered.inc({}, 0);

  const announcements = r.counter(
    'camsweep_announcements_total',
    'Announcements heard between sweeps, by protocol and kind (alive: Hello, NOTIFY alive, mDNS, SADP/DHIP notice; bye: Bye, byebye, mDNS goodbye)',
    PASSIVE_PROTOCOLS.flatMap((protocol) => [{ protocol, kind: 'alive' }, { protocol, kind: 'bye' }]),
  );
  const dropped = r.counter(
    'camsweep_announcements_dropped_total',
    'Datagrams heard between sweeps and dropped before use, by reason (rate-source, rate-total: the rate limits; invalid; off-segment: a source on no swept segment)',
    DROP_REASONS.map((reason) => ({ reason })),
  );
  const identifications = r.counter('camsweep_identifications_total', 'Hosts identified between sweeps from their announcements, by outcome', [{ outcome: 'ok' }, { outcome: 'failed' }]);
  const identificationsSkipped = r.counter(
    'camsweep_identifications_skipped_total',
    'Identifications not run at once, by reason (cooldown: run after the host\'s cool-down; queue-full: dropped, too many hosts waiting)',
    [{ reason: 'cooldown' }, { reason: 'queue-full' }],
  );
  const identificationSeconds = r.histogram('camsweep_identification_seconds', 'From a host\'s first announcement to its sighting recorded and reported (queued) (seconds)', IDENTIFICATION_BUCKETS);
  const departures = r.counter('camsweep_departures_total', 'Goodbyes from known hosts recorded between sweeps (device possibly gone)');
  departures.inc({}, 0);
  const descriptions = r.counter('camsweep_description_cache_total', 'UPnP descriptions an identification needed, by outcome (hit: from the cache, no request)', [{ outcome: 'hit' }, { outcome: 'miss' }]);
  r.gauge('camsweep_passive_listening', '1 while the daemon listens for announcements between sweeps', { collect: () => (src.passive?.()?.listening === true ? 1 : 0) });
  r.gauge('camsweep_passive_hosts', 'Hosts remembered between sweeps', { collect: () => src.passive?.()?.hosts ?? 0 });
  r.gauge('camsweep_passive_waiting', 'Hosts waiting for identification', { collect: () => src.passive?.()?.waiting ?? 0 });

  return {
    sweeps,
    skipped,
    duration,
    lastFinished,
    lastSuccess,
    devices,
    inventoryDevices,
    sweepProblems,
    events,
    errors,
    reloads,
    deliveryAttempts,
    delivered,
    deadLettered,
    sweepDone(result, durationMs, finishedMs) {
      sweeps.inc({ outcome: result === null ? 'failed' : 'ok' });
      duration.observe(durationMs / 1000);
      lastFinished.set(seconds(finishedMs));
      if (result === null) return;
      lastSuccess.set(seconds(finishedMs));
      for (const status of STATUSES) devices.set(result.devices.filter((d) => d.verdict.status === status).length, { status });
      sweepProblems.inc({}, result.errors.length);
    },
    deliveryDone(stats) {
      deliveryAttempts.inc({}, stats.attempts);
      delivered.inc({}, stats.delivered);
      deadLettered.inc({}, stats.deadLettered);
    },
    passive: {
      announcement: (protocol, kind) => announcements.inc({ protocol, kind }),
      dropped: (reason) => dropped.inc({ reason }),
      skipped: (reason) => identificationsSkipped.inc({ reason }),
      identification(outcome, secs) {
        identifications.inc({ outcome });
        if (outcome === 'ok') identificationSeconds.observe(secs);
      },
      departure: () => departures.inc(),
      description: (outcome) => descriptions.inc({ outcome }),
    },
    render: () => r.render(),
  };
}
