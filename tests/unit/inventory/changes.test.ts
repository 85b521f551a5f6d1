import { describe, expect, it } from 'vitest';
import { CHANGE_ORDER, computeChanges, countChanges, covers, departureChange, type ChangeInput } from '../../../src/inventory/changes.ts';
import { carryForward, verdictLabel } from '../../../src/inventory/snapshot.ts';
import { snapshot, sweep } from './sample.ts';

const SWEEP = { id: 'sweep-2', at: '2026-11-26T10:00:03.000Z', interfaces: ['eth0'] };

const run = (input: Partial<ChangeInput>) => computeChanges({ sweep: SWEEP, found: [], missing: [], ...input });

describe('departures', () => {
  it('a goodbye from a present device is device-leaving; from one leaving or gone, nothing', () => {
    const input = { id: 'bye-1', at: SWEEP.at, deviceId: 'a' };
    expect(departureChange({ ...input, known: { snapshot: snapshot(), present: true } })).toEqual({
      type: 'device-leaving',
      deviceId: 'a',
      sweepId: 'bye-1',
      at: SWEEP.at,
      device: expect.objectContaining({ ip: '10.66.0.11' }),
    });
    expect(departureChange({ ...input, known: { snapshot: snapshot(), present: true, leaving: true } })).toBeUndefined();
    expect(departureChange({ ...input, known: { snapshot: snapshot(), present: false } })).toBeUndefined();
  });

  it('a device leaving and found again is back; missed by a covering sweep, gone', () => {
    const leaving = { snapshot: snapshot(), present: true, leaving: true };
    expect(run({ found: [{ id: 'a', snapshot: snapshot(), known: leaving }] }).map((e) => e.type)).toEqual(['device-back']);
    expect(run({ missing: [{ id: 'a', known: leaving }] }).map((e) => e.type)).toEqual(['device-gone']);
    expect(computeChanges({ sweep: { ...SWEEP, interfaces: ['eth1'] }, found: [], missing: [{ id: 'a', known: leaving }] })).toEqual([]);
  });
});

