import type { LevelWithSilent } from 'pino';
import { UsageError } from '../../domain/errors.ts';
import type { Logger } from '../../util/log.ts';
import { cliLogger } from '../log.ts';
import { loadReportSettings } from '../../report/settings-file.ts';
import { openOutbox, type Selection } from '../../report/outbox.ts';
import { deliverOutbox, type DeliveryStats } from '../../report/deliver.ts';
import type { ReportConfig } from '../../report/config.ts';
import { formatOutboxJson, formatOutboxTable } from '../../report/format.ts';
import { EXIT, type CliIo } from '../context.ts';
import { stdoutView } from '../../output/view.ts';
import type { ColorMode } from '../../output/color.ts';
import { Problems } from '../problems.ts';

/** `camsweep outbox list|send|retry|purge`: the agent's queue of reports. Thin: options in, src/report does the work. */


export interface OutboxFlags {
  config?: string;
  dataDir?: string;
  reportTo?: string;
  reportTokenFile?: string;
  for?: number;
  logLevel?: LevelWithSilent;
}

function settings(flags: OutboxFlags, io: CliIo, problems: Problems): ReportConfig {
  const cfg = problems.check(() => loadReportSettings({
    ...(flags.config === undefined ? {} : { file: flags.config }),
    env: io.env,
    overrides: {
      ...(flags.dataDir === undefined ? {} : { dataDir: flags.dataDir }),
      ...(flags.reportTo === undefined ? {} : { endpoint: flags.reportTo }),
      ...(flags.reportTokenFile === undefined ? {} : { tokenFile: flags.reportTokenFile }),
    },
  }));
  problems.throwIfAny();
  return cfg!;
}

function ids(values: string[], all: boolean | undefined, what: string, problems: Problems): Selection {
  if (all === true) {
    if (values.length > 0) problems.add(`give ids or --all, not both`);
    return 'all';
  }
  if (values.length === 0) problems.add(`name the ${what} by id (see \`camsweep outbox list\`) or give --all`);
  for (const v of values) if (!/^\d{1,15}$/u.test(v)) problems.add(`not a report id: ${v}`);
  return values.map(Number);
}

/** Delivers with SIGINT/SIGTERM aborting the run (what is unsent stays queued). */
async function deliverNow(cfg: ReportConfig, forSeconds: number | undefined, log: Logger): Promise<DeliveryStats> {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await deliverOutbox(cfg, { log, signal: controller.signal, deadlineMs: Math.round((forSeconds ?? cfg.deliverForMs / 1000) * 1000) });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function statsLine(s: DeliveryStats): string {
  return (
    `${s.delivered} report(s) delivered (${s.devicesDelivered} device(s)), ${s.retried} attempt(s) to retry, ${s.split} split, ` +
    `${s.deadLettered} moved to dead letters; ${s.pending} pending, ${s.dead} dead letter(s) left\n`
  );
}


export function runOutboxList(opts: OutboxFlags & { dead?: boolean; pending?: boolean; format?: 'table' | 'json'; color?: ColorMode }, io: CliIo, problems: Problems = new Problems()): void {
  const cfg = settings(opts, io, problems);
  const box = openOutbox(cfg.dataDir);
  try {
    const pending = opts.dead === true && opts.pending !== true ? [] : box.listPending();
    const dead = opts.pending === true && opts.dead !== true ? [] : box.listDead();
    const format = opts.format ?? (io.isTty ? 'table' : 'json');
    io.stdout(format === 'json' ? formatOutboxJson(pending, dead) : formatOutboxTable(pending, dead, box.file, stdoutView(io, opts.color)));
  } finally {
    box.close();
  }
}

export async function runOutboxSend(opts: OutboxFlags, io: CliIo, problems: Problems = new Problems()): Promise<number> {
  const cfg = settings(opts, io, problems);
  if (cfg.endpoint === null) throw new UsageError('no endpoint: set report.endpoint in the config or give --report-to');
  const stats = await deliverNow(cfg, opts.for, cliLogger(opts.logLevel ?? 'info', io));
  io.stdout(statsLine(stats));
  return stats.pending > 0 || stats.deadLettered > 0 ? EXIT.failure : EXIT.ok;
}

export async function runOutboxRetry(values: string[], opts: OutboxFlags & { all?: boolean; send: boolean }, io: CliIo, problems: Problems = new Problems()): Promise<number> {
  const selection = ids(values, opts.all, 'dead letters', problems);
  const cfg = settings(opts, io, problems);
  const box = openOutbox(cfg.dataDir);
  let moved: number;
  try {
    moved = box.retryDead(selection, Date.now());
  } finally {
    box.close();
  }
  io.stdout(`${moved} dead letter(s) moved back to the queue\n`);
  if (!opts.send || moved === 0) return EXIT.ok;
  if (cfg.endpoint === null) throw new UsageError('no endpoint to send to: set report.endpoint or give --report-to (or use --no-send)');
  const stats = await deliverNow(cfg, opts.for, cliLogger(opts.logLevel ?? 'info', io));
  io.stdout(statsLine(stats));
  return stats.pending > 0 || stats.deadLettered > 0 ? EXIT.failure : EXIT.ok;
}

export function runOutboxPurge(values: string[], opts: OutboxFlags & { all?: boolean; pending?: boolean }, io: CliIo, problems: Problems = new Problems()): void {
  const selection = ids(values, opts.all, opts.pending === true ? 'queued reports' : 'dead letters', problems);
  const cfg = settings(opts, io, problems);
  const box = openOutbox(cfg.dataDir);
  try {
    const n = opts.pending === true ? box.purgePending(selection) : box.purgeDead(selection);
    io.stdout(`${n} ${opts.pending === true ? 'queued report(s)' : 'dead letter(s)'} deleted\n`);
  } finally {
    box.close();
  }
}
