import { describe, expect, it } from 'vitest';
import { applyObservation, centralDeviceId, effectiveStatus, identifierPairs, keysOf } from '../../../src/central/device-state.ts';
import { redactUrl } from '../../../src/central/store/postgres.ts';
import { storeLocation } from '../../../src/central/store/open.ts';
import { device, received } from './helpers.ts';

const obs = (over: Partial<Parameters<typeof applyObservation>[4]> = {}) => ({
  site: 'HQ',
  agent: 'agent-01',
  sweep: 'sw-1',
  observedAt: '2026-11-26T10:00:00.000Z',
  receivedAt: '2026-11-26T10:00:05.000Z',
  today: '2026-11-26',
  ...over,
});

describe('device state', () => {
  const [d] = received({ devices: [device()] }).devices;

  it('identifies by MAC, EPR, UDN, serial, IP (placeholders ignored), ids scoped by site', () => {
    const k = keysOf(d!);
    expect(k).toMatchObject({ mac: '44:19:b6:21:42:0b', epr: 'urn:uuid:11111111-2222-3333-4444-555555555555', ip: '10.66.0.11' });
    expect(identifierPairs(k).map((p) => p.kind)).toEqual(['mac', 'epr', 'serial', 'ip']);
    expect(keysOf({ ...d!, serial: 'unknown', identifiers: {} }).serial).toBeNull();
    expect(centralDeviceId('HQ', k)).toMatch(/^[0-9a-f]{16}$/u);
    expect(centralDeviceId('HQ', k)).not.toBe(centralDeviceId('Annex', k));
    expect(centralDeviceId('HQ', k, 1)).not.toBe(centralDeviceId('HQ', k));
  });

  it('an exception holds until its date; false positive and replaced override the verdict', () => {
    expect(effectiveStatus('restricted', { state: 'exception', until: '2026-12-01' }, '2026-11-30')).toBe('exception');
    expect(effectiveStatus('restricted', { state: 'exception', until: '2026-12-01' }, '2026-12-01')).toBe('restricted');
    expect(effectiveStatus('restricted', { state: 'confirmed', until: null }, '2026-12-01')).toBe('restricted');
    expect(effectiveStatus('restricted', { state: 'false-positive', until: null }, '2026-12-01')).toBe('false-positive');
    expect(effectiveStatus('clear', { state: null, until: null }, '2026-12-01')).toBe('clear');
  });

  it('a new restricted device is forwarded once; a later, older observation never rolls the state back', () => {
    const first = applyObservation('id1', undefined, d!, keysOf(d!), obs(), '{}');
    expect(first.forward).toEqual([{ key: 'restricted-new:id1', type: 'restricted-new' }]);
    expect(first.history).toEqual([{ change: 'first-seen', before: null, after: 'restricted' }]);
    const moved = applyObservation('id1', first.row, { ...d!, ip: '10.0.0.9', firmware: 'V6' }, keysOf(d!), obs({ observedAt: '2026-11-26T11:00:00.000Z', sweep: 'sw-2' }), '{}');
    expect(moved.row).toMatchObject({ ip: '10.0.0.9', firmware: 'V6', firstSeen: '2026-11-26T10:00:00.000Z', lastSeen: '2026-11-26T11:00:00.000Z' });
    expect(moved.history.map((h) => h.change).sort()).toEqual(['firmware-changed', 'ip-changed']);
    expect(moved.forward.map((f) => f.type)).toEqual(['device-changed', 'device-changed']);
    const late = applyObservation('id1', moved.row, { ...d!, ip: '10.0.0.1' }, keysOf(d!), obs({ observedAt: '2026-11-26T09:00:00.000Z' }), '{}');
    expect(late.row).toMatchObject({ ip: '10.0.0.9', firstSeen: '2026-11-26T09:00:00.000Z', lastSeen: '2026-11-26T11:00:00.000Z' });
    expect(late.history).toEqual([]);
  });

  it('a device marked replaced that reports again is back to its verdict', () => {
    const first = applyObservation('id1', undefined, d!, keysOf(d!), obs(), '{}');
    const replaced = { ...first.row, status: 'replaced' as const, reviewState: 'replaced' as const, reviewAt: '2026-11-26T10:30:00.000Z', reviewBy: 'rita' };
    const again = applyObservation('id1', replaced, d!, keysOf(d!), obs({ observedAt: '2026-11-26T12:00:00.000Z' }), '{}');
    expect(again.row).toMatchObject({ status: 'restricted', reviewState: null });
    expect(again.history.map((h) => h.change)).toContain('seen-after-replaced');
  });
});

describe('database URLs', () => {
  it('never show their password', () => {
    expect(redactUrl('postgres://cam:s3cret@db.example:5432/camsweep')).toBe('postgres://cam:redacted@db.example:5432/camsweep');
    expect(() => storeLocation({ database: 'mysql://u:hunter2@h/db', dataDir: '.' }, {})).toThrow(/^(?!.*hunter2)/u);
    expect(storeLocation({ dataDir: '/srv' }, { CAMSWEEP_CENTRAL_DATABASE: 'postgresql://u@h/db' })).toEqual({ kind: 'postgres', url: 'postgresql://u@h/db' });
  });
});
