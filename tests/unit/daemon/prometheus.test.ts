import { describe, expect, it } from 'vitest';
import { createRegistry, escapeLabelValue, formatValue } from '../../../src/daemon/prometheus.ts';
import { createDaemonMetrics, CHANGE_TYPES, ERROR_STAGES } from '../../../src/daemon/metrics.ts';
import { parsePrometheus, valueOf } from './prometheus-parse.ts';
import { hikvision, printer } from './fakes.ts';

describe('Prometheus text format', () => {
  it('renders counters, gauges and histograms that parse back to the same values', () => {
    const r = createRegistry();
    const c = r.counter('x_total', 'Things counted', [{ kind: 'a' }]);
    c.inc({ kind: 'b' }, 3);
    c.inc({ kind: 'b' });
    const g = r.gauge('x_depth', 'A depth');
    g.set(2.5);
    r.gauge('x_collected', 'Read when scraped', { collect: () => [{ labels: { s: 'one' }, value: 1 }, { labels: { s: 'two' }, value: 2 }] });
    const h = r.histogram('x_seconds', 'Durations', [1, 5, 0.5]);
    for (const v of [0.2, 0.7, 3, 10]) h.observe(v);
    const text = r.render();
    const f = parsePrometheus(text);
    expect(f.get('x_total')?.type).toBe('counter');
    expect(valueOf(f, 'x_total', { kind: 'a' })).toBe(0);
    expect(valueOf(f, 'x_total', { kind: 'b' })).toBe(4);
    expect(valueOf(f, 'x_depth')).toBe(2.5);
    expect(valueOf(f, 'x_collected', { s: 'two' })).toBe(2);
    expect(f.get('x_seconds')?.type).toBe('histogram');
    expect(f.get('x_seconds')!.samples.filter((s) => s.name === 'x_seconds_bucket').map((s) => [s.labels.le, s.value])).toEqual([
      ['0.5', 1],
      ['1', 2],
      ['5', 3],
      ['+Inf', 4],
    ]);
    expect(valueOf(f, 'x_seconds_sum')).toBeCloseTo(13.9);
    expect(valueOf(f, 'x_seconds_count')).toBe(4);
    expect(text).toContain('# HELP x_total Things counted\n# TYPE x_total counter\n');
  });

  it('escapes label values and help text so a hostile value cannot break a line', () => {
    const r = createRegistry();
    const nasty = 'a"b\\c\nd} 1\nfake_metric 9';
    r.gauge('y', 'help with a \\ backslash\nand a newline', { collect: () => [{ labels: { v: nasty }, value: 1 }] });
    const text = r.render();
    expect(text.split('\n')).toHaveLength(4);
    expect(escapeLabelValue(nasty)).toBe('a\\"b\\\\c\\nd} 1\\nfake_metric 9');
    const f = parsePrometheus(text);
    expect(f.get('y')!.samples[0]!.labels.v).toBe(nasty);
    expect(f.has('fake_metric')).toBe(false);
  });

  it('refuses bad names, a counter going down and a name twice; formats special values', () => {
    const r = createRegistry();
    expect(() => r.counter('bad-name', 'x')).toThrow(/bad metric name/u);
    const c = r.counter('ok_total', 'x');
    expect(() => c.inc({}, -1)).toThrow(/only go up/u);
    expect(() => r.gauge('ok_total', 'x')).toThrow(/twice/u);
    expect(formatValue(Number.POSITIVE_INFINITY)).toBe('+Inf');
    expect(formatValue(Number.NaN)).toBe('NaN');
  });
});

describe('daemon metrics', () => {
  it('has every series from the start, at 0, and counts a sweep, its devices and problems, deliveries', () => {
    let pending = 3;
    const m = createDaemonMetrics({ version: '1.2.3', startedMs: 1_700_000_000_000, outbox: () => ({ pending, dead: 1 }), nextSweepMs: () => 1_700_000_060_000, running: () => false });
    let f = parsePrometheus(m.render());
    for (const type of CHANGE_TYPES) expect(valueOf(f, 'camsweep_events_total', { type })).toBe(0);
    for (const stage of ERROR_STAGES) expect(valueOf(f, 'camsweep_errors_total', { stage })).toBe(0);
    expect(valueOf(f, 'camsweep_sweeps_total', { outcome: 'ok' })).toBe(0);
    expect(valueOf(f, 'camsweep_build_info', { version: '1.2.3' })).toBe(1);
    expect(valueOf(f, 'camsweep_start_time_seconds')).toBe(1_700_000_000);
    expect(valueOf(f, 'camsweep_next_sweep_timestamp_seconds')).toBe(1_700_000_060);
    expect(valueOf(f, 'camsweep_outbox_pending')).toBe(3);
    expect(valueOf(f, 'camsweep_outbox_dead')).toBe(1);

    const result = {
      schema: 'camsweep.sweep/v1' as const,
      id: 's1',
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:04.000Z',
      interfaces: [],
      devices: [hikvision(), hikvision('10.66.0.12', '4c:11:bf:22:28:0c'), printer()],
      errors: [{ code: 'X', message: 'x' }, { code: 'Y', message: 'y' }],
    };
    m.sweepDone(result, 4200, 1_700_000_004_200);
    m.sweepDone(null, 100, 1_700_000_010_000);
    m.events.inc({ type: 'restricted-new' }, 2);
    m.deliveryDone({ attempts: 3, delivered: 2, devicesDelivered: 2, retried: 1, split: 0, deadLettered: 0, pending: 0, dead: 0, stoppedBy: 'empty' });
    pending = 0;
    f = parsePrometheus(m.render());
    expect(valueOf(f, 'camsweep_sweeps_total', { outcome: 'ok' })).toBe(1);
    expect(valueOf(f, 'camsweep_sweeps_total', { outcome: 'failed' })).toBe(1);
    expect(valueOf(f, 'camsweep_sweep_duration_seconds_count')).toBe(2);
    expect(valueOf(f, 'camsweep_sweep_duration_seconds_sum')).toBeCloseTo(4.3);
    expect(valueOf(f, 'camsweep_sweep_duration_seconds_bucket', { le: '5' })).toBe(2);
    expect(valueOf(f, 'camsweep_sweep_duration_seconds_bucket', { le: '0.5' })).toBe(1);
    expect(valueOf(f, 'camsweep_devices', { status: 'restricted' })).toBe(2);
    expect(valueOf(f, 'camsweep_devices', { status: 'clear' })).toBe(1);
    expect(valueOf(f, 'camsweep_devices', { status: 'review' })).toBe(0);
    expect(valueOf(f, 'camsweep_sweep_problems_total')).toBe(2);
    expect(valueOf(f, 'camsweep_last_success_timestamp_seconds')).toBe(1_700_000_004.2);
    expect(valueOf(f, 'camsweep_last_sweep_timestamp_seconds')).toBe(1_700_000_010);
    expect(valueOf(f, 'camsweep_events_total', { type: 'restricted-new' })).toBe(2);
    expect(valueOf(f, 'camsweep_report_attempts_total')).toBe(3);
    expect(valueOf(f, 'camsweep_reports_delivered_total')).toBe(2);
    expect(valueOf(f, 'camsweep_outbox_pending')).toBe(0);
  });
});