describe('computeChanges', () => {
  it('a device never seen before is device-new; a restricted one is restricted-new instead', () => {
    const events = run({
      found: [
        { id: 'a', snapshot: snapshot({ ip: '10.66.0.20' }) },
        { id: 'b', snapshot: snapshot({ ip: '10.66.0.21', status: 'restricted', pack: 'us-ndaa-889', rule: 'hikvision' }) },
      ],
    });
    expect(events.map((e) => [e.type, e.deviceId])).toEqual([
      ['restricted-new', 'b'],
      ['device-new', 'a'],
    ]);
    expect(events[0]).toEqual({
      type: 'restricted-new',
      deviceId: 'b',
      sweepId: 'sweep-2',
      at: SWEEP.at,
      device: { ip: '10.66.0.21', mac: '44:19:b6:21:42:0b', manufacturer: 'Hikvision', brand: 'HIKVISION', model: 'DS-2CD2142FWD-I', kind: 'camera', status: 'restricted' },
    });
    expect(events[0]).not.toHaveProperty('before');
  });

  it('a known device found again unchanged brings nothing', () => {
    expect(run({ found: [{ id: 'a', snapshot: snapshot(), known: { snapshot: snapshot(), present: true } }] })).toEqual([]);
  });

  it('reports an IP change with the value before and after', () => {
    const events = run({ found: [{ id: 'a', snapshot: snapshot({ ip: '10.66.0.99' }), known: { snapshot: snapshot(), present: true } }] });
    expect(events).toEqual([expect.objectContaining({ type: 'ip-changed', deviceId: 'a', before: '10.66.0.11', after: '10.66.0.99', device: expect.objectContaining({ ip: '10.66.0.99' }) })]);
  });

  it('reports firmware and model changes between two known values only', () => {
    const known = { snapshot: snapshot(), present: true };
    const changed = run({ found: [{ id: 'a', snapshot: snapshot({ firmware: 'V5.5.0 build 180111', model: 'DS-2CD2143G0-I' }), known }] });
    expect(changed.map((e) => [e.type, e.before, e.after])).toEqual([
      ['firmware-changed', 'V5.4.5 build 170124', 'V5.5.0 build 180111'],
      ['model-changed', 'DS-2CD2142FWD-I', 'DS-2CD2143G0-I'],
    ]);
    // This sweep did not learn them (the device service timed out): not a change.
    expect(run({ found: [{ id: 'a', snapshot: snapshot({ firmware: null, model: null }), known }] })).toEqual([]);
    // Learnt for the first time: not a change either.
    expect(run({ found: [{ id: 'a', snapshot: snapshot(), known: { snapshot: snapshot({ firmware: null, model: null }), present: true } }] })).toEqual([]);
  });

  it('reports a verdict change of status, and of the rule behind the same status', () => {
    const review = { snapshot: snapshot(), present: true };
    const restricted = snapshot({ status: 'restricted', pack: 'us-ndaa-889', rule: 'hikvision' });
    expect(run({ found: [{ id: 'a', snapshot: restricted, known: review }] })).toEqual([
      expect.objectContaining({ type: 'verdict-changed', before: 'review', after: 'restricted (us-ndaa-889/hikvision)' }),
    ]);
    const otherRule = snapshot({ status: 'restricted', pack: 'uk-2022-sensitive-sites', rule: 'hikvision' });
    expect(run({ found: [{ id: 'a', snapshot: otherRule, known: { snapshot: restricted, present: true } }] })).toEqual([
      expect.objectContaining({ type: 'verdict-changed', before: 'restricted (us-ndaa-889/hikvision)', after: 'restricted (uk-2022-sensitive-sites/hikvision)' }),
    ]);
  });

  it('a device present before and missing now is gone, as last seen', () => {
    const last = snapshot({ ip: '10.66.0.30', status: 'restricted', pack: 'us-ndaa-889', rule: 'hikvision' });
    expect(run({ missing: [{ id: 'g', known: { snapshot: last, present: true } }] })).toEqual([
      { type: 'device-gone', deviceId: 'g', sweepId: 'sweep-2', at: SWEEP.at, device: expect.objectContaining({ ip: '10.66.0.30', status: 'restricted' }) },
    ]);
  });

  it('is not gone twice, nor gone from a sweep that did not look where it was', () => {
    expect(run({ missing: [{ id: 'g', known: { snapshot: snapshot(), present: false } }] })).toEqual([]);
    expect(run({ missing: [{ id: 'g', known: { snapshot: snapshot({ interfaces: ['eth1'] }), present: true } }] })).toEqual([]);
    // Interface unknown: any sweep covers it.
    expect(run({ missing: [{ id: 'g', known: { snapshot: snapshot({ interfaces: [] }), present: true } }] })).toHaveLength(1);
  });

  it('a device absent and found again is back, with what changed meanwhile', () => {
    const events = run({ found: [{ id: 'a', snapshot: snapshot({ ip: '10.66.0.12' }), known: { snapshot: snapshot(), present: false } }] });
    expect(events.map((e) => e.type)).toEqual(['device-back', 'ip-changed']);
  });

  it('orders by type, then IP numerically, then id', () => {
    const events = run({
      found: [
        { id: 'n2', snapshot: snapshot({ ip: '10.66.0.10' }) },
        { id: 'n1', snapshot: snapshot({ ip: '10.66.0.9' }) },
        { id: 'r1', snapshot: snapshot({ ip: '10.66.0.200', status: 'restricted' }) },
        { id: 'v1', snapshot: snapshot({ ip: '10.66.0.5', status: 'clear' }), known: { snapshot: snapshot({ ip: '10.66.0.5' }), present: true } },
        { id: 'b1', snapshot: snapshot({ ip: '10.66.0.7' }), known: { snapshot: snapshot({ ip: '10.66.0.7' }), present: false } },
        { id: 'n0', snapshot: snapshot({ ip: '10.66.0.9' }) },
      ],
      missing: [{ id: 'g1', known: { snapshot: snapshot({ ip: '10.66.0.1' }), present: true } }],
    });
    expect(events.map((e) => `${e.type} ${e.device.ip} ${e.deviceId}`)).toEqual([
      'restricted-new 10.66.0.200 r1',
      'device-new 10.66.0.9 n0',
      'device-new 10.66.0.9 n1',
      'device-new 10.66.0.10 n2',
      'device-back 10.66.0.7 b1',
      'device-gone 10.66.0.1 g1',
      'verdict-changed 10.66.0.5 v1',
    ]);
    expect(new Set(events.map((e) => e.type)).size).toBeLessThanOrEqual(CHANGE_ORDER.length);
  });

  it('gives the same events whatever order the devices come in', () => {
    const found = [
      { id: 'a', snapshot: snapshot({ ip: '10.0.0.3' }) },
      { id: 'b', snapshot: snapshot({ ip: '10.0.0.2', firmware: 'x' }), known: { snapshot: snapshot({ ip: '10.0.0.2' }), present: true } },
      { id: 'c', snapshot: snapshot({ ip: '10.0.0.1' }) },
    ];
    expect(run({ found: [...found].reverse() })).toEqual(run({ found }));
  });
});

describe('covers', () => {
  it.each([
    [['eth0'], ['eth0'], true],
    [['eth0', 'eth1'], ['eth1'], true],
    [['eth1'], ['eth0'], false],
    [[], ['eth0'], false],
    [['eth0'], [], true],
  ] as const)('sweep %j, device %j -> %s', (sweep, dev, expected) => {
    expect(covers(sweep, dev)).toBe(expected);
  });
});

describe('snapshot helpers', () => {
  it('carries the MAC, model and firmware forward when a sweep did not learn them, never the verdict', () => {
    const before = snapshot({ status: 'restricted', pack: 'p', rule: 'r' });
    const now = snapshot({ mac: null, model: null, firmware: null, status: 'review' });
    expect(carryForward(now, before)).toEqual({ ...now, mac: before.mac, model: before.model, firmware: before.firmware });
    expect(carryForward(now, undefined)).toBe(now);
  });

  it('labels a verdict with its pack and rule', () => {
    expect(verdictLabel({ status: 'clear', pack: null, rule: null })).toBe('clear');
    expect(verdictLabel({ status: 'restricted', pack: 'us-ndaa-889', rule: 'dahua' })).toBe('restricted (us-ndaa-889/dahua)');
  });
});

describe('countChanges', () => {
  it('counts events by type', () => {
    const s = sweep([], '2026-11-26T10:00:00Z');
    const e = (type: 'device-new' | 'ip-changed') => ({ type, deviceId: 'x', sweepId: s.id, at: s.finishedAt, device: { ip: '1.2.3.4', mac: null, manufacturer: null, brand: null, model: null, kind: 'other' as const, status: 'clear' as const } });
    expect(countChanges([e('device-new'), e('ip-changed'), e('device-new')])).toEqual({ 'device-new': 2, 'ip-changed': 1 });
    expect(countChanges([])).toEqual({});
  });
});
