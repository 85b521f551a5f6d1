import { describe, expect, it } from 'vitest';
import { identityKey, identityOf, matchDevices, newDeviceId, usableId, withoutShared, type IdentityKeys, type KnownIdentity } from '../../../src/inventory/identity.ts';
import { device } from './sample.ts';

const keys = (over: Partial<IdentityKeys> = {}): IdentityKeys => ({ mac: null, epr: null, udn: null, serial: null, ip: '10.0.0.1', ...over });
const known = (id: string, over: Partial<KnownIdentity> = {}): KnownIdentity => ({ id, lastSeen: '2026-11-20T00:00:00.000Z', ...keys(over), ...over });

describe('identityOf', () => {
  it('takes the MAC, EPR, UDN and serial (identifier or device field), normalised', () => {
    const d = device({
      mac: '9C:8E:CD:0A:1B:2C',
      serial: 'AMC094B09882D5F152',
      identifiers: { epr: 'urn:uuid:6D2B3F4E-9C8E-4CD0-A1B2-9C8ECD0A1B2C', udn: 'uuid:abcd-1234' },
    });
    expect(identityOf(d)).toEqual({
      mac: '9c:8e:cd:0a:1b:2c',
      epr: 'urn:uuid:6d2b3f4e-9c8e-4cd0-a1b2-9c8ecd0a1b2c',
      udn: 'uuid:abcd-1234',
      serial: 'amc094b09882d5f152',
      ip: '10.66.0.11',
    });
  });

  it('ignores placeholders', () => {
    for (const v of ['urn:uuid:00000000-0000-0000-0000-000000000000', 'uuid:ffffffff-ffff-ffff-ffff-ffffffffffff', 'unknown', 'N/A', '0', '123456789', '   ', '']) {
      expect(usableId(v)).toBeNull();
    }
    expect(usableId(undefined)).toBeNull();
    expect(usableId('DS-2CD2142FWD-I20170314AAWR')).toBe('ds-2cd2142fwd-i20170314aawr');
  });
});

