/**
 * "Safe at any instant": the real CLI (`camsweep outbox send`) delivers a pre-filled outbox to
 * the reference receiver on 127.0.0.1 and is SIGKILLed at random points, over and over, while
 * the receiver also fails (500, 429, answers after the timeout, resets, 413 on big batches)
 * and new sweeps keep being queued. Kill points: a random time after start, when a request
 * arrives (before it is stored), after the receiver stored it but before it answered, and
 * just after it answered (before or after the agent deleted the report). After the cycles a
 * last run drains the outbox; then every device must have reached the receiver exactly once
 * after de-duplication by key, nothing lost, nothing left behind, both databases intact.
 *
 * Reproduce a run with CAMSWEEP_KILL_SEED=<seed printed below>.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepResult } from '../../src/domain/types.ts';
import type { ReportConfig } from '../../src/report/config.ts';
import { openOutbox } from '../../src/report/outbox.ts';
import { queueSweepReport } from '../../src/report/queue.ts';
import { loadReportSettings } from '../../src/report/settings-file.ts';
import { devices, sweep } from '../unit/report/sample.ts';
import { startFaultyReceiver, type Fault, type FaultyReceiver } from './report-receiver.ts';
import { expectedFor, printTally, tally } from './report-tally.ts';

const CLI = new URL('../../bin/camsweep.js', import.meta.url).pathname;
const TOKEN = 'kill-test-token';
const SECRET = 'kill-test-hmac-secret';
const KILLS_WANTED = 24;
const MAX_CYCLES = 60;
const PREFILL_SWEEPS = 30;

type KillMode = 'timer' | 'on-arrival' | 'after-store' | 'after-response';
const MODES: readonly KillMode[] = ['timer', 'on-arrival', 'after-store', 'after-response'];

/** mulberry32: a small seeded PRNG, so a failing run can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.CAMSWEEP_KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
const random = prng(SEED);
const between = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));

let dir: string;
let rx: FaultyReceiver;
let cfg: ReportConfig;
let cfgFile: string;
const results: SweepResult[] = [];

function queueSweep(big: boolean): void {
  const r = sweep(devices(big ? 150 : between(1, 4)), new Date(Date.UTC(2026, 10, 26, 0, results.length)).toISOString());
  results.push(r);
  const box = openOutbox(cfg.dataDir);
  try {
    queueSweepReport(r, cfg, { outbox: box });
  } finally {
    box.close();
  }
}

/** Faults for requests that are not the kill point. */
function randomFault(req: { headers: Record<string, string | string[] | undefined> }): Fault {
  const x = random();
  const length = Number(req.headers['content-length'] ?? 0);
  if (length > 40_000 && x < 0.5) return { kind: 'status', status: 413 };
  if (x < 0.1) return { kind: 'status', status: 500 };
  if (x < 0.16) return { kind: 'status', status: 429, headers: { 'retry-after': '0' } };
  if (x < 0.2) return { kind: 'slow', delayMs: 600 };
  if (x < 0.23) return { kind: 'reset' };
  return { kind: 'pass' };
}

function spawnAgent(forSeconds: number): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const child = spawn(process.execPath, [CLI, 'outbox', 'send', '-c', cfgFile, '--for', String(forSeconds), '--log-level', 'error'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, CAMSWEEP_REPORT_TOKEN: TOKEN },
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 64 * 1024) stderr += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, stderr }));
  });
  return { child, exited };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-kill-'));
  rx = await startFaultyReceiver({ dataDir: path.join(dir, 'rx'), token: TOKEN, hmacSecret: SECRET });
  writeFileSync(path.join(dir, 'hmac'), `${SECRET}\n`, { mode: 0o600 });
  cfgFile = path.join(dir, 'camsweep.yaml');
  writeFileSync(
    cfgFile,
    [
      `dataDir: ${path.join(dir, 'agent')}`,
      'report:',
      `  endpoint: ${rx.url}`,
      '  agentId: kill-test-agent',
      '  site: Lab',
      `  hmacSecretFile: ${path.join(dir, 'hmac')}`,
      '  timeout: 0.4',
      '  backoff: { base: 0.02, max: 0.15 }',
      '  batchMaxBytes: 65536',
      '',
    ].join('\n'),
  );
  cfg = loadReportSettings({ file: cfgFile, env: { CAMSWEEP_REPORT_TOKEN: TOKEN } });
  for (let i = 0; i < PREFILL_SWEEPS; i++) queueSweep(i % 10 === 0);
});

