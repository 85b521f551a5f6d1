import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openListenWindow, type WindowOutcome } from '../../../src/sweep/window.ts';

/** Fake timers and a clock on the faked Date.now, so each rule is checked to the millisecond. */
describe('openListenWindow', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const open = (maxMs: number, idleMs?: number) => {
    const window = openListenWindow({ maxMs, ...(idleMs === undefined ? {} : { idleMs }), clock: () => Date.now() });
    let outcome: WindowOutcome | undefined;
    void window.closed.then((o) => {
      outcome = o;
    });
    return { window, outcome: () => outcome };
  };

  it('fixed (no idle time): lasts maxMs whatever the members say', async () => {
    const { window, outcome } = open(3000);
    window.join().expectReplies(100, true);
    await vi.advanceTimersByTimeAsync(2999);
    expect(outcome()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome()).toEqual({ reason: 'timeout', ms: 3000 });
  });

  it('adaptive: closes once every member sent its last, the latest reply deadline passed and the idle time elapsed', async () => {
    const { window, outcome } = open(3000, 300);
    const ssdp = window.join();
    const wsd = window.join();
    ssdp.expectReplies(1100); // first round: MX 1 s + margin
    wsd.expectReplies(600, true); // WS-Discovery done at 0, replies due by 600
    await vi.advanceTimersByTimeAsync(400);
    ssdp.expectReplies(1100, true); // second round at 400: replies due by 1500
    await vi.advanceTimersByTimeAsync(700);
    window.activity(); // a reply at 1100
    await vi.advanceTimersByTimeAsync(399); // 1499
    expect(outcome()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1); // 1500: deadline passed, 400 ms since the last reply
    expect(outcome()).toEqual({ reason: 'settled', ms: 1500 });
  });

  it('adaptive: replies after the deadlines keep it open until they stop for the idle time', async () => {
    const { window, outcome } = open(3000, 300);
    window.join().expectReplies(500, true);
    for (let t = 0; t < 1000; t += 200) {
      await vi.advanceTimersByTimeAsync(200);
      window.activity();
    }
    await vi.advanceTimersByTimeAsync(299);
    expect(outcome()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome()).toEqual({ reason: 'settled', ms: 1300 });
  });

  it('adaptive: a member that has not sent its last keeps it open to maxMs', async () => {
    const { window, outcome } = open(2000, 300);
    window.join().expectReplies(100, true);
    window.join().expectReplies(100);
    await vi.advanceTimersByTimeAsync(2000);
    expect(outcome()).toEqual({ reason: 'timeout', ms: 2000 });
  });

  it('adaptive: a member that ended (its sockets would not open) counts as done', async () => {
    const { window, outcome } = open(2000, 300);
    window.join().expectReplies(100, true);
    const broken = window.join();
    await vi.advanceTimersByTimeAsync(50);
    broken.finished();
    broken.finished(); // idempotent: the count of members still sending cannot go below zero
    // No reply at all: the idle time counts from the opening.
    await vi.advanceTimersByTimeAsync(249);
    expect(outcome()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome()).toEqual({ reason: 'settled', ms: 300 });
  });

  it('adaptive: a follow-up after the last send (mDNS) moves the deadline on', async () => {
    const { window, outcome } = open(3000, 100);
    const mdns = window.join();
    mdns.expectReplies(200, true);
    await vi.advanceTimersByTimeAsync(150);
    mdns.expectReplies(500); // follow-up questions: answers due by 650
    await vi.advanceTimersByTimeAsync(499);
    expect(outcome()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome()).toEqual({ reason: 'settled', ms: 650 });
  });

  it('adaptive: a flood cannot hold it open past maxMs', async () => {
    const { window, outcome } = open(1000, 300);
    window.join().expectReplies(100, true);
    for (let t = 0; t < 1200; t += 10) {
      window.activity();
      await vi.advanceTimersByTimeAsync(10);
    }
    expect(outcome()).toEqual({ reason: 'timeout', ms: 1000 });
  });

  it('an aborted signal closes it at once, as not settled', async () => {
    const controller = new AbortController();
    const window = openListenWindow({ maxMs: 5000, idleMs: 100, clock: () => Date.now(), signal: controller.signal });
    window.join();
    await vi.advanceTimersByTimeAsync(40);
    controller.abort();
    expect(await window.closed).toEqual({ reason: 'timeout', ms: 40 });
    const already = openListenWindow({ maxMs: 5000, clock: () => Date.now(), signal: controller.signal });
    expect(await already.closed).toEqual({ reason: 'timeout', ms: 0 });
  });

  it('ignores nonsense deadlines', async () => {
    const { window, outcome } = open(5000, 100);
    const m = window.join();
    m.expectReplies(Number.NaN);
    m.expectReplies(Number.POSITIVE_INFINITY);
    m.expectReplies(-50, true);
    await vi.advanceTimersByTimeAsync(100);
    expect(outcome()).toEqual({ reason: 'settled', ms: 100 });
  });
});
