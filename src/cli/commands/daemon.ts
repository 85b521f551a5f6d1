import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { LevelWithSilent } from 'pino';
import { loadConfig } from '../../config/load.ts';
import { createLogger } from '../../util/log.ts';
import { boundedRequest, type HttpClient } from '../../util/http.ts';
import { UsageError } from '../../domain/errors.ts';
import { createSweeper } from '../../agent/sweeper.ts';
import { openInventory } from '../../inventory/store.ts';
import { createDaemon } from '../../daemon/daemon.ts';
import type { SignalSource } from '../../daemon/lifecycle.ts';
import { parseListen } from '../../daemon/config.ts';
import { checkHealth, healthUrl } from '../../daemon/health-check.ts';
import { EXIT, type CliIo, type CommandModule } from '../context.ts';

/**
 * `camsweep daemon [--config FILE] [--once]`: builds the daemon from the configuration (file,
 * then CAMSWEEP_* variables) and runs it until SIGTERM/SIGINT (SIGHUP reloads). `--once` runs
 * one sweep, records and reports it, and exits. `camsweep health`: asks a running daemon.
 */

export interface DaemonCliOptions {
  config?: string;
  once?: boolean;
  logLevel?: LevelWithSilent;
}

/** The configuration file: --config, else $CAMSWEEP_CONFIG (containers: the daemon and its HEALTHCHECK read the same file). */
export function configFile(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (flag !== undefined) return flag;
  const fromEnv = env.CAMSWEEP_CONFIG;
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}

export interface DaemonProcess {
  signals: SignalSource;
  exit: (code: number) => void;
}

const nodeProcess = (): DaemonProcess => ({ signals: process, exit: (code) => process.exit(code) });

export async function runDaemonCommand(opts: DaemonCliOptions, io: CliIo, proc: DaemonProcess = nodeProcess()): Promise<number> {
  const file = configFile(opts.config, io.env);
  const load = () => loadConfig({ ...(file === undefined ? {} : { file }), env: io.env });
  const config = load();
  const log = createLogger({ level: opts.logLevel ?? config.log.level });
  const daemon = createDaemon({
    config,
    loadConfig: load,
    makeSweeper: (c, l) => createSweeper(c, l),
    openInventory: (dir) => openInventory(dir),
    log,
    env: io.env,
    readFile: (p) => readFileSync(p, 'utf8'),
    signals: proc.signals,
    exit: proc.exit,
    logLevelFromConfig: opts.logLevel === undefined,
  });
  return opts.once === true ? daemon.runOnce() : daemon.run();
}

export interface HealthCliOptions {
  config?: string;
  url?: string;
  timeout?: number;
}

export async function runHealthCommand(opts: HealthCliOptions, io: CliIo, http: HttpClient = boundedRequest): Promise<number> {
  let url = opts.url;
  if (url === undefined) {
    const file = configFile(opts.config, io.env);
    const config = loadConfig({ ...(file === undefined ? {} : { file }), env: io.env });
    if (config.daemon.listen === null) throw new UsageError('daemon.http.listen is false: no health endpoint to ask (give --url)');
    url = healthUrl(config.daemon.listen);
  }
  const result = await checkHealth(url, http, Math.round((opts.timeout ?? 3) * 1000));
  (result.healthy ? io.stdout : io.stderr)(`${result.line}\n`);
  return result.healthy ? EXIT.ok : EXIT.failure;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.1 || n > 60) throw new UsageError(`--timeout must be a number of seconds from 0.1 to 60 (got ${value})`);
  return n;
}

function listenUrl(value: string): string {
  if (/^https?:\/\//u.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new UsageError(`--url is not a valid URL (got ${value})`);
    }
    if (url.pathname === '/') url.pathname = '/healthz';
    return url.href;
  }
  const listen = parseListen(value);
  if (listen === undefined) throw new UsageError(`--url must be an http:// URL or HOST:PORT (got ${value})`);
  return healthUrl(listen);
}

export const daemonCommand: CommandModule = {
  register(program: Command, ctx) {
    program
      .command('daemon')
      .description('sweep on a schedule, keep the inventory, report changes; /healthz and /metrics on 127.0.0.1:9464 (SIGHUP reloads the configuration)')
      .option('-c, --config <file>', 'YAML configuration file (default: $CAMSWEEP_CONFIG; CAMSWEEP_<SECTION>_<KEY> variables override it)')
      .option('--once', 'one sweep now: record it, report it (delivering for report.deliverFor), exit')
      .addOption(new Option('--log-level <level>', 'log level on stderr (default: log.level)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
      .action(async (opts: DaemonCliOptions) => {
        ctx.exit(await runDaemonCommand(opts, ctx.io));
      });
    program
      .command('health')
      .description('ask a running daemon\'s /healthz: exit 0 when healthy, 1 otherwise (for HEALTHCHECK and monitors)')
      .option('-c, --config <file>', 'YAML configuration file, for its daemon.http.listen (default: $CAMSWEEP_CONFIG)')
      .addOption(new Option('--url <url>', 'the /healthz URL or HOST:PORT of the listener (default: from the configuration)').argParser(listenUrl))
      .addOption(new Option('--timeout <seconds>', 'how long to wait for the answer (default 3)').argParser(seconds))
      .action(async (opts: HealthCliOptions) => {
        ctx.exit(await runHealthCommand(opts, ctx.io));
      });
  },
};
