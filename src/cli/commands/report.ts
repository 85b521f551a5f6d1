import { existsSync, readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { LevelWithSilent } from 'pino';
import { UsageError } from '../../domain/errors.ts';
import { createLogger, type Logger } from '../../util/log.ts';
import { loadReportSettings } from '../../report/settings-file.ts';
import { openOutbox, type Selection } from '../../report/outbox.ts';
import { deliverOutbox, type DeliveryStats } from '../../report/deliver.ts';
import type { ReportConfig } from '../../report/config.ts';
import {
  formatOutboxJson,
  formatOutboxTable,
  formatReceivedEventsJson,
  formatReceivedEventsTable,
  formatReceivedJson,
  formatReceivedTable,
} from '../../report/format.ts';
import { openReceiverStore, receiverPath } from '../../report/receiver/store.ts';
import { startReceiver } from '../../report/receiver/server.ts';
import { resolveReceiverSettings, type ReceiverFlags } from '../../report/receiver/settings.ts';
import { EXIT, type CliIo, type CommandModule } from '../context.ts';

/**
 * `camsweep outbox list|send|retry|purge` (the agent's queue of reports) and
 * `camsweep receive` (the reference endpoint). Thin: options in, src/report does the work.
 */

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const read = (p: string): string => readFileSync(p, 'utf8');

interface OutboxFlags {
  config?: string;
  dataDir?: string;
  reportTo?: string;
  reportTokenFile?: string;
  for?: number;
  logLevel?: LevelWithSilent;
}

function settings(flags: OutboxFlags, io: CliIo): ReportConfig {
  return loadReportSettings({
    ...(flags.config === undefined ? {} : { file: flags.config }),
    env: io.env,
    overrides: {
      ...(flags.dataDir === undefined ? {} : { dataDir: flags.dataDir }),
      ...(flags.reportTo === undefined ? {} : { endpoint: flags.reportTo }),
      ...(flags.reportTokenFile === undefined ? {} : { tokenFile: flags.reportTokenFile }),
    },
  });
}

function seconds(flag: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`${flag} must be a number of seconds from ${min} to ${max} (got ${value})`);
    return n;
  };
}

