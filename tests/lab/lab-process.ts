import { spawn } from 'node:child_process';
import type { ChildProcess, StdioOptions } from 'node:child_process';

/**
 * Processes the lab starts. Each runs in its own process group (so a kill reaches its children)
 * under `setpriv --pdeathsig SIGKILL` (so it dies with the process that started it, even on a
 * crash that skips every cleanup hook).
 */

export interface ExecResult {
  /** Exit code; null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  ms: number;
  timedOut: boolean;
}

export interface ExecOptions {
  /** Kill the process group after this long (default 60 s). */
  timeoutMs?: number;
  env?: Record<string, string>;
  cwd?: string;
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  input?: string;
}

export interface LabProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Output so far (capped at 64 MB each: a sweep of 1,000 devices prints ~9 MB of JSON). */
  stdout(): string;
  stderr(): string;
  /** Settles when the process has exited. */
  readonly exited: Promise<ExecResult>;
  readonly running: boolean;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves on exit. */
  stop(graceMs?: number): Promise<ExecResult>;
  /** Immediate SIGKILL to the group (synchronous; for exit hooks). */
  killNow(): void;
}

const MAX_CAPTURE = 64 * 1024 * 1024;

export interface SpawnOptions extends ExecOptions {
  /** Keep stdin as an open pipe (the simulator exits when it closes). */
  stdinPipe?: boolean;
  /** Do not capture stdout/stderr in memory; the caller reads child.stdout/stderr. */
  rawOutput?: boolean;
}

/** `ip netns exec <ns> setpriv --pdeathsig SIGKILL -- <cmd...>` in a new process group. */
export function spawnInNamespace(ns: string, cmd: string[], options: SpawnOptions = {}): LabProcess {
  if (cmd.length === 0) throw new Error('lab: empty command');
  const argv = ['netns', 'exec', ns, 'setpriv', '--pdeathsig', 'SIGKILL', '--', ...cmd];
  const stdin = options.stdinPipe === true || options.input !== undefined ? 'pipe' : 'ignore';
  const stdio: StdioOptions = [stdin, 'pipe', 'pipe'];
  const started = performance.now();
  const child = spawn('ip', argv, {
    detached: true,
    stdio,
    env: { ...process.env, ...options.env },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  let out = '';
  let err = '';
  let running = true;
  let timedOut = false;
  if (options.rawOutput !== true) {
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      if (out.length < MAX_CAPTURE) out += d;
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      if (err.length < MAX_CAPTURE) err += d;
    });
  }
  if (options.input !== undefined) child.stdin?.end(options.input);
  child.stdin?.on('error', () => undefined);

  const killGroup = (signal: NodeJS.Signals): void => {
    if (!running || child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  };

  const exited = new Promise<ExecResult>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    if (options.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        timedOut = true;
        killGroup('SIGKILL');
      }, options.timeoutMs);
    }
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (timer !== undefined) clearTimeout(timer);
      running = false;
      resolve({ code, signal, stdout: out, stderr: err, ms: Math.round(performance.now() - started), timedOut });
    };
    child.once('error', (e) => {
      err += `\nspawn error: ${e.message}`;
      finish(127, null);
    });
    child.once('close', finish);
  });

  return {
    get pid() {
      return child.pid ?? -1;
    },
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    get running() {
      return running;
    },
    async stop(graceMs = 1500) {
      if (!running) return exited;
      killGroup('SIGTERM');
      const timer = setTimeout(() => killGroup('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
    killNow() {
      killGroup('SIGKILL');
    },
  };
}

/**
 * Runs `ip [-n ns] -batch -` with the given lines; throws with ip's message on failure.
 * `force`: go on past failing lines (still throws at the end).
 */
export async function ipBatch(lines: string[], ns?: string, options: { force?: boolean } = {}): Promise<void> {
  if (lines.length === 0) return;
  const args = [...(ns === undefined ? [] : ['-n', ns]), ...(options.force === true ? ['-force'] : []), '-batch', '-'];
  const child = spawn('ip', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  child.stdout.resume();
  child.stdin.end(`${lines.join('\n')}\n`);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`lab: ip ${args.join(' ')} failed (${code}): ${err.trim()}`);
}

/**
 * Resolves when the process prints a line starting with READY (simulators, the crowd and flood
 * responders); rejects, with `label` and `logTail()`, after `timeoutMs` or if it exits first.
 */
export function waitReady(proc: LabProcess, label: string, timeoutMs: number, logTail: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const stdout = proc.child.stdout;
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${label} not ready after ${timeoutMs} ms\n${logTail()}`));
    }, timeoutMs);
    const onData = (chunk: string): void => {
      buffer += chunk;
      if (/^READY /mu.test(buffer)) {
        cleanup();
        resolve();
      } else if (buffer.length > 64 * 1024) buffer = buffer.slice(-1024);
    };
    const onExit = (): void => {
      cleanup();
      reject(new Error(`${label} exited before READY\n${logTail()}`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      stdout?.off('data', onData);
      proc.child.off('close', onExit);
      // Keep draining stdout so the process never blocks on a full pipe.
      stdout?.resume();
    };
    stdout?.setEncoding('utf8').on('data', onData);
    proc.child.once('close', onExit);
  });
}
