import { readFileSync } from 'node:fs';
import type { LevelWithSilent } from 'pino';
import { checkConfig, loadConfig } from '../../config/load.ts';
import { unknownVariableProblems } from '../../config/env.ts';
import { cliLogger } from '../log.ts';
import { boundedRequest, type HttpClient } from '../../util/http.ts';
import { createSweeper } from '../../agent/sweeper.ts';
import { openInventory } from '../../inventory/store.ts';
import { createDaemon } from '../../daemon/daemon.ts';
import type { SignalSource } from '../../daemon/lifecycle.ts';
import { checkHealth, healthUrl } from '../../daemon/health-check.ts';
import { parseListen } from '../../daemon/config.ts';
import { UsageError } from '../../domain/errors.ts';
import { type CliIo } from '../context.ts';
import { EXIT } from '../context.ts';
import { Problems } from '../problems.ts';
import { configFile } from '../commands/daemon.ts';

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

export interface DaemonProcess {
  signals: SignalSource;
  exit: (code: number) => void;
}

const nodeProcess = (): DaemonProcess => ({ signals: process, exit: (code) => process.exit(code) });

export async function runDaemonCommand(opts: DaemonCliOptions, io: CliIo, proc: DaemonProcess = nodeProcess(), problems: Problems = new Problems()): Promise<number> {
  const file = configFile(opts.config, io.env);
  const load = () => loadConfig({ ...(file === undefined ? {} : { file }), env: io.env });
  // Every problem of the flags, the file and the environment at once (exit 2; systemd does not restart).
  const checked = checkConfig({ ...(file === undefined ? {} : { file }), env: io.env });
  problems.add(...checked.problems);
  problems.throwIfAny();
  const config = checked.config!;
  const log = cliLogger(opts.logLevel ?? config.log.level, io);
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

export async function runHealthCommand(opts: HealthCliOptions, io: CliIo, http: HttpClient = boundedRequest, problems: Problems = new Problems()): Promise<number> {
  let url: string;
  if (opts.url === undefined) {
    const file = configFile(opts.config, io.env);
    const checked = checkConfig({ ...(file === undefined ? {} : { file }), env: io.env });
    problems.add(...checked.problems);
    if (checked.config?.daemon.listen === null) problems.add('daemon.http.listen is false: no health endpoint to ask (give --url)');
    problems.throwIfAny();
    url = healthUrl(checked.config!.daemon.listen!);
  } else {
    const given = problems.check(() => listenUrl(opts.url!));
    problems.add(...unknownVariableProblems(io.env));
    problems.throwIfAny();
    url = given!;
  }
  const result = await checkHealth(url, http, Math.round((opts.timeout ?? 3) * 1000));
  (result.healthy ? io.stdout : io.stderr)(`${result.line}\n`);
  return result.healthy ? EXIT.ok : EXIT.failure;
}

/** `--url`: an http(s) URL (path /healthz when none) or the listener's HOST:PORT. */
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
