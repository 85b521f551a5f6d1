import { type Command } from 'commander';
import { type CommandModule, collect } from '../context.ts';
import { LOG_LEVELS, choiceOption, colorOption, numberFlag } from '../flags.ts';
import type { SweepCliOptions } from '../run/sweep.ts';

export type { SweepCliOptions } from '../run/sweep.ts';

/**
 * Unicast datagrams per second a sweep may send: the same bounds as
 * MIN_PACKETS_PER_SECOND/MAX_PACKETS_PER_SECOND in src/discovery/unicast/probes.ts (a test
 * checks), written here so that `--help` does not load the probes.
 */
export const RATE_BOUNDS = { min: 1, max: 10_000 } as const;

export const sweepCommand: CommandModule = {
  register(program: Command, ctx) {
    const { problems } = ctx;
    program
      .command('sweep')
      .description('probe the local network once (WS-Discovery, SSDP/UPnP, mDNS, Hikvision SADP, Dahua DHIP) and print every device found')
      .option('-i, --interface <name>', 'interface to probe from (repeatable; default: every up, non-loopback IPv4 interface)', collect, [])
      .option(
        '-t, --timeout <seconds>',
        'longest listen window in seconds (default 3, or sweep.timeout); it closes earlier once every reply is in (see --full-window)',
        numberFlag(problems, '--timeout', { min: 0.5, max: 300, unit: 'seconds' }),
      )
      .option('--full-window', 'listen for the whole --timeout even when every reply is in (sweep.adaptive: false)')
      .option(
        '--idle <seconds>',
        'close the window once every reply is due and none has come for this long (default 0.3, or sweep.idle)',
        numberFlag(problems, '--idle', { min: 0.05, max: 10, unit: 'seconds' }),
      )
      .addOption(choiceOption(problems, '-f, --format <format>', 'output format (default: table on a terminal, json otherwise; with --output, from its extension)', ['table', 'json', 'csv']))
      .option('-o, --output <file>', 'write the output to this file (format from --format or the extension: .json, .csv, .txt); a terminal still shows the table')
      .addOption(choiceOption(problems, '--evidence <which>', 'evidence in the JSON document: useful leaves out XML namespace declarations no fingerprint used (default useful)', ['useful', 'full']))
      .option('-c, --config <file>', 'YAML configuration file')
      .addOption(choiceOption(problems, '--fail-on <status>', 'exit 3 when a device has this status (review also counts restricted)', ['restricted', 'review']))
      .option('--mx <seconds>', 'SSDP MX: the longest a device may wait before answering (1-5, default 1, or sweep.mx)', numberFlag(problems, '--mx', { min: 1, max: 5, integer: true }))
      .option('--no-enrich', 'do not query devices after discovery (no ONVIF device service, UPnP description or HTTP banner)')
      .addOption(choiceOption(problems, '--log-level <level>', 'log level on stderr', LOG_LEVELS))
      .option('--record', 'store the sweep in the inventory (data directory) and log what changed since the last one')
      .option('--report-to <url>', 'send the verdicts to this central endpoint (report.endpoint); queued in the outbox first')
      .option('--report-token-file <file>', 'file holding the endpoint bearer token (or set CAMSWEEP_REPORT_TOKEN)')
      .option('--report-token <token>', 'endpoint bearer token (visible in the process list: prefer --report-token-file)')
      .option('--audit-file <file>', 'append a JSON line for every datagram and HTTP request the sweep sends')
      .option('--target <cidr>', 'probe every address of this routed range by unicast (repeatable; sweep.targets)', collect, [])
      .option('--target-file <file>', 'read --target ranges from a file: one address or CIDR per line, # comments (repeatable)', collect, [])
      .option('--exclude <cidr>', 'never send anything to this range, and drop its replies (repeatable; adds to sweep.exclude)', collect, [])
      .option('--exclude-file <file>', 'read --exclude ranges from a file, as --target-file (repeatable)', collect, [])
      .option(
        '--rate <pps>',
        'unicast datagrams per second (default 100, or sweep.rate.packetsPerSecond)',
        numberFlag(problems, '--rate', { ...RATE_BOUNDS, unit: 'datagrams per second' }),
      )
      .addOption(colorOption(problems))
      .option('-q, --quiet', 'log only errors (a report left queued is still said)')
      .action(async (opts: SweepCliOptions) => {
        const { runSweepCommand } = await import('../run/sweep.ts');
        ctx.exit(await runSweepCommand(opts, ctx.io, problems));
      });
  },
};
