import { describe, expect, it } from 'vitest';
import { matchesFilter, parseNetwork, parseSince } from '../../../src/inventory/filter.ts';
import type { InventoryDevice } from '../../../src/inventory/types.ts';
import { device } from './sample.ts';

const item = (over: Parameters<typeof device>[0] = {}, lastSeen = '2026-11-20T10:00:00.000Z'): InventoryDevice => ({
  id: 'abcdef012345',
  firstSeen: '2026-11-01T10:00:00.000Z',
  lastSeen,
  sweeps: 3,
  present: true,
  latest: device(over),
  verdicts: [],
});

const amcrest = item({ manufacturer: 'Dahua', brand: 'Amcrest', status: 'restricted', ip: '192.168.1.108', addresses: ['192.168.1.108', '10.0.0.7'], interfaces: ['eth1'] });
const printer = item({ manufacturer: 'Epson', brand: 'EPSON', kind: 'printer', status: 'clear', ip: '10.66.0.40' }, '2026-11-26T09:00:00.000Z');

describe('matchesFilter', () => {
  it('keeps everything without criteria', () => {
    expect([amcrest, printer].filter((d) => matchesFilter(d, {}))).toHaveLength(2);
  });

  it.each([
    [{ status: ['restricted' as const] }, [true, false]],
    [{ status: ['clear' as const, 'review' as const] }, [false, true]],
    [{ status: [] }, [true, true]],
    [{ kind: ['printer' as const] }, [false, true]],
    [{ kind: ['camera' as const, 'recorder' as const] }, [true, false]],
    [{ manufacturer: 'dahua' }, [true, false]],
    [{ manufacturer: 'AMCREST' }, [true, false]],
    [{ manufacturer: 'Dah' }, [false, false]],
    [{ seenSince: '2026-11-26T09:00:00.000Z' }, [false, true]],
    [{ seenSince: '2026-11-20T10:00:00Z' }, [true, true]],
    [{ network: 'eth1' }, [true, false]],
    [{ network: '10.66.0.0/24' }, [false, true]],
    [{ network: '10.0.0.7' }, [true, false]],
    [{ network: '192.168.0.0/16' }, [true, false]],
    [{ status: ['restricted' as const], network: 'eth0' }, [false, false]],
  ])('%j', (filter, expected) => {
    expect([amcrest, printer].map((d) => matchesFilter(d, filter))).toEqual(expected);
  });

  it('refuses a filter it cannot read', () => {
    expect(() => matchesFilter(amcrest, { seenSince: 'yesterday' })).toThrow(expect.objectContaining({ code: 'INVENTORY_FILTER' }));
    expect(() => matchesFilter(amcrest, { network: '10.0.0.0/40' })).toThrow(expect.objectContaining({ code: 'INVENTORY_FILTER' }));
  });
});

describe('parseSince', () => {
  const now = new Date('2026-11-26T12:00:00.000Z');
  it.each([
    ['7d', '2026-11-19T12:00:00.000Z'],
    ['24h', '2026-11-25T12:00:00.000Z'],
    ['30m', '2026-11-26T11:30:00.000Z'],
    ['90s', '2026-11-26T11:58:30.000Z'],
    ['2w', '2026-11-12T12:00:00.000Z'],
    ['2026-11-20', '2026-11-20T00:00:00.000Z'],
    ['2026-11-20T10:00:00Z', '2026-11-20T10:00:00.000Z'],
    ['2026-11-20T10:00:00+01:00', '2026-11-20T09:00:00.000Z'],
  ])('%s -> %s', (text, iso) => {
    expect(parseSince(text, now)).toBe(iso);
  });

  it.each(['yesterday', '7', 'd7', '-7d', '2026-13-40', '', '7 days'])('%j is not a time', (text) => {
    expect(parseSince(text, now)).toBeUndefined();
  });
});

describe('parseNetwork', () => {
  it('reads a CIDR, an address, or an interface name', () => {
    expect(parseNetwork('10.0.0.0/24')).toMatchObject({ kind: 'cidr', cidr: { prefix: 24 } });
    expect(parseNetwork('10.0.0.7')).toMatchObject({ kind: 'cidr', cidr: { prefix: 32 } });
    expect(parseNetwork('eth0')).toEqual({ kind: 'interface', name: 'eth0' });
    expect(parseNetwork('enp0s31f6.100')).toEqual({ kind: 'interface', name: 'enp0s31f6.100' });
    for (const bad of ['10.0.0.0/33', '300.1.1.1', 'eth 0', '', 'a/b']) expect(parseNetwork(bad)).toBeUndefined();
  });
});