function ids(values: string[], all: boolean | undefined, what: string): Selection {
  if (all === true) {
    if (values.length > 0) throw new UsageError(`give ids or --all, not both`);
    return 'all';
  }
  if (values.length === 0) throw new UsageError(`name the ${what} by id (see \`camsweep outbox list\`) or give --all`);
  return values.map((v) => {
    if (!/^\d{1,15}$/u.test(v)) throw new UsageError(`not a report id: ${v}`);
    return Number(v);
  });
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

const commonOptions = (cmd: Command): Command =>
  cmd.option('-c, --config <file>', 'YAML configuration file (its report: section and dataDir)').option('--data-dir <dir>', 'data directory holding outbox.db (default: dataDir from the config)');

const sendOptions = (cmd: Command): Command =>
  cmd
    .option('--report-to <url>', 'endpoint URL (default: report.endpoint)')
    .option('--report-token-file <file>', 'file holding the bearer token (default: report.tokenFile, or $CAMSWEEP_REPORT_TOKEN)')
    .addOption(new Option('--for <seconds>', 'stop delivering after this long; the rest stays queued (default: report.deliverFor)').argParser(seconds('--for', 0, 86400)))
    .addOption(new Option('--log-level <level>', 'log level on stderr').choices(LOG_LEVELS));

export const outboxCommand: CommandModule = {
  register(program, ctx) {
    const outbox = program.command('outbox').description('the queue of reports waiting for the central endpoint: list, send, retry, purge');

    commonOptions(outbox.command('list').description('list pending reports and dead letters'))
      .option('--dead', 'only dead letters')
      .option('--pending', 'only pending reports')
      .addOption(new Option('-f, --format <format>', 'output format (json includes every body)').choices(['table', 'json']))
      .action((opts: OutboxFlags & { dead?: boolean; pending?: boolean; format?: 'table' | 'json' }) => {
        const cfg = settings(opts, ctx.io);
        const box = openOutbox(cfg.dataDir);
        try {
          const pending = opts.dead === true && opts.pending !== true ? [] : box.listPending();
          const dead = opts.pending === true && opts.dead !== true ? [] : box.listDead();
          const format = opts.format ?? (ctx.io.isTty ? 'table' : 'json');
          ctx.io.stdout(format === 'json' ? formatOutboxJson(pending, dead) : formatOutboxTable(pending, dead, box.file));
        } finally {
          box.close();
        }
      });

    sendOptions(commonOptions(outbox.command('send').description('deliver pending reports now'))).action(async (opts: OutboxFlags) => {
      const cfg = settings(opts, ctx.io);
      if (cfg.endpoint === null) throw new UsageError('no endpoint: set report.endpoint in the config or give --report-to');
      const stats = await deliverNow(cfg, opts.for, createLogger({ level: opts.logLevel ?? 'info' }));
      ctx.io.stdout(statsLine(stats));
      ctx.exit(stats.pending > 0 || stats.deadLettered > 0 ? EXIT.failure : EXIT.ok);
    });

    sendOptions(commonOptions(outbox.command('retry').description('move dead letters back to the queue and send them')))
      .argument('[ids...]', 'dead-letter ids (see `camsweep outbox list --dead`)')
      .option('--all', 'every dead letter')
      .option('--no-send', 'only move them back; the next sweep or `outbox send` delivers them')
      .action(async (values: string[], opts: OutboxFlags & { all?: boolean; send: boolean }) => {
        const selection = ids(values, opts.all, 'dead letters');
        const cfg = settings(opts, ctx.io);
        const box = openOutbox(cfg.dataDir);
        let moved: number;
        try {
          moved = box.retryDead(selection, Date.now());
        } finally {
          box.close();
        }
        ctx.io.stdout(`${moved} dead letter(s) moved back to the queue\n`);
        if (!opts.send || moved === 0) return;
        if (cfg.endpoint === null) throw new UsageError('no endpoint to send to: set report.endpoint or give --report-to (or use --no-send)');
        const stats = await deliverNow(cfg, opts.for, createLogger({ level: opts.logLevel ?? 'info' }));
        ctx.io.stdout(statsLine(stats));
        ctx.exit(stats.pending > 0 || stats.deadLettered > 0 ? EXIT.failure : EXIT.ok);
      });

    commonOptions(outbox.command('purge').description('delete dead letters (or, with --pending, queued reports) for good'))
      .argument('[ids...]', 'report ids')
      .option('--all', 'every dead letter (with --pending: every queued report)')
      .option('--pending', 'purge queued reports instead of dead letters: they will never be sent')
      .action((values: string[], opts: OutboxFlags & { all?: boolean; pending?: boolean }) => {
        const selection = ids(values, opts.all, opts.pending === true ? 'queued reports' : 'dead letters');
        const cfg = settings(opts, ctx.io);
        const box = openOutbox(cfg.dataDir);
        try {
          const n = opts.pending === true ? box.purgePending(selection) : box.purgeDead(selection);
          ctx.io.stdout(`${n} ${opts.pending === true ? 'queued report(s)' : 'dead letter(s)'} deleted\n`);
        } finally {
          box.close();
        }
      });
  },
};

function byteCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1024 || n > 256 * 1024 * 1024) throw new UsageError(`--max-body-bytes must be a whole number from 1024 to 268435456 (got ${value})`);
  return n;
}

type ReceiveOpts = ReceiverFlags & { list?: boolean; events?: boolean; format?: 'table' | 'json'; logLevel?: LevelWithSilent };

