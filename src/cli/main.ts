import { Command, CommanderError, Option } from 'commander';
import { CamsweepError, UsageError, errorMessage } from '../domain/errors.ts';
import { VERSION } from '../version.ts';
import { runSweepCommand, type SweepCliOptions } from './sweep.ts';

/** Exit codes are a public contract: scripts and schedulers depend on them. */
export const EXIT = { ok: 0, failure: 1, usage: 2, found: 3 } as const;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTty: boolean;
}

const defaultIo = (): CliIo => ({
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  isTty: Boolean(process.stdout.isTTY),
});

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.5 || n > 300) throw new UsageError(`--timeout must be a number of seconds from 0.5 to 300 (got ${value})`);
  return n;
}

function buildProgram(io: CliIo, onSweep: (opts: SweepCliOptions) => Promise<void>): Command {
  const program = new Command()
    .name('camsweep')
    .description('Finds cameras and other devices on the local network and tells who made them.')
    .version(VERSION, '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();

  program
    .command('sweep')
    .description('probe the local network once (WS-Discovery, SSDP/UPnP, mDNS) and print every device found')
    .option('-i, --interface <name>', 'interface to probe from (repeatable; default: every up, non-loopback IPv4 interface)', collect, [])
    .option('-t, --timeout <seconds>', 'listen window in seconds (default 3, or the config file)', positiveSeconds)
    .addOption(new Option('-f, --format <format>', 'output format (default: table on a terminal, json otherwise)').choices(['table', 'json', 'csv']))
    .option('-c, --config <file>', 'YAML configuration file')
    .addOption(new Option('--fail-on <status>', 'exit 3 when a device has this status (review also counts restricted)').choices(['restricted', 'review']))
    .addOption(new Option('--mx <seconds>', 'SSDP MX: the longest a device may wait before answering (1-5)').argParser((v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 5) throw new UsageError(`--mx must be a whole number from 1 to 5 (got ${v})`);
      return n;
    }))
    .option('--no-enrich', 'do not query devices after discovery (no ONVIF device service, UPnP description or HTTP banner)')
    .addOption(new Option('--log-level <level>', 'log level on stderr').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
    .option('-q, --quiet', 'log only errors')
    .version(VERSION, '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .action(async (opts: SweepCliOptions) => {
      await onSweep(opts);
    });

  return program;
}

/** Runs the CLI; returns the exit code (0 done, 1 failure, 2 usage/config error, 3 found). */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, async (opts) => {
    code = await runSweepCommand(opts, io);
  });
  try {
    if (argv.length === 0) {
      io.stdout(program.helpInformation());
      return EXIT.ok;
    }
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with a "successful" CommanderError.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof UsageError) {
      io.stderr(`camsweep: ${err.message}\n`);
      return EXIT.usage;
    }
    const code = err instanceof CamsweepError ? ` [${err.code}]` : '';
    io.stderr(`camsweep: ${errorMessage(err)}${code}\n`);
    return EXIT.failure;
  }
}
