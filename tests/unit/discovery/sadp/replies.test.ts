import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { NetInterface } from '../../../../src/discovery/interfaces.ts';
import { createSadpReplyHandler } from '../../../../src/discovery/sadp/replies.ts';
import type { Observation, SweepError } from '../../../../src/domain/types.ts';
import { silentLogger } from '../../../../src/util/log.ts';

const VIRTUAL = readFileSync(new URL('../../../fixtures/sadp/hikvision.virtual.ProbeMatch.xml', import.meta.url), 'utf8');
const CUT = readFileSync(new URL('../../../fixtures/sadp/hikvision.ds-2cd5a26fwd-iz.ProbeMatch-cut.xml', import.meta.url), 'utf8');
const OURS = ['0A6DC791-2BE6-4991-9AF1-454778A1917A', '5E1D0C2B-0000-4000-8000-000000000002'];
const IFACE: NetInterface = { name: 'eth0', address: '192.168.1.10', netmask: '255.255.255.0', prefix: 24, mac: null };

const reply = (uuid: string | undefined, text = VIRTUAL): Buffer =>
  Buffer.from(uuid === undefined ? text.replace(/<Uuid>[^<]*<\/Uuid>/u, '') : text.replace(/<Uuid>[^<]*<\/Uuid>/u, `<Uuid>${uuid}</Uuid>`));

function setup(): { on: (msg: Buffer, ip: string, via: 'unicast' | 'group') => void; observations: Observation[]; errors: SweepError[]; stats: () => object } {
  const observations: Observation[] = [];
  const errors: SweepError[] = [];
  const handler = createSadpReplyHandler({
    sent: new Set(OURS),
    iface: IFACE,
    emit: (o) => observations.push(o),
    error: (e) => errors.push(e),
    log: silentLogger(),
  });
  return { on: (msg, ip, via) => handler.onMessage(msg, ip, via), observations, errors, stats: () => ({ ...handler.stats }) };
}

describe('SADP reply rules', () => {
  it('takes a direct reply echoing our Uuid (any case) and records one echoing a stranger\'s as a mismatch', () => {
    const t = setup();
    t.on(reply(OURS[0]!.toLowerCase()), '192.168.1.64', 'unicast');
    t.on(reply('FFFFFFFF-0000-4000-8000-000000000000'), '192.168.1.65', 'unicast');
    t.on(reply(undefined), '192.168.1.66', 'unicast');
    expect(t.observations.map((o) => [o.ip, o.interface])).toEqual([
      ['192.168.1.64', 'eth0'],
      ['192.168.1.66', 'eth0'],
    ]);
    expect(t.errors).toEqual([
      { protocol: 'sadp', interface: 'eth0', ip: '192.168.1.65', code: 'SADP_UUID_MISMATCH', message: 'reply echoes a Uuid we never sent' },
    ]);
  });

  it('on the group: takes our answers from anywhere (a factory-default 192.0.0.64 too), ignores answers to other tools, and Uuid-less replies from off the subnet', () => {
    const t = setup();
    t.on(reply(OURS[1]), '192.0.0.64', 'group');
    t.on(reply('FFFFFFFF-0000-4000-8000-000000000000'), '192.168.1.65', 'group');
    t.on(reply(undefined), '192.168.1.66', 'group');
    t.on(reply(undefined), '10.1.2.3', 'group');
    expect(t.observations.map((o) => o.ip)).toEqual(['192.0.0.64', '192.168.1.66']);
    expect(t.errors).toEqual([]);
    expect(t.stats()).toMatchObject({ received: 4, emitted: 2, foreign: 1, offSubnet: 1 });
  });

  it('ignores inquiries (ours coming back by broadcast) and records junk only from this interface\'s subnet', () => {
    const t = setup();
    const inquiry = Buffer.from(`<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>${OURS[0]}</Uuid><Types>inquiry</Types></Probe>`);
    t.on(inquiry, '192.168.1.10', 'group');
    t.on(Buffer.from([0, 1, 2, 0xff]), '192.168.1.70', 'group');
    t.on(Buffer.from([0, 1, 2, 0xff]), '10.9.9.9', 'group');
    t.on(Buffer.from('<!DOCTYPE x [<!ENTITY a "b">]><ProbeMatch/>'), '192.168.1.71', 'unicast');
    expect(t.observations).toEqual([]);
    expect(t.errors.map((e) => [e.ip, e.code])).toEqual([
      ['192.168.1.70', 'SADP_INVALID'],
      ['192.168.1.71', 'SADP_INVALID'],
    ]);
    expect(t.stats()).toMatchObject({ probes: 1, invalid: 2, offSubnet: 1 });
  });

  it('makes one observation of the same answer to each of our inquiries, and keeps a reply with other content', () => {
    const t = setup();
    for (const id of OURS) t.on(reply(id), '192.168.1.64', 'group');
    t.on(reply(OURS[0]), '192.168.1.64', 'unicast');
    t.on(reply(OURS[0], VIRTUAL.replace('<Activated>true', '<Activated>false')), '192.168.1.64', 'group');
    expect(t.observations).toHaveLength(2);
    expect(t.stats()).toMatchObject({ duplicates: 2, emitted: 2 });
  });

  it('emits a cut reply and says it was read leniently', () => {
    const t = setup();
    t.on(reply(OURS[0], CUT), '192.168.1.64', 'group');
    expect(t.observations[0]?.identifiers).toEqual({ serial: 'DS-2CD5A26FWD-IZ20160518AACH604074182' });
    expect(t.errors.map((e) => e.code)).toEqual(['SADP_MALFORMED']);
  });

  it('records at most 4 errors per host, and a bad datagram never loses a good one', () => {
    const t = setup();
    for (let i = 0; i < 50; i += 1) t.on(Buffer.from(`junk ${i}`), '192.168.1.99', 'unicast');
    t.on(reply(OURS[0]), '192.168.1.64', 'unicast');
    expect(t.errors).toHaveLength(4);
    expect(t.observations.map((o) => o.ip)).toEqual(['192.168.1.64']);
  });
});