async function runReceiver(opts: ReceiveOpts, io: CliIo): Promise<number> {
  const s = resolveReceiverSettings(opts, io.env, read);
  if (opts.list === true) {
    if (opts.listen !== undefined) throw new UsageError('--list and --listen do not go together');
    const format = opts.format ?? (io.isTty ? 'table' : 'json');
    if (opts.events === true) {
      const events = existsSync(receiverPath(s.dataDir)) ? readEvents(s.dataDir) : [];
      io.stdout(format === 'json' ? formatReceivedEventsJson(events) : formatReceivedEventsTable(events, receiverPath(s.dataDir)));
      return EXIT.ok;
    }
    if (!existsSync(receiverPath(s.dataDir))) {
      const none = { requests: 0, deviceReceipts: 0, devices: 0, sweeps: 0 };
      io.stdout(format === 'json' ? formatReceivedJson([], none) : formatReceivedTable([], none, receiverPath(s.dataDir)));
      return EXIT.ok;
    }
    const store = openReceiverStore(s.dataDir, { readOnly: true });
    try {
      const devices = store.listDevices();
      io.stdout(format === 'json' ? formatReceivedJson(devices, store.counts()) : formatReceivedTable(devices, store.counts(), store.file));
    } finally {
      store.close();
    }
    return EXIT.ok;
  }
  if (opts.events === true) throw new UsageError('--events goes with --list');
  if (s.listen === null) throw new UsageError('give --listen HOST:PORT to receive reports, or --list to show what was received');
  const log = createLogger({ level: opts.logLevel ?? 'info' });
  const store = openReceiverStore(s.dataDir);
  try {
    const running = await startReceiver(
      { host: s.listen.host, port: s.listen.port, ...(s.tls === null ? {} : { tls: s.tls }) },
      { store, token: s.token, hmacSecret: s.hmacSecret, maxBodyBytes: s.maxBodyBytes, log },
    );
    io.stdout(`camsweep receive: listening on ${running.url} (data in ${store.file})\n`);
    if (s.token === null) log.warn('no token: any client that reaches this port can store reports (--allow-anonymous)');
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void running.close().then(resolve);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return EXIT.ok;
  } finally {
    store.close();
  }
}

function readEvents(dataDir: string): ReturnType<ReturnType<typeof openReceiverStore>['listEvents']> {
  const store = openReceiverStore(dataDir, { readOnly: true });
  try {
    return store.listEvents();
  } finally {
    store.close();
  }
}

export const receiveCommand: CommandModule = {
  register(program, ctx) {
    program
      .command('receive')
      .description('a small reference endpoint: receive camsweep reports, de-duplicate them by key and store them (or --list them)')
      .option('--listen <host:port>', 'address to listen on, e.g. 127.0.0.1:8443 or [::]:8443 (port 0: any free port)')
      .option('--list', 'print the devices received so far and exit')
      .option('--events', 'with --list: print the change events received from daemons instead of the devices')
      .option('--data-dir <dir>', 'directory of receiver.db (default: $CAMSWEEP_DATA_DIR, /var/lib/camsweep or ~/.local/state/camsweep)')
      .option('--token-file <file>', 'file holding the bearer token agents must send (or $CAMSWEEP_RECEIVER_TOKEN)')
      .option('--hmac-secret-file <file>', 'file holding the HMAC secret: signed requests only (or $CAMSWEEP_RECEIVER_HMAC_SECRET)')
      .option('--tls-cert <file>', 'PEM certificate (chain) to serve HTTPS')
      .option('--tls-key <file>', 'PEM private key of --tls-cert')
      .option('--tls-client-ca <file>', 'require client certificates signed by this CA (mutual TLS)')
      .addOption(new Option('--max-body-bytes <n>', 'largest request body, compressed or not (default 1048576)').argParser(byteCount))
      .option('--allow-anonymous', 'accept reports without a token (not recommended)')
      .addOption(new Option('-f, --format <format>', 'output format of --list').choices(['table', 'json']))
      .addOption(new Option('--log-level <level>', 'log level on stderr').choices(LOG_LEVELS))
      .action(async (opts: ReceiveOpts) => {
        ctx.exit(await runReceiver(opts, ctx.io));
      });
  },
};