describe('matchDevices', () => {
  it('keeps a device that changed IP but kept its MAC', () => {
    expect(matchDevices([keys({ mac: 'aa:bb:cc:00:00:01', ip: '10.0.0.9' })], [known('d1', { mac: 'aa:bb:cc:00:00:01', ip: '10.0.0.1' })])).toEqual(['d1']);
  });

  it('keeps a device known only by its EPR across an IP change', () => {
    const epr = 'urn:uuid:6d2b3f4e-9c8e-4cd0-a1b2-9c8ecd0a1b2c';
    expect(matchDevices([keys({ epr, ip: '10.0.0.9' })], [known('d1', { epr, ip: '10.0.0.1' })])).toEqual(['d1']);
  });

  it('falls back to the UDN, then the serial, then the IP', () => {
    const k = [known('u', { udn: 'uuid:1234-5678', ip: '10.0.0.50' }), known('s', { serial: 'sn-12345', ip: '10.0.0.51' }), known('i', { ip: '10.0.0.52' })];
    expect(matchDevices([keys({ udn: 'uuid:1234-5678', ip: '10.0.0.1' }), keys({ serial: 'sn-12345', ip: '10.0.0.2' }), keys({ ip: '10.0.0.52' })], k)).toEqual(['u', 's', 'i']);
  });

  it('a new MAC at a known IP is another device; a missing MAC at a known IP is the same one', () => {
    const k = [known('d1', { mac: 'aa:bb:cc:00:00:01', ip: '10.0.0.5' })];
    expect(matchDevices([keys({ mac: 'aa:bb:cc:00:00:02', ip: '10.0.0.5' })], k)).toEqual([undefined]);
    expect(matchDevices([keys({ ip: '10.0.0.5' })], k)).toEqual(['d1']);
  });

  it('refuses an EPR match when both MACs are known and differ, but a MAC match survives a new EPR', () => {
    const k = [known('d1', { mac: 'aa:bb:cc:00:00:01', epr: 'urn:uuid:1111-2222-3333', ip: '10.0.0.5' })];
    expect(matchDevices([keys({ mac: 'aa:bb:cc:00:00:09', epr: 'urn:uuid:1111-2222-3333', ip: '10.0.0.6' })], k)).toEqual([undefined]);
    // A factory reset gave it a new UUID: the MAC still says who it is.
    expect(matchDevices([keys({ mac: 'aa:bb:cc:00:00:01', epr: 'urn:uuid:4444-5555-6666', ip: '10.0.0.6' })], k)).toEqual(['d1']);
  });

  it('ignores an identifier two devices of one sweep share (cloned firmware UUID)', () => {
    const epr = 'urn:uuid:cafe-babe-0001';
    const swept = [keys({ epr, ip: '10.0.0.20' }), keys({ epr, ip: '10.0.0.21' })];
    expect(withoutShared(swept).map((k) => k.epr)).toEqual([null, null]);
    // Each is then known by its own IP, not swapped by the shared UUID.
    const k = [known('x', { epr, ip: '10.0.0.21', lastSeen: '2026-11-25T00:00:00Z' }), known('y', { epr, ip: '10.0.0.20', lastSeen: '2026-11-24T00:00:00Z' })];
    expect(matchDevices(swept, k)).toEqual(['y', 'x']);
  });

  it('takes each known device once, preferring the same IP, then the one seen last', () => {
    const serial = 'sn-77777';
    const k = [
      known('old', { serial, ip: '10.0.0.7', lastSeen: '2026-01-01T00:00:00Z' }),
      known('recent', { serial, ip: '10.0.0.8', lastSeen: '2026-11-01T00:00:00Z' }),
    ];
    expect(matchDevices([keys({ serial, ip: '10.0.0.9' })], k)).toEqual(['recent']);
    expect(matchDevices([keys({ serial, ip: '10.0.0.7' })], k)).toEqual(['old']);
    // Two swept devices at the IP of one known device: the first takes it.
    expect(matchDevices([keys({ mac: 'aa:bb:cc:00:00:01', ip: '10.0.0.7' }), keys({ ip: '10.0.0.7' })], [known('d', { ip: '10.0.0.7' })])).toEqual(['d', undefined]);
  });

  it('stronger identifiers win across the whole sweep before weaker ones are tried', () => {
    // Device X kept its MAC and moved to .7; device Y (no MAC) now sits on X's old .5.
    const k = [known('X', { mac: 'aa:bb:cc:00:00:01', ip: '10.0.0.5' }), known('Y', { ip: '10.0.0.7' })];
    const swept = [keys({ ip: '10.0.0.5' }), keys({ mac: 'aa:bb:cc:00:00:01', ip: '10.0.0.7' })];
    expect(matchDevices(swept, k)).toEqual([undefined, 'X']);
  });
});

describe('new device ids', () => {
  it('are 12 hex digits from the strongest identifier, salted when taken', () => {
    expect(identityKey(keys({ mac: 'aa:bb:cc:00:00:01', epr: 'urn:uuid:1' }))).toBe('mac:aa:bb:cc:00:00:01');
    expect(identityKey(keys({ serial: 'sn-1' }))).toBe('serial:sn-1');
    expect(identityKey(keys())).toBe('ip:10.0.0.1');
    const id = newDeviceId('mac:aa:bb:cc:00:00:01', () => false, 's1');
    expect(id).toMatch(/^[0-9a-f]{12}$/u);
    expect(newDeviceId('mac:aa:bb:cc:00:00:01', () => false, 's2')).toBe(id);
    const other = newDeviceId('mac:aa:bb:cc:00:00:01', (x) => x === id, 's1');
    expect(other).not.toBe(id);
    expect(other).toMatch(/^[0-9a-f]{12}$/u);
  });
});
