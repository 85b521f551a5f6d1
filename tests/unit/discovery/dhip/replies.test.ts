import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { NetInterface } from '../../../../src/discovery/interfaces.ts';
import { createDahuaReplyHandler } from '../../../../src/discovery/dhip/replies.ts';
import { buildDahuaV1Probe, buildDhipSearch } from '../../../../src/discovery/dhip/payloads.ts';
import type { Observation, SweepError } from '../../../../src/domain/types.ts';
import { silentLogger } from '../../../../src/util/log.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/dhip/${name}`, import.meta.url));
const IFACE: NetInterface = { name: 'eth0', address: '192.168.1.10', netmask: '255.255.255.0', prefix: 24, mac: null };

function frame(body: string): Buffer {
  const b = Buffer.from(body);
  const header = Buffer.alloc(32);
  header.writeUInt32LE(32, 0);
  header.write('DHIP', 4, 'latin1');
  header.writeUInt32LE(b.length, 16);
  header.writeUInt32LE(b.length, 24);
  return Buffer.concat([header, b]);
}

const GOOD = frame(fixture('dahua.ipc-hdw5421s.notifyDevInfo.json').toString('utf8'));
const BROKEN = fixture('dahua.virtual.notifyDevInfo.bin');
const V1 = fixture('dahua.virtual.v1-reply.bin');

function setup(): { on: (msg: Buffer, ip: string, via: 'unicast' | 'group') => void; observations: Observation[]; errors: SweepError[]; stats: () => object } {
  const observations: Observation[] = [];
  const errors: SweepError[] = [];
  const handler = createDahuaReplyHandler({ iface: IFACE, emit: (o) => observations.push(o), error: (e) => errors.push(e), log: silentLogger() });
  return { on: (msg, ip, via) => handler.onMessage(msg, ip, via), observations, errors, stats: () => ({ ...handler.stats }) };
}

describe('Dahua reply rules', () => {
  it('makes one observation per distinct reply per source, whichever socket it came in on', () => {
    const t = setup();
    for (let i = 0; i < 4; i += 1) {
      t.on(GOOD, '192.168.1.108', 'unicast');
      t.on(GOOD, '192.168.1.108', 'group');
      t.on(V1, '192.168.1.108', 'unicast');
    }
    expect(t.observations.map((o) => o.evidence.find((e) => e.field === 'dhip.variant')?.value)).toEqual(['dhip', 'v1']);
    expect(t.stats()).toMatchObject({ received: 12, emitted: 2, duplicates: 10 });
    expect(t.errors).toEqual([]);
  });

  it('counts copies of a reply already seen as duplicates, from each source and socket on its own; a broken reply is reported once', () => {
    const t = setup();
    for (let i = 0; i < 5; i += 1) {
      t.on(GOOD, '192.168.1.108', 'unicast');
      t.on(GOOD, '192.168.1.109', 'group');
      t.on(BROKEN, '192.168.1.110', 'unicast');
      t.on(GOOD, '10.1.1.108', 'group'); // off the subnet, each time
    }
    expect(t.observations.map((o) => o.ip)).toEqual(['192.168.1.108', '192.168.1.109', '192.168.1.110']);
    expect(t.stats()).toMatchObject({ received: 20, emitted: 3, duplicates: 12, offSubnet: 5 });
    expect(t.errors.map((e) => [e.ip, e.code])).toEqual([['192.168.1.110', 'DHIP_MALFORMED']]);
  });

  it('takes group replies from this interface\'s subnet only (a DHIP search carries no id to match)', () => {
    const t = setup();
    t.on(GOOD, '10.1.1.108', 'group');
    t.on(GOOD, '10.1.1.108', 'unicast');
    expect(t.observations.map((o) => o.ip)).toEqual(['10.1.1.108']);
    expect(t.stats()).toMatchObject({ offSubnet: 1 });
  });

  it('ignores searches (ours coming back by broadcast), and other methods heard on the group', () => {
    const t = setup();
    t.on(buildDhipSearch(), '192.168.1.10', 'group');
    t.on(buildDahuaV1Probe(), '192.168.1.10', 'group');
    t.on(frame('{"method":"client.notifyAlarm","params":{}}'), '192.168.1.50', 'group');
    expect(t.observations).toEqual([]);
    expect(t.errors).toEqual([]);
    expect(t.stats()).toMatchObject({ searches: 2, other: 1 });
  });

  it('records junk, bad headers and unexpected methods sent to us, and a reply read key by key', () => {
    const t = setup();
    const huge = frame('{}');
    huge.writeUInt32LE(1 << 20, 16);
    huge.writeUInt32LE(1 << 20, 24);
    t.on(Buffer.from('junk'), '192.168.1.60', 'unicast');
    t.on(huge, '192.168.1.61', 'group');
    t.on(frame('{"method":"configManager.setConfig"}'), '192.168.1.62', 'unicast');
    t.on(BROKEN, '192.168.1.63', 'unicast');
    expect(t.errors.map((e) => [e.ip, e.code])).toEqual([
      ['192.168.1.60', 'DHIP_INVALID'],
      ['192.168.1.61', 'DHIP_INVALID'],
      ['192.168.1.62', 'DHIP_INVALID'],
      ['192.168.1.63', 'DHIP_MALFORMED'],
    ]);
    expect(t.errors[1]?.message).toBe('claims a 1048576-byte body (limit 16384)');
    expect(t.observations.map((o) => [o.ip, o.identifiers?.serial])).toEqual([['192.168.1.63', '123456789']]);
  });

  it('records at most 4 errors per host, and a bad datagram never loses a good one', () => {
    const t = setup();
    for (let i = 0; i < 40; i += 1) t.on(Buffer.from([0xb3, i]), '192.168.1.99', 'unicast');
    t.on(GOOD, '192.168.1.108', 'unicast');
    expect(t.errors).toHaveLength(4);
    expect(t.observations.map((o) => o.ip)).toEqual(['192.168.1.108']);
  });
});
