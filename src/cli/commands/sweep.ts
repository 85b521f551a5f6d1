import { readFileSync } from 'node:fs';
import type { LevelWithSilent } from 'pino';
import { Option, type Command } from 'commander';
import { loadConfig } from '../../config/load.ts';
import { createLogger } from '../../util/log.ts';
import { createSweeper } from '../../agent/sweeper.ts';
import { resolveReportConfig } from '../../report/config.ts';
import { afterSweepFromCli, reportOverrides, type ReportCliFlags } from '../after-sweep.ts';
import { resolveDataDir } from '../../config/data-dir.ts';
import { formatChunks, type OutputFormat } from '../../output/format.ts';
import type { DeviceStatus } from '../../domain/types.ts';
import { UsageError } from '../../domain/errors.ts';
import { EXIT, type CliIo, type CommandModule, collect } from '../context.ts';
import { progressLine } from '../../discovery/unicast/progress.ts';
import { MAX_PACKETS_PER_SECOND, MIN_PACKETS_PER_SECOND } from '../../discovery/unicast/probes.ts';

export interface SweepCliOptions {
  interface: string[];
  timeout?: number;
  fullWindow?: boolean;
  idle?: number;
  format?: OutputFormat;
  config?: string;
  failOn?: 'restricted' | 'review';
  mx?: number;
  enrich: boolean;
  logLevel?: LevelWithSilent;
  quiet?: boolean;
  auditFile?: string;
  reportTo?: string;
  reportToken?: string;
  reportTokenFile?: string;
  record?: boolean;
  target: string[];
  exclude: string[];
  rate?: number;
}

/** Statuses that trip `--fail-on X`: X and anything more severe. */
const FAIL_ON: Record<'restricted' | 'review', readonly DeviceStatus[]> = {
  restricted: ['restricted'],
  review: ['restricted', 'review'],
};

export async function runSweepCommand(opts: SweepCliOptions, io: CliIo): Promise<number> {
  const config = loadConfig(opts.config === undefined ? {} : { file: opts.config });
  const level: LevelWithSilent = opts.quiet ? 'error' : (opts.logLevel ?? config.log.level);
  const log = createLogger({ level });
  const sweeper = createSweeper(config, log, {
    interfaces: opts.interface,
    enrich: opts.enrich,
    ...(opts.timeout === undefined ? {} : { windowMs: Math.round(opts.timeout * 1000) }),
    ...(opts.fullWindow === true ? { fullWindow: true } : {}),
    ...(opts.idle === undefined ? {} : { idleMs: Math.round(opts.idle * 1000) }),
    ...(opts.mx === undefined ? {} : { mx: opts.mx }),
    ...(opts.auditFile === undefined ? {} : { auditFile: opts.auditFile }),
    targets: opts.target,
    exclude: opts.exclude,
    ...(opts.rate === undefined ? {} : { rate: opts.rate }),
    ...(!opts.quiet && process.stderr.isTTY ? { onProgress: progressLine((t) => io.stderr(t)) } : {}),
  });
  // Report settings are checked before anything is sent too (an unreadable token file is exit 2).
  const reportFlags: ReportCliFlags = {
    ...(opts.reportTo === undefined ? {} : { reportTo: opts.reportTo }),
    ...(opts.reportToken === undefined ? {} : { reportToken: opts.reportToken }),
    ...(opts.reportTokenFile === undefined ? {} : { reportTokenFile: opts.reportTokenFile }),
  };
  resolveReportConfig(config.reportSettings, io.env, (p) => readFileSync(p, 'utf8'), { overrides: reportOverrides(reportFlags) });
  const result = await sweeper.run();
  const format: OutputFormat = opts.format ?? (io.isTty ? 'table' : 'json');
  // In pieces: the JSON of a sweep of thousands of devices is never held as one string.
  for (const chunk of formatChunks(result, format)) io.stdout(chunk);
  // The inventory keeps every device across sweeps (`camsweep devices`, `show`, `sweeps`, `diff`);
  // the report is queued in the outbox before any send, and what cannot be delivered now stays queued.
  await afterSweepFromCli(result, {
    log,
    ...(opts.record === true ? { record: { dataDir: resolveDataDir({ configured: config.reportSettings.dataDir, env: io.env }) } } : {}),
    report: { flags: reportFlags, settings: config.reportSettings, env: io.env },
  });
  if (opts.failOn) {
    const trip = FAIL_ON[opts.failOn];
    if (result.devices.some((d) => trip.includes(d.status))) return EXIT.found;
  }
  return EXIT.ok;
}

function timeoutSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.5 || n > 300) throw new UsageError(`--timeout must be a number of seconds from 0.5 to 300 (got ${value})`);
  return n;
}

function idleSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.05 || n > 10) throw new UsageError(`--idle must be a number of seconds from 0.05 to 10 (got ${value})`);
  return n;
}

function packetsPerSecond(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < MIN_PACKETS_PER_SECOND || n > MAX_PACKETS_PER_SECOND) {
    throw new UsageError(`--rate must be a number of datagrams per second from ${MIN_PACKETS_PER_SECOND} to ${MAX_PACKETS_PER_SECOND} (got ${value})`);
  }
  return n;
}

function mxSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 5) throw new UsageError(`--mx must be a whole number from 1 to 5 (got ${value})`);
  return n;
}

export const sweepCommand: CommandModule = {
  register(program: Command, ctx) {
    program
      .command('sweep')
      .description('probe the local network once (WS-Discovery, SSDP/UPnP, mDNS, Hikvision SADP, Dahua DHIP) and print every device found')
      .option('-i, --interface <name>', 'interface to probe from (repeatable; default: every up, non-loopback IPv4 interface)', collect, [])
      .option(
        '-t, --timeout <seconds>',
        'longest listen window in seconds (default 3, or sweep.timeout); it closes earlier once every reply is in (see --full-window)',
        timeoutSeconds,
      )
      .option('--full-window', 'listen for the whole --timeout even when every reply is in (sweep.adaptive: false)')
      .option('--idle <seconds>', 'close the window once every reply is due and none has come for this long (default 0.3, or sweep.idle)', idleSeconds)
      .addOption(new Option('-f, --format <format>', 'output format (default: table on a terminal, json otherwise)').choices(['table', 'json', 'csv']))
      .option('-c, --config <file>', 'YAML configuration file')
      .addOption(new Option('--fail-on <status>', 'exit 3 when a device has this status (review also counts restricted)').choices(['restricted', 'review']))
      .addOption(new Option('--mx <seconds>', 'SSDP MX: the longest a device may wait before answering (1-5, default 1, or sweep.mx)').argParser(mxSeconds))
      .option('--no-enrich', 'do not query devices after discovery (no ONVIF device service, UPnP description or HTTP banner)')
      .addOption(new Option('--log-level <level>', 'log level on stderr').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
      .option('--record', 'store the sweep in the inventory (data directory) and log what changed since the last one')
      .option('--report-to <url>', 'send the verdicts to this central endpoint (report.endpoint); queued in the outbox first')
      .option('--report-token-file <file>', 'file holding the endpoint bearer token (or set CAMSWEEP_REPORT_TOKEN)')
      .option('--report-token <token>', 'endpoint bearer token (visible in the process list: prefer --report-token-file)')
      .option('--audit-file <file>', 'append a JSON line for every datagram and HTTP request the sweep sends')
      .option('--target <cidr>', 'probe every address of this routed range by unicast (repeatable; sweep.targets)', collect, [])
      .option('--exclude <cidr>', 'never send anything to this range, and drop its replies (repeatable; adds to sweep.exclude)', collect, [])
      .addOption(new Option('--rate <pps>', 'unicast datagrams per second (default 100, or sweep.rate.packetsPerSecond)').argParser(packetsPerSecond))
      .option('-q, --quiet', 'log only errors')
      .action(async (opts: SweepCliOptions) => {
        ctx.exit(await runSweepCommand(opts, ctx.io));
      });
  },
};
