import { readFileSync } from 'node:fs';
import { createAfterSweep, logChanges, type AfterSweepDeps, type Lease } from '../agent/after-sweep.ts';
import { errorCode, errorMessage } from '../domain/errors.ts';
import type { SweepResult } from '../domain/types.ts';
import { countChanges } from '../inventory/changes.ts';
import { inventoryPath, openInventory } from '../inventory/store.ts';
import type { ChangeEvent, Inventory } from '../inventory/types.ts';
import { resolveReportConfig, type ReportConfig, type ReportSettingsInput } from '../report/config.ts';
import { deliverOutbox, type DeliveryStats } from '../report/deliver.ts';
import { openOutbox, type Outbox } from '../report/outbox.ts';
import type { QueueResult } from '../report/queue.ts';
import type { Logger } from '../util/log.ts';
import { reportOverrides, type ReportCliFlags } from './report-flags.ts';

/**
 * What `camsweep sweep` does after printing, through the one after-sweep pipeline
 * (src/agent/after-sweep.ts) with the CLI's policies: each store is opened for its step and
 * closed after it, the first failure is thrown (the command exits non-zero: a sweep that cannot
 * be recorded, or a report that cannot be stored, would be lost), the report goes without the
 * change events, and delivery lasts report.deliverFor (what is not delivered stays queued and
 * never changes the exit code).
 */

export { reportOverrides, type ReportCliFlags } from './report-flags.ts';

export interface RecordFromCliOptions {
  dataDir: string;
  now?: () => Date;
}

export interface ReportFromCliOptions {
  flags: ReportCliFlags;
  /** The parsed `report:` section and `dataDir` of the configuration file. */
  settings: ReportSettingsInput;
  env: NodeJS.ProcessEnv;
  readFile?: (path: string) => string;
  signal?: AbortSignal;
}

export interface AfterSweepFromCliOptions {
  log: Logger;
  /** `--record`: store the sweep in the inventory of this data directory. */
  record?: RecordFromCliOptions;
  /** Report to the endpoint the flags or the configuration name (none: nothing is queued or sent). */
  report?: ReportFromCliOptions;
}

export interface AfterSweepFromCli {
  /** The change events; empty without `record`. */
  events: ChangeEvent[];
  /** Null when no endpoint is set: nothing queued, nothing sent, no data directory made. */
  report: ReportFromCliResult | null;
}

export interface ReportFromCliResult {
  queue: QueueResult;
  delivery: DeliveryStats;
}

/** Opened for one step, closed after it. */
const leased = <T extends { close(): void }>(open: () => T): Lease<T> => ({
  async use(fn) {
    const store = open();
    try {
      return await fn(store);
    } finally {
      store.close();
    }
  },
});

export async function afterSweepFromCli(result: SweepResult, options: AfterSweepFromCliOptions): Promise<AfterSweepFromCli> {
  const deps: AfterSweepDeps = { log: options.log, strict: true };
  const record = options.record;
  if (record !== undefined) {
    const log = options.log.child({ module: 'inventory' });
    deps.inventory = leased<Inventory>(() => openInventory(record.dataDir, record.now === undefined ? {} : { now: record.now }));
    deps.onChanges = (events) => {
      logChanges(events, log, { every: false });
      log.info(
        { inventory: { file: inventoryPath(record.dataDir), sweepId: result.id, devices: result.devices.length, changes: countChanges(events) } },
        `sweep recorded in the inventory: ${events.length} change(s)`,
      );
    };
  }
  const report = options.report;
  const cfg =
    report === undefined
      ? undefined
      : resolveReportConfig(report.settings, report.env, report.readFile ?? ((p) => readFileSync(p, 'utf8')), { overrides: reportOverrides(report.flags) });
  if (report !== undefined && cfg !== undefined && cfg.endpoint !== null) {
    const log = options.log.child({ module: 'report' });
    if (report.flags.reportToken !== undefined) {
      log.warn('--report-token puts the token in the process list: prefer --report-token-file or $CAMSWEEP_REPORT_TOKEN');
    }
    deps.report = { config: () => cfg, outbox: leased<Outbox>(() => openOutbox(cfg.dataDir)), withEvents: false };
    deps.deliver = (outbox, _cfg, queued) => deliverForAWhile(outbox, cfg, queued, report.signal, options.log);
  }
  const outcome = await createAfterSweep(deps)({ result, scope: 'sweep' });
  const queue = outcome.queued;
  return { events: outcome.events, report: queue === null ? null : { queue, delivery: outcome.delivery ?? stalled(0, 0) } };
}

/** Delivery for report.deliverFor; a failure leaves the report queued for the next run or `camsweep outbox send`. */
async function deliverForAWhile(outbox: Outbox, cfg: ReportConfig, queue: QueueResult, signal: AbortSignal | undefined, root: Logger): Promise<DeliveryStats> {
  const log = root.child({ module: 'report' });
  let delivery: DeliveryStats;
  try {
    delivery = await deliverOutbox(cfg, { outbox, log: root, deadlineMs: cfg.deliverForMs, ...(signal === undefined ? {} : { signal }) });
  } catch (err) {
    log.error({ error: { code: errorCode(err), message: errorMessage(err) } }, 'delivery failed; the report stays in the outbox');
    delivery = stalled(outbox.pendingCount(), outbox.deadCount());
  }
  const summary = { report: { endpoint: cfg.endpoint, sweepId: queue.sweepId, queued: queue.queued, devices: queue.devices, ...delivery } };
  if (delivery.pending > 0) {
    log.warn(summary, `${delivery.pending} report(s) wait in the outbox (${outbox.file}): they go with the next run, or \`camsweep outbox send\``);
  } else log.info(summary, 'reports delivered');
  return delivery;
}

const stalled = (pending: number, dead: number): DeliveryStats => ({ attempts: 0, delivered: 0, devicesDelivered: 0, retried: 0, split: 0, deadLettered: 0, pending, dead, stoppedBy: 'error' });

/**
 * `camsweep sweep --record`: stores the sweep in the inventory and logs what changed (a warning
 * for each new restricted device). A sweep that cannot be stored (data directory not writable,
 * database busy beyond the timeout) throws a CamsweepError (INVENTORY_*): the caller exits 1.
 */
export async function recordSweepFromCli(result: SweepResult, options: RecordFromCliOptions & { log: Logger }): Promise<ChangeEvent[]> {
  const { log, ...record } = options;
  return (await afterSweepFromCli(result, { log, record })).events;
}

/**
 * `camsweep sweep --report-to`: resolve the report settings with the command-line flags over
 * the file, queue the sweep's report in the outbox, deliver for report.deliverFor seconds.
 * Null when no endpoint is set. A report that cannot be stored throws.
 */
export async function reportFromCli(result: SweepResult, options: ReportFromCliOptions & { log: Logger }): Promise<ReportFromCliResult | null> {
  const { log, ...report } = options;
  return (await afterSweepFromCli(result, { log, report })).report;
}
