import { afterEach, describe, expect, it } from 'vitest';
import { createLifecycle, signalExitCode } from '../../../src/daemon/lifecycle.ts';
import type { Deliver } from '../../../src/daemon/delivery.ts';
import { FakeClock, captureLog, settle } from './helpers.ts';
import { FakeSignals } from './fakes.ts';
import { harness, isSettled, started, type Harness } from './harness.ts';
import { parsePrometheus, valueOf } from './prometheus-parse.ts';

const S = 1000;
let h: Harness | undefined;
afterEach(() => {
  h?.cleanup();
  h = undefined;
});

describe('createLifecycle', () => {
  it('installs its handlers once, removes them on dispose, and maps signals to shell exit codes', () => {
    const signals = new FakeSignals();
    const life = createLifecycle({
      signals,
      clock: new FakeClock(),
      log: captureLog().log,
      exit: () => undefined,
      shutdownTimeoutMs: () => 1000,
      onStop: () => Promise.resolve(0),
      onReload: () => Promise.resolve(),
    });
    life.install();
    life.install();
    expect(['SIGTERM', 'SIGINT', 'SIGHUP'].map((s) => signals.listenerCount(s))).toEqual([1, 1, 1]);
    life.dispose();
    expect(['SIGTERM', 'SIGINT', 'SIGHUP'].map((s) => signals.listenerCount(s))).toEqual([0, 0, 0]);
    expect(signalExitCode('SIGINT')).toBe(130);
    expect(signalExitCode('SIGTERM')).toBe(143);
  });

  it('runs one reload at a time: SIGHUPs during a reload give one more reload after it', async () => {
    const signals = new FakeSignals();
    let reloads = 0;
    let release: () => void = () => undefined;
    const life = createLifecycle({
      signals,
      clock: new FakeClock(),
      log: captureLog().log,
      exit: () => undefined,
      shutdownTimeoutMs: () => 1000,
      onStop: () => Promise.resolve(0),
      onReload: () => {
        reloads += 1;
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    });
    life.install();
    signals.raise('SIGHUP');
    signals.raise('SIGHUP');
    signals.raise('SIGHUP');
    await settle();
    expect(reloads).toBe(1);
    release();
    await settle();
    expect(reloads).toBe(2);
    release();
    await settle();
    expect(reloads).toBe(2);
  });
});

describe('daemon lifecycle', () => {
  it('SIGTERM during a sweep: no new sweep, the running one finishes and is recorded, its report is delivered, exit 0 well within the bound', async () => {
    h = harness({ durationMs: 3 * S });
    const { run } = await started(h);
    expect(h.sweeper.runs).toBe(1);
    await h.clock.advance(1 * S);
    const signalAt = h.clock.now();
    h.signals.raise('SIGTERM');
    await h.clock.advance(2 * S);
    expect(await isSettled(run)).toBe(true);
    expect(await run).toBe(0);
    const stoppedAt = h.clock.now();
    expect(stoppedAt - signalAt).toBeLessThanOrEqual(2 * S);
    expect(h.inventory.recorded.map((r) => r.id)).toEqual(['sweep-1']);
    const sent = h.transport.requests.filter((r) => r.at >= signalAt);
    expect(sent.map((r) => r.body.sweep.id)).toEqual(['sweep-1']);
    expect(sent[0]!.body.events?.map((e) => e.type)).toEqual(['restricted-new']);
    expect(h.outbox().pendingCount()).toBe(0);
    expect(h.inventory.closed).toBe(true);
    expect(h.messages()).toEqual(
      expect.arrayContaining([
        'stopping: no new sweeps; finishing the running one and flushing the outbox',
        'waiting for the running sweep to finish',
        'outbox flushed',
        'stopped',
      ]),
    );
    // Nothing more starts, and the hard-exit timer (unref'd) is the only thing left.
    await h.clock.advance(60 * S);
    expect(h.sweeper.runs).toBe(1);
    expect(h.exits).toEqual([0]);
  });

  it('SIGTERM with reports waiting out a backoff: the stop flushes the outbox (one more attempt) before exiting', async () => {
    h = harness({ durationMs: 1 * S });
    h.transport.status = 503;
    const { run } = await started(h);
    await h.clock.advance(1 * S);
    expect(h.transport.requests).toHaveLength(1);
    expect(h.outbox().pendingCount()).toBe(1);
    h.transport.status = 200;
    const signalAt = h.clock.now();
    h.signals.raise('SIGTERM');
    await h.clock.advance(5 * S);
    expect(await run).toBe(0);
    expect(h.transport.requests).toHaveLength(2);
    expect(h.transport.requests[1]!.at - signalAt).toBeLessThan(6 * S);
    expect(h.outbox().pendingCount()).toBe(0);
  });

  it('the flush is bounded: an endpoint that never answers is abandoned at the deadline and the report stays queued', async () => {
    h = harness({ durationMs: 1 * S });
    h.transport.hang = true;
    const { run } = await started(h);
    await h.clock.advance(1 * S);
    const signalAt = h.clock.now();
    h.signals.raise('SIGTERM');
    await h.clock.advance(7.8 * S);
    expect(await isSettled(run)).toBe(true);
    expect(await run).toBe(0);
    expect(h.exits).toEqual([]);
    expect(h.outbox().pendingCount()).toBe(1);
    expect(h.messages()).toContain('1 report(s) stay in the outbox for the next start');
    expect(h.clock.now() - signalAt).toBeLessThan(8 * S);
  });

  it('a sweep that does not finish in time is abandoned (not recorded); the process is made to exit at the bound', async () => {
    h = harness({ durationMs: 1 * S });
    h.sweeper.hang = true;
    const { run } = await started(h);
    await h.clock.advance(1 * S);
    h.signals.raise('SIGTERM');
    // 8 s bound, 2 s kept for the flush: the wait for the sweep ends at 6 s.
    await h.clock.advance(6 * S);
    expect(await isSettled(run)).toBe(true);
    expect(await run).toBe(0);
    expect(h.inventory.recorded).toEqual([]);
    expect(h.messages()).toContain('the running sweep did not finish within daemon.shutdownTimeout: abandoned, not recorded');
    expect(h.exits).toEqual([]);
    await h.clock.advance(2 * S);
    // The hung sweep would still hold the process: the hard-exit timer ends it, with the stop's code.
    expect(h.exits).toEqual([0]);
  });

  it('a stop that hangs is cut by the hard-exit timer at daemon.shutdownTimeout (exit 1)', async () => {
    const never: Deliver = () => new Promise(() => undefined);
    h = harness({ durationMs: 1 * S, deliver: never });
    const { run } = await started(h);
    await h.clock.advance(1 * S);
    h.signals.raise('SIGTERM');
    await h.clock.advance(7.9 * S);
    expect(h.exits).toEqual([]);
    await h.clock.advance(0.1 * S);
    expect(h.exits).toEqual([1]);
    expect(h.lines.find((l) => l.msg === 'the stop took longer than daemon.shutdownTimeout: exiting now')).toMatchObject({ level: 50, shutdownTimeoutMs: 8000 });
    expect(await isSettled(run)).toBe(false);
  });

  it('a second SIGTERM or SIGINT exits at once', async () => {
    h = harness({ durationMs: 5 * S });
    await started(h);
    h.signals.raise('SIGTERM');
    await settle();
    expect(h.exits).toEqual([]);
    h.signals.raise('SIGINT');
    expect(h.exits).toEqual([130]);
    h.signals.raise('SIGTERM');
    expect(h.exits).toEqual([130, 143]);
    expect(h.messages().filter((m) => m === 'second signal: exiting at once')).toHaveLength(2);
  });

  it('SIGHUP with a bad configuration keeps the one in force and logs every problem; a good one then applies', async () => {
    h = harness({ durationMs: 1 * S });
    await started(h);
    const before = h.daemon.config;
    h.yaml = h.yaml
      .replace('sweep: { timeout: 1 }', 'sweep: { timeout: fast, mx: 9 }')
      .replace('interval: 10', 'interval: 10, cron: "61 * * * *"')
      .concat('log: { level: loud }\n');
    h.signals.raise('SIGHUP');
    await settle();
    expect(h.daemon.config).toBe(before);
    const line = h.lines.find((l) => l.msg.startsWith('configuration not reloaded'));
    expect(line).toMatchObject({ level: 50, module: 'daemon' });
    const problems = (line as unknown as { reload: { problems: string[] } }).reload.problems;
    expect(problems).toHaveLength(5);
    for (const path of ['sweep.timeout', 'sweep.mx', 'daemon.schedule.interval', 'daemon.schedule.cron', 'log.level']) {
      expect(problems.some((p) => p.startsWith(path))).toBe(true);
      expect(line!.msg).toContain(path);
    }
    // The old schedule goes on: sweeps at 10 s, 20 s.
    await h.clock.advance(20 * S);
    expect(h.sweeper.runs).toBe(3);
    let f = parsePrometheus(h.daemon.metricsText());
    expect(valueOf(f, 'camsweep_config_reloads_total', { outcome: 'failed' })).toBe(1);
    expect(valueOf(f, 'camsweep_errors_total', { stage: 'reload' })).toBe(1);

    h.yaml = h.yaml.replace('sweep: { timeout: fast, mx: 9 }', 'sweep: { timeout: 1 }').replace('interval: 10, cron: "61 * * * *"', 'interval: 4').replace('log: { level: loud }\n', '');
    h.signals.raise('SIGHUP');
    await settle();
    expect(h.daemon.config).not.toBe(before);
    expect(h.daemon.config.daemon.schedule).toMatchObject({ kind: 'interval', intervalMs: 4000 });
    const runs = h.sweeper.runs;
    await h.clock.advance(12 * S);
    expect(h.sweeper.runs - runs).toBe(3);
    f = parsePrometheus(h.daemon.metricsText());
    expect(valueOf(f, 'camsweep_config_reloads_total', { outcome: 'ok' })).toBe(1);
    expect(h.messages()).toContain('configuration reloaded');
  });

  it('SIGHUP while stopping is ignored', async () => {
    h = harness({ durationMs: 3 * S });
    const { run } = await started(h);
    h.signals.raise('SIGTERM');
    h.signals.raise('SIGHUP');
    await h.clock.advance(3 * S);
    expect(await run).toBe(0);
    expect(h.messages()).toContain('SIGHUP while stopping: ignored');
    expect(h.messages()).not.toContain('configuration reloaded');
  });
});
