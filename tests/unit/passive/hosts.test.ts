import { describe, expect, it } from 'vitest';
import type { Evidence } from '../../../src/domain/types.ts';
import { createHostTable, sameIdentity } from '../../../src/passive/hosts.ts';
import { marksOf } from '../../../src/passive/marks.ts';
import { device } from '../inventory/sample.ts';

const ev = (field: string, value: string): Evidence => ({ protocol: 'wsd', field, value });
const hello = (version: string, epr = 'urn:uuid:cam-1') => marksOf([ev('wsd.epr', epr), ev('wsd.metadataVersion', version)]);

describe('createHostTable', () => {
  it('identifies a new host, not a known one saying the same, and again when its identity changed', () => {
    const hosts = createHostTable({ maxHosts: 10 });
    expect(hosts.alive('10.66.0.11', hello('1'))).toEqual({ identify: true, reason: 'new' });
    hosts.identified('10.66.0.11', hello('1'), ['epr:urn:uuid:cam-1']);
    expect(hosts.alive('10.66.0.11', hello('1'))).toEqual({ identify: false });
    expect(hosts.alive('10.66.0.11', hello('2'))).toEqual({ identify: true, reason: 'changed', mark: { mark: 'metadataVersion', value: '2' } });
    expect(hosts.alive('10.66.0.11', hello('1', 'urn:uuid:other'))).toMatchObject({ identify: true, reason: 'changed', mark: { mark: 'epr' } });
  });

  it('a goodbye from a known host is a departure once; heard alive after it, the host is back', () => {
    const hosts = createHostTable({ maxHosts: 10 });
    expect(hosts.bye('10.66.0.11', ['epr:urn:uuid:cam-1'])).toBe(false);
    hosts.identified('10.66.0.11', hello('1'), ['epr:urn:uuid:cam-1']);
    // A goodbye naming another EPR (another service on that address, or a forgery) is not its departure.
    expect(hosts.bye('10.66.0.11', ['epr:urn:uuid:other'])).toBe(false);
    // A kind the host is not known by contradicts nothing.
    expect(hosts.bye('10.66.0.11', ['udn:uuid:root-1', 'epr:urn:uuid:cam-1'])).toBe(true);
    expect(hosts.bye('10.66.0.11', ['epr:urn:uuid:cam-1'])).toBe(false);
    expect(hosts.alive('10.66.0.11', hello('1'))).toEqual({ identify: true, reason: 'back' });
  });

  it('seeds known hosts from a sweep, forgets the others unless kept, and maps IPv6 announcements to their IPv4 host', () => {
    const hosts = createHostTable({ maxHosts: 10 });
    hosts.identified('10.66.0.50', hello('1', 'urn:uuid:gone'), []);
    hosts.identified('10.66.0.51', hello('1', 'urn:uuid:busy'), []);
    const cam = device({ ip: '10.66.0.11', addresses: ['10.66.0.11', 'fe80::4619:b6ff:fe21:420b'], identifiers: { epr: 'urn:uuid:cam-1' }, evidence: [ev('wsd.epr', 'urn:uuid:cam-1'), ev('wsd.metadataVersion', '1')] });
    hosts.seed([cam], { replace: true, keep: (k) => k === '10.66.0.51' });
    expect(hosts.known('10.66.0.11')).toBe(true);
    expect(hosts.known('10.66.0.50')).toBe(false);
    expect(hosts.known('10.66.0.51')).toBe(true);
    expect(hosts.alive('10.66.0.11', hello('1'))).toEqual({ identify: false });
    expect(hosts.resolve({ ip: 'fe80::4619:b6ff:fe21:420b', identifiers: {} })).toBe('10.66.0.11');
    expect(hosts.resolve({ ip: 'fe80::1', identifiers: { epr: 'URN:UUID:CAM-1' } })).toBe('10.66.0.11');
    expect(hosts.resolve({ ip: 'fe80::2', identifiers: { epr: 'urn:uuid:nobody' } })).toBe('fe80::2');
    expect(hosts.resolve({ ip: '10.66.0.99', identifiers: { epr: 'urn:uuid:cam-1' } })).toBe('10.66.0.99');
    // A goodbye's host is its source's: an IPv6 address only by what a sweep saw, never by an identifier it claims.
    expect(hosts.source('fe80::4619:b6ff:fe21:420b')).toBe('10.66.0.11');
    expect(hosts.source('fe80::1')).toBe('fe80::1');
    expect(hosts.source('10.66.0.99')).toBe('10.66.0.99');
  });

  it('sameIdentity: what a message names may be the host unless, for a kind it names, the host is known by others only', () => {
    const known = new Set(['epr:urn:uuid:cam-1', 'mac:44:19:b6:21:42:0b']);
    expect(sameIdentity(known, [])).toBe(true);
    expect(sameIdentity(known, ['epr:urn:uuid:cam-1'])).toBe(true);
    expect(sameIdentity(known, ['udn:uuid:anything'])).toBe(true);
    expect(sameIdentity(known, ['epr:urn:uuid:cam-2'])).toBe(false);
    expect(sameIdentity(known, ['epr:urn:uuid:cam-1', 'mac:00:11:22:33:44:55'])).toBe(false);
  });

  it('takes on at most maxHosts / 8 IPv6-only hosts, refusing more (never evicting IPv4 hosts for them) until a sweep settles them', () => {
    const hosts = createHostTable({ maxHosts: 16 });
    hosts.identified('10.66.0.11', hello('1'), ['epr:urn:uuid:cam-1']);
    expect(hosts.alive('fe80::1', hello('1', 'urn:uuid:v6-1'))).toMatchObject({ identify: true, reason: 'new' });
    expect(hosts.alive('fe80::2', hello('1', 'urn:uuid:v6-2'))).toMatchObject({ identify: true, reason: 'new' });
    for (let n = 3; n < 100; n += 1) expect(hosts.alive(`fe80::${n.toString(16)}`, hello('1', `urn:uuid:v6-${n}`))).toEqual({ identify: false, full: true });
    expect(hosts.size).toBe(3);
    expect(hosts.known('10.66.0.11')).toBe(true);
    // One it took on is still heard; an IPv4 host is still new.
    expect(hosts.alive('fe80::1', hello('1', 'urn:uuid:v6-1'))).toMatchObject({ identify: true });
    expect(hosts.alive('10.66.0.12', hello('1', 'urn:uuid:cam-2'))).toMatchObject({ identify: true, reason: 'new' });
    // A sweep forgets the IPv6-only hosts it did not find: room again.
    hosts.seed([], { replace: true });
    expect(hosts.alive('fe80::99', hello('1', 'urn:uuid:v6-99'))).toMatchObject({ identify: true, reason: 'new' });
  });

  it('keeps at most maxHosts hosts, the least recently heard dropped first', () => {
    const hosts = createHostTable({ maxHosts: 3 });
    for (let n = 0; n < 10; n += 1) hosts.alive(`10.66.0.${n}`, hello('1', `urn:uuid:${n}`));
    expect(hosts.size).toBe(3);
  });
});
