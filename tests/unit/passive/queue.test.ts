import { describe, expect, it } from 'vitest';
import { createIdentifyQueue } from '../../../src/passive/queue.ts';
import { FakeClock, settle } from '../daemon/helpers.ts';

function setup(over: { concurrency?: number; maxPending?: number } = {}) {
  const clock = new FakeClock();
  const runs: Array<{ key: string; at: number }> = [];
  const finish = new Map<string, () => void>();
  const evicted: string[] = [];
  const queue = createIdentifyQueue({
    onEvict: (key) => evicted.push(key),
    concurrency: over.concurrency ?? 2,
    maxPending: over.maxPending ?? 10,
    settleMs: 500,
    cooldownMs: 60_000,
    clock,
    run: (key) => {
      runs.push({ key, at: clock.now() });
      return new Promise<void>((resolve) => finish.set(key, resolve));
    },
  });
  const t0 = clock.now();
  return { clock, runs, queue, t0, evicted, done: async (key: string) => (finish.get(key)?.(), await settle()) };
}

describe('createIdentifyQueue', () => {
  it('waits the settle delay, merges requests for one host, and runs one host at a time', async () => {
    const { clock, runs, queue, t0, done } = setup();
    expect(queue.request('a')).toBe('queued');
    expect(queue.request('a')).toBe('joined');
    await clock.advance(499);
    expect(runs).toEqual([]);
    await clock.advance(1);
    expect(runs).toEqual([{ key: 'a', at: t0 + 500 }]);
    expect(queue.request('a')).toBe('joined');
    await done('a');
    // Asked while it ran: once more, after the cool-down.
    await clock.advance(59_999);
    expect(runs).toHaveLength(1);
    await clock.advance(1);
    expect(runs).toHaveLength(2);
  });

  it('defers a host asked again within its cool-down', async () => {
    const { clock, runs, queue, done } = setup();
    queue.request('a');
    await clock.advance(500);
    await done('a');
    expect(queue.request('a')).toBe('deferred');
    await clock.advance(30_000);
    expect(runs).toHaveLength(1);
    await clock.advance(30_000);
    expect(runs).toHaveLength(2);
  });

  it('runs at most `concurrency` at once and keeps at most `maxPending` waiting', async () => {
    const { clock, runs, queue, done } = setup({ concurrency: 2, maxPending: 3 });
    expect(['a', 'b', 'c', 'd'].map((k) => queue.request(k))).toEqual(['queued', 'queued', 'queued', 'full']);
    await clock.advance(500);
    expect(runs.map((r) => r.key)).toEqual(['a', 'b']);
    expect(queue.waiting).toBe(1);
    await done('a');
    expect(runs.map((r) => r.key)).toEqual(['a', 'b', 'c']);
  });

  it('when full, a request that outranks the lowest waiting one takes its place', async () => {
    const { clock, runs, queue, evicted } = setup({ concurrency: 1, maxPending: 2 });
    expect(queue.request('forged-1', { priority: 1 })).toBe('queued');
    expect(queue.request('forged-2', { priority: 1 })).toBe('queued');
    expect(queue.request('forged-3', { priority: 1 })).toBe('full');
    expect(queue.request('camera', { priority: 2 })).toBe('queued');
    expect(evicted).toEqual(['forged-1']);
    expect(queue.request('v6-only', { priority: 0 })).toBe('full');
    await clock.advance(500);
    expect(runs.map((r) => r.key)).toEqual(['forged-2']);
    expect(queue.waitingFor('camera')).toBe(true);
  });

  it('a host waiting for its cool-down, or asked again while it ran, yields to a host never identified', async () => {
    const clock = new FakeClock();
    const finish = new Map<string, () => void>();
    const queue = createIdentifyQueue({ concurrency: 1, maxPending: 1, settleMs: 0, cooldownMs: 60_000, cooledPriority: 1, clock, run: (key) => new Promise<void>((resolve) => finish.set(key, resolve)) });
    queue.request('forged', { priority: 2 });
    await clock.advance(0);
    expect(queue.running('forged')).toBe(true);
    expect(queue.request('forged', { priority: 2 })).toBe('joined');
    finish.get('forged')?.();
    await settle();
    // It waits for its cool-down at priority 1: a new camera takes its place.
    expect(queue.waitingFor('forged')).toBe(true);
    expect(queue.request('camera', { priority: 2 })).toBe('queued');
    expect(queue.waitingFor('forged')).toBe(false);
  });

  /** One identification at a time, one waiting, a minute's cool-down: each run ends when the test says. */
  const oneSlotQueue = () => {
    const clock = new FakeClock();
    const finish = new Map<string, () => void>();
    const evicted: string[] = [];
    const queue = createIdentifyQueue({ concurrency: 1, maxPending: 1, settleMs: 0, cooldownMs: 60_000, cooledPriority: 1, clock, onEvict: (k) => evicted.push(k), run: (key) => new Promise<void>((resolve) => finish.set(key, resolve)) });
    return { clock, finish, evicted, queue };
  };

  it('a host waiting for its cool-down stays below a host never identified however often it is asked again', async () => {
    const { clock, finish, evicted, queue } = oneSlotQueue();
    queue.request('forged', { priority: 2 });
    await clock.advance(0);
    finish.get('forged')?.();
    await settle();
    expect(queue.request('forged', { priority: 2 })).toBe('deferred');
    // Its next announcement (a goodbye and a hello make it "back") must not lift it out of its cool-down rank.
    expect(queue.request('forged', { priority: 2 })).toBe('joined');
    expect(queue.request('camera', { priority: 2 })).toBe('queued');
    expect(evicted).toEqual(['forged']);
  });

  it('a host asked again while it ran, with no room left when it ends, is dropped and onEvict told', async () => {
    const { clock, finish, evicted, queue } = oneSlotQueue();
    queue.request('a', { priority: 2 });
    await clock.advance(0);
    expect(queue.request('a', { priority: 2 })).toBe('joined');
    expect(queue.request('b', { priority: 2 })).toBe('queued');
    finish.get('a')?.();
    await settle();
    // 'a' would wait for its cool-down at priority 1, below 'b': there is no room, and its caller must know.
    expect(evicted).toEqual(['a']);
    expect(queue.waitingFor('a')).toBe(false);
  });

  it('holds everything while held, and lets go only what release keeps; cancel forgets a waiting host', async () => {
    const { clock, runs, queue } = setup();
    queue.hold();
    queue.request('a');
    queue.request('b');
    queue.request('c');
    queue.cancel('c');
    await clock.advance(10_000);
    expect(runs).toEqual([]);
    queue.release((k) => k === 'b');
    await settle();
    expect(runs.map((r) => r.key)).toEqual(['b']);
    expect(queue.waiting).toBe(0);
  });

  it('stops: nothing new starts, and the running ones are waited for', async () => {
    const { clock, queue, runs, done } = setup();
    queue.request('a');
    queue.request('b');
    await clock.advance(500);
    queue.request('c');
    let stopped = false;
    const stop = queue.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    await done('a');
    await done('b');
    await stop;
    expect(runs.map((r) => r.key)).toEqual(['a', 'b']);
    expect(queue.request('d')).toBe('full');
  });
});