afterAll(async () => {
  await rx?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('delivery survives SIGKILL at any point', () => {
  it(`loses nothing and stores nothing twice over ${KILLS_WANTED}+ kills (seed printed)`, async () => {
    const started = performance.now();
    const kills: Record<KillMode, number> = { timer: 0, 'on-arrival': 0, 'after-store': 0, 'after-response': 0 };
    const faults: Record<string, number> = {};
    let cycles = 0;
    let killedMidRequest = 0;
    let totalKills = 0;

    while (totalKills < KILLS_WANTED && cycles < MAX_CYCLES) {
      cycles += 1;
      // Sweeps go on between the runs: enough new reports that every kill point is reachable.
      for (let i = 0; i < 3; i++) queueSweep(i === 0 && cycles % 8 === 0);
      const mode = MODES[cycles % MODES.length]!;
      const base = rx.events.length;
      const killAt = between(1, 3);
      const agent = spawnAgent(30);
      let killed = false;
      const kill = (): void => {
        if (killed || agent.child.exitCode !== null) return;
        killed = agent.child.kill('SIGKILL');
      };
      rx.configure({
        fault: (n, req) => {
          const f = mode === 'on-arrival' || n - base !== killAt ? randomFault(req) : { kind: 'pass' as const };
          faults[f.kind === 'status' ? String(f.status) : f.kind] = (faults[f.kind === 'status' ? String(f.status) : f.kind] ?? 0) + 1;
          return f;
        },
        onArrival: (n) => {
          if (mode === 'on-arrival' && n - base === killAt) kill();
        },
        beforeRespond: (n) => {
          if (mode === 'after-store' && n - base === killAt) kill();
        },
        afterRespond: (n) => {
          if (mode === 'after-response' && n - base === killAt) setTimeout(kill, between(0, 8));
        },
      });
      let timer: NodeJS.Timeout | undefined;
      if (mode === 'timer') {
        timer = setTimeout(kill, between(200, 550));
        // Sweeps go on while the agent delivers: queue one concurrently.
        setTimeout(() => queueSweep(false), 120);
      }
      const guard = setTimeout(kill, 6000);
      const end = await agent.exited;
      clearTimeout(guard);
      if (timer) clearTimeout(timer);
      if (end.signal === 'SIGKILL') {
        totalKills += 1;
        kills[mode] += 1;
        if (mode !== 'timer') killedMidRequest += 1;
      } else {
        expect(end.stderr, `agent exited ${end.code} on its own`).not.toMatch(/Error|INTERNAL/u);
      }
    }
    rx.configure({});

    // The last run: no faults, no kill. Everything left must go.
    const drain = spawnAgent(30);
    const final = await drain.exited;
    expect(final.code, final.stderr).toBe(0);

    const box = openOutbox(cfg.dataDir);
    try {
      expect(box.integrityCheck()).toBe('ok');
      expect(box.pendingCount()).toBe(0);
      expect(box.listDead().map((d) => `${d.id}: ${d.reason}`)).toEqual([]);
    } finally {
      box.close();
    }
    expect(rx.store.integrityCheck()).toBe('ok');

    const expected = expectedFor(results, cfg);
    const t = tally(rx.store, expected, rx.events.map((e) => e.key));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    printTally(
      `SIGKILL x${totalKills} in ${cycles} cycles, seed ${SEED}, ${seconds} s`,
      t,
      `kills ${JSON.stringify(kills)}, faults injected ${JSON.stringify(faults)}, sweeps ${results.length}, reports acknowledged ${new Set(rx.events.filter((e) => e.status === 200).map((e) => e.key)).size}`,
    );
    expect(totalKills).toBeGreaterThanOrEqual(20);
    // Every kill point was reached while the agent was mid-delivery, not only at start-up.
    for (const m of MODES) expect(kills[m], `kills at ${m}`).toBeGreaterThan(0);
    expect(killedMidRequest).toBeGreaterThanOrEqual(10);
    expect(t.lost).toBe(0);
    expect(t.duplicated).toBe(0);
    expect(t.delivered).toBe(expected.keys.size);
    // Killing after the store and before the answer makes the agent send again: the receiver
    // saw repeats and dropped them by key.
    expect(t.rawRepeats).toBeGreaterThan(0);
  }, 90_000);
});
