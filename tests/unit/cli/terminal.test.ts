import { describe, expect, it } from 'vitest';
import { progressText, statusLine, type ProgressState } from '../../../src/cli/terminal.ts';
import { prettyLine } from '../../../src/util/log-pretty.ts';

const state = (over: Partial<ProgressState['sweep']> = {}, probe?: ProgressState['probe']): ProgressState => ({
  sweep: { phase: 'listen', phaseAt: 1000, hosts: 12, enrichScheduled: 0, enrichFinished: 0, ...over },
  ...(probe === undefined ? {} : { probe }),
  windowMs: 3000,
  graceMs: 5000,
});

describe('the progress line', () => {
  it('gives every long phase its count, rate and time left', () => {
    expect(progressText(state(), 2200)).toBe('listening 1.2 s · ≤1.8 s left (less once all replies are in) · 12 host(s) answered');
    // After unicast probing the window runs from the last probe.
    expect(progressText(state({}, { probed: 6, total: 6, startedAt: 1000, doneAt: 3000 }), 4000)).toContain('listening 3.0 s · ≤2.0 s left');
    expect(progressText(state({}, { probed: 100, total: 256, startedAt: 1000 }), 2000)).toBe('probing 100/256 addresses · 100/s · ~1.6 s left · 12 host(s) answered');
    // Probing from its start, before any address is done (the prober reports 0 of N first).
    expect(progressText(state({}, { probed: 0, total: 6, startedAt: 1000 }), 1100)).toBe('probing 0/6 addresses · 0/s · 12 host(s) answered');
    expect(progressText(state({ phase: 'enrich', phaseAt: 4000, enrichScheduled: 40, enrichFinished: 10 }), 5000)).toBe(
      'identifying 10/40 request(s) · 10.0/s · ~3.0 s left · 12 host(s) answered',
    );
    // Time left never beyond the grace that ends enrichment.
    expect(progressText(state({ phase: 'enrich', phaseAt: 0, enrichScheduled: 1000, enrichFinished: 1 }), 1000)).toContain('~4.0 s left');
    expect(progressText(state({ phase: 'enrich', phaseAt: 0, enrichScheduled: 4, enrichFinished: 0 }), 1000)).toContain('≤4.0 s left');
    expect(progressText(state({ phase: 'judge' }), 0)).toBe('judging 12 host(s)');
    expect(progressText(state({ phase: 'done' }), 0)).toBe('');
  });

  it('is rewritten in place on a terminal, with log lines above it, and never shown off one', () => {
    const out: string[] = [];
    const tty = statusLine((t) => out.push(t), true);
    tty.show('probing 1/2');
    tty.line('WARN  something\n');
    tty.clear();
    expect(out).toEqual(['\r\u001b[Kprobing 1/2', '\r\u001b[KWARN  something\nprobing 1/2', '\r\u001b[K']);
    const pipe: string[] = [];
    const off = statusLine((t) => pipe.push(t), false);
    off.show('probing 1/2');
    off.line('{"level":40}\n');
    off.clear();
    expect(pipe).toEqual(['{"level":40}\n']);
  });
});

describe('log lines on a terminal', () => {
  it('are short: level, module, message and a few flattened fields, cleaned', () => {
    const json = JSON.stringify({ level: 40, time: 1, pid: 7, name: 'camsweep', module: 'report', msg: '1 report(s) wait', report: { endpoint: 'https://c/v1', pending: 1 }, device: { model: 'EVIL\u001b[2J' } });
    expect(prettyLine(json)).toBe('WARN  report: 1 report(s) wait  report.endpoint=https://c/v1 report.pending=1 device.model=EVIL [2J\n');
    expect(prettyLine('not json \u001b[2J')).toBe('not json [2J\n');
  });
});
