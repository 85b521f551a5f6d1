import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSsdpReplyHandler } from '../../../../src/discovery/ssdp/replies.ts';
import { MAX_ERRORS_PER_SOURCE } from '../../../../src/domain/error-log.ts';
import type { Observation, SweepError } from '../../../../src/domain/types.ts';
import { silentLogger } from '../../../../src/util/log.ts';

/** A real Dahua M-SEARCH response (CRLF line ends restored), and the same with LOCATION on the replying host. */
const DAHUA = readFileSync(new URL('../../../fixtures/ssdp/dahua.unknown.ssdp-response-1.txt', import.meta.url), 'utf8').replace(/\r?\n/gu, '\r\n');

function setup(maxPerHost = 32): { on: (msg: Buffer | string, ip: string) => void; observations: Observation[]; errors: SweepError[]; stats: () => object } {
  const observations: Observation[] = [];
  const errors: SweepError[] = [];
  const handler = createSsdpReplyHandler({ iface: 'eth0', maxPerHost, emit: (o) => observations.push(o), error: (e) => errors.push(e), log: silentLogger() });
  return { on: (msg, ip) => handler.onMessage(Buffer.from(msg), ip), observations, errors, stats: () => ({ ...handler.stats }) };
}

describe('SSDP reply rules', () => {
  it('decodes a reply into an observation of its source address and interface, never of the address it names', () => {
    const t = setup();
    t.on(DAHUA, '192.168.1.20');
    t.on(DAHUA, '192.168.1.99');
    expect(t.observations.map((o) => [o.protocol, o.ip, o.interface])).toEqual([
      ['ssdp', '192.168.1.20', 'eth0'],
      ['ssdp', '192.168.1.99', 'eth0'],
    ]);
    expect(t.observations[0]!.evidence).toContainEqual({ protocol: 'ssdp', field: 'ssdp.server', value: 'Linux/3.8.8, UPnP/1.0, ZheJiang Dahua Technology CO.,LTD. Upnp SDK' });
    expect(t.observations[0]!.endpoints?.location).toBe('http://192.168.1.20:49152/upnp_device_desc.xml');
    expect(t.errors).toEqual([]);
  });

  it('keeps at most maxPerHost replies of one host', () => {
    const t = setup(3);
    for (let i = 0; i < 10; i += 1) t.on(DAHUA, '192.168.1.20');
    t.on(DAHUA, '192.168.1.21');
    expect(t.observations.map((o) => o.ip)).toEqual(['192.168.1.20', '192.168.1.20', '192.168.1.20', '192.168.1.21']);
    expect(t.stats()).toMatchObject({ received: 11, emitted: 4, capped: 7 });
  });

  it('records an undecodable reply as an error of its host, at most MAX_ERRORS_PER_SOURCE per host, and goes on', () => {
    const t = setup();
    for (let i = 0; i < 10; i += 1) t.on(`junk ${i}`, '192.168.1.66');
    t.on(DAHUA, '192.168.1.66');
    expect(t.errors).toHaveLength(MAX_ERRORS_PER_SOURCE);
    expect(t.errors[0]).toMatchObject({ protocol: 'ssdp', interface: 'eth0', ip: '192.168.1.66', code: 'SSDP_INVALID' });
    expect(t.observations.map((o) => o.ip)).toEqual(['192.168.1.66']);
  });
});
