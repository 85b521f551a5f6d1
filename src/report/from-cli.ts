import { readFileSync } from 'node:fs';
import type { SweepResult } from '../domain/types.ts';
import type { Logger } from '../util/log.ts';
import { errorCode, errorMessage } from '../domain/errors.ts';
import { resolveReportConfig, type ReportOverrides, type ReportSettingsInput } from './config.ts';
import { deliverOutbox, type DeliveryStats } from './deliver.ts';
import { openOutbox } from './outbox.ts';
import { queueSweepReport, type QueueResult } from './queue.ts';

/** The `camsweep sweep` flags that concern reporting. */
export interface ReportCliFlags {
  reportTo?: string;
  reportToken?: string;
  reportTokenFile?: string;
}

export interface ReportFromCliOptions {
  flags: ReportCliFlags;
  /** The parsed `report:` section and `dataDir` of the configuration file. */
  settings: ReportSettingsInput;
  env: NodeJS.ProcessEnv;
  log: Logger;
  readFile?: (path: string) => string;
  signal?: AbortSignal;
}

export interface ReportFromCliResult {
  queue: QueueResult;
  delivery: DeliveryStats;
}

/**
 * What `camsweep sweep` does after printing: resolve the report settings with the command-line
 * flags over the file, queue the sweep's report in the outbox, deliver for report.deliverFor
 * seconds. Returns null when no endpoint is set (nothing queued, nothing sent). Delivery
 * failures never change the sweep's exit code: what is not delivered stays in the outbox.
 * A report that cannot be stored (data directory not writable, disk full) throws: the caller
 * exits non-zero, since that report would be lost.
 */
export async function reportFromCli(result: SweepResult, options: ReportFromCliOptions): Promise<ReportFromCliResult | null> {
  const cfg = resolveReportConfig(options.settings, options.env, options.readFile ?? ((p) => readFileSync(p, 'utf8')), {
    overrides: reportOverrides(options.flags),
  });
  if (cfg.endpoint === null) return null;
  const log = options.log.child({ module: 'report' });
  if (options.flags.reportToken !== undefined) {
    log.warn('--report-token puts the token in the process list: prefer --report-token-file or $CAMSWEEP_REPORT_TOKEN');
  }
  const outbox = openOutbox(cfg.dataDir);
  try {
    const queue = queueSweepReport(result, cfg, { outbox });
    let delivery: DeliveryStats;
    try {
      delivery = await deliverOutbox(cfg, {
        outbox,
        log: options.log,
        deadlineMs: cfg.deliverForMs,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    } catch (err) {
      // The report is stored: the next run or `camsweep outbox send` delivers it.
      log.error({ error: { code: errorCode(err), message: errorMessage(err) } }, 'delivery failed; the report stays in the outbox');
      delivery = { attempts: 0, delivered: 0, devicesDelivered: 0, retried: 0, split: 0, deadLettered: 0, pending: outbox.pendingCount(), dead: outbox.deadCount(), stoppedBy: 'error' };
    }
    const summary = { report: { endpoint: cfg.endpoint, sweepId: queue.sweepId, queued: queue.queued, devices: queue.devices, ...delivery } };
    if (delivery.pending > 0) {
      log.warn(summary, `${delivery.pending} report(s) wait in the outbox (${outbox.file}): they go with the next run, or \`camsweep outbox send\``);
    } else log.info(summary, 'reports delivered');
    return { queue, delivery };
  } finally {
    outbox.close();
  }
}

/** The command-line flags as overrides of the file's report settings. */
export function reportOverrides(flags: ReportCliFlags): ReportOverrides {
  const overrides: ReportOverrides = {};
  if (flags.reportTo !== undefined) overrides.endpoint = flags.reportTo;
  if (flags.reportToken !== undefined) overrides.token = flags.reportToken;
  if (flags.reportTokenFile !== undefined) overrides.tokenFile = flags.reportTokenFile;
  return overrides;
}
