import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config/load.ts';
import { createDaemon, type Daemon } from '../../../src/daemon/daemon.ts';
import type { Deliver } from '../../../src/daemon/delivery.ts';
import { openOutbox, type Outbox } from '../../../src/report/outbox.ts';
import { FakeClock, captureLog, settle, type LogLine } from './helpers.ts';
import { FakeInventory, FakeSignals, FakeSweeper, FakeTransport } from './fakes.ts';
import { HOST } from '../report/sample.ts';
import type { UdpFactory } from '../../../src/discovery/udp.ts';

/** A daemon on the virtual clock with fake sweeps, inventory, transport and signals, and a real outbox. */
export interface Harness {
  dir: string;
  clock: FakeClock;
  lines: LogLine[];
  messages: () => string[];
  inventory: FakeInventory;
  sweeper: FakeSweeper;
  transport: FakeTransport;
  signals: FakeSignals;
  exits: number[];
  daemon: Daemon;
  /** The configuration file's text (change it, then SIGHUP). */
  yaml: string;
  /** A second handle on the daemon's outbox, to look at it. */
  outbox(): Outbox;
  cleanup(): void;
}

export function configYaml(dataDir: string, extra: { daemon?: string; report?: string; top?: string } = {}): string {
  return [
    `dataDir: ${dataDir}`,
    'sweep: { timeout: 1 }',
    'report:',
    '  endpoint: http://127.0.0.1:9/v1/reports',
    '  agentId: agent-test',
    '  include: all',
    '  backoff: { base: 1, max: 60 }',
    ...(extra.report === undefined ? [] : [extra.report]),
    'daemon:',
    extra.daemon ?? '  schedule: { interval: 10, runAtStart: true }\n  http: { listen: false }\n  shutdownTimeout: 8',
    ...(extra.top === undefined ? [] : [extra.top]),
    '',
  ].join('\n');
}

export function harness(options: { daemon?: string; report?: string; deliver?: Deliver; durationMs?: number; edit?: (yaml: string) => string; udp?: UdpFactory } = {}): Harness {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-daemon-'));
  const clock = new FakeClock();
  const { log, lines, messages } = captureLog();
  const inventory = new FakeInventory();
  const sweeper = new FakeSweeper(clock, options.durationMs === undefined ? {} : { durationMs: options.durationMs });
  const transport = new FakeTransport(clock);
  const signals = new FakeSignals();
  const exits: number[] = [];
  const opened: Outbox[] = [];
  const h: Harness = {
    dir,
    clock,
    lines,
    messages,
    inventory,
    sweeper,
    transport,
    signals,
    exits,
    yaml: configYaml(path.join(dir, 'data'), { ...(options.daemon === undefined ? {} : { daemon: options.daemon }), ...(options.report === undefined ? {} : { report: options.report }) }),
    daemon: undefined as unknown as Daemon,
    outbox() {
      const box = openOutbox(path.join(dir, 'data'));
      opened.push(box);
      return box;
    },
    cleanup() {
      for (const box of opened) box.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (options.edit !== undefined) h.yaml = options.edit(h.yaml);
  const load = () => loadConfig({ file: 'camsweep.yaml', readFile: (p) => (p === 'camsweep.yaml' ? h.yaml : ''), env: {} });
  // Backoff waits and deadlines run on the virtual clock too.
  const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      if (signal?.aborted) {
        resolve();
        return;
      }
      const cancel = clock.setTimer(resolve, ms);
      signal?.addEventListener(
        'abort',
        () => {
          cancel();
          resolve();
        },
        { once: true },
      );
    });
  h.daemon = createDaemon({
    config: load(),
    loadConfig: load,
    makeSweeper: () => sweeper,
    openInventory: () => inventory,
    log,
    env: {},
    readFile: () => {
      throw new Error('no files');
    },
    clock,
    random: () => 0,
    signals,
    exit: (code) => exits.push(code),
    host: HOST,
    deliveryDeps: { transport: transport.send, sleep, random: () => 0 },
    ...(options.deliver === undefined ? {} : { deliver: options.deliver }),
    ...(options.udp === undefined ? {} : { udp: options.udp }),
  });
  return h;
}

/** Lets the daemon start (listener, schedule, the sweep at start); `run` settles when it stops. */
export async function started(h: Harness): Promise<{ run: Promise<number> }> {
  const run = h.daemon.run();
  await settle();
  return { run };
}

/** Whether a promise has settled (without waiting). */
export async function isSettled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await settle();
  return done;
}
