import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../src/domain/audit.ts';
import type { NetInterface } from '../../../src/discovery/interfaces.ts';
import { decodeWsdAnnouncement } from '../../../src/discovery/wsd/announcements.ts';
import { identifyHost, type IdentifyOptions } from '../../../src/sweep/identify.ts';
import { parseCidr } from '../../../src/util/cidr.ts';
import { silentLogger } from '../../../src/util/log.ts';
import { fakeEnrichers } from '../../helpers/enrichers.ts';
import { judgeWithDefaults } from '../../helpers/judge.ts';

const eth0: NetInterface = { name: 'eth0', address: '192.168.1.2', netmask: '255.255.255.0', prefix: 24, mac: null };
const HELLO = readFileSync(new URL('../../fixtures/wsd/dahua.ipc-hfw2228m-i1-v2.Hello.xml', import.meta.url));

/** The real Dahua Hello, heard from 192.168.1.45 on eth0: the observation it gives. */
function helloObservation(ip = '192.168.1.45') {
  const out = decodeWsdAnnouncement(HELLO, { ip, iface: 'eth0' });
  if (out.kind !== 'announcements') throw new Error('the fixture is a Hello');
  return out.announcements[0]!.observation!;
}

const base = (over: Partial<IdentifyOptions>): IdentifyOptions => ({
  ip: '192.168.1.45',
  observations: [helloObservation()],
  interfaces: [eth0],
  enrichers: [],
  requestTimeoutMs: 100,
  maxBodyBytes: 1024,
  enrichConcurrency: 4,
  http: () => Promise.reject(new Error('no network in unit tests')),
  credentialsFor: () => undefined,
  neighbours: async () => new Map([['192.168.1.45', '4c:11:bf:22:28:0c']]),
  log: silentLogger(),
  judge: judgeWithDefaults,
  ...over,
});

describe('identifyHost', () => {
  it('judges the host from its Hello and what the enrichers ask of it, with the MAC from the neighbour table', async () => {
    const asked: Array<{ ip: string; xaddrs: string[] }> = [];
    const id = identifyHost(
      base({
        id: 'sighting-1',
        enrichers: fakeEnrichers({
          onvif: async (target) => {
            asked.push(target);
            return {
              observations: [{ protocol: 'onvif', ip: target.ip, evidence: [{ protocol: 'onvif', field: 'onvif.manufacturer', value: 'Dahua' }, { protocol: 'onvif', field: 'onvif.model', value: 'IPC-HFW2228M-I1-V2' }] }],
              errors: [],
            };
          },
        }),
      }),
    );
    const result = await id.done;
    expect(asked).toEqual([{ ip: '192.168.1.45', xaddrs: ['http://192.168.1.45/onvif/device_service'] }]);
    expect(result).toMatchObject({ schema: 'camsweep.sweep/v1', id: 'sighting-1', interfaces: [{ name: 'eth0' }], errors: [] });
    expect(result.devices).toHaveLength(1);
    expect(result.devices[0]).toMatchObject({ ip: '192.168.1.45', mac: '4c:11:bf:22:28:0c', manufacturer: 'Dahua', kind: 'camera', status: 'restricted' });
  });

  it('contacts nothing outside the scope: an excluded host, or one on no swept segment, is judged from what it said', async () => {
    const asked: string[] = [];
    const enrichers = fakeEnrichers({ onvif: async (t) => (asked.push(t.ip), { observations: [], errors: [] }) });
    const excluded = await identifyHost(base({ enrichers, exclude: [parseCidr('192.168.1.45/32')!] })).done;
    expect(excluded.devices).toEqual([]);
    const elsewhere = await identifyHost(base({ enrichers, interfaces: [{ ...eth0, address: '10.0.0.2' }] })).done;
    expect(elsewhere.devices.map((d) => d.ip)).toEqual(['192.168.1.45']);
    expect(elsewhere.errors.map((e) => e.code)).toEqual(['SWEEP_OUT_OF_SCOPE']);
    expect(asked).toEqual([]);
  });

  it('takes more of the host\'s announcements while it runs, and none once merged', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const id = identifyHost(base({ enrichers: fakeEnrichers({ onvif: async () => (await gate, { observations: [], errors: [] }) }) }));
    const mdns = { protocol: 'mdns' as const, ip: '192.168.1.45', interface: 'eth0', evidence: [{ protocol: 'mdns' as const, field: 'mdns.hostname', value: 'ipc.local' }] };
    expect(id.offer(mdns)).toBe(true);
    release();
    const result = await id.done;
    expect(result.devices[0]!.protocols).toEqual(expect.arrayContaining(['wsd', 'mdns']));
    expect(id.offer(mdns)).toBe(false);
  });

  it('records every request in the audit record, as a sweep does', async () => {
    const entries: AuditEntry[] = [];
    const http = async () => ({ status: 500, headers: {}, body: Buffer.from(''), truncated: false });
    await identifyHost(base({ http, audit: (e) => entries.push(e), enrichers: fakeEnrichers({ onvif: async (t, ctx) => (await ctx.http({ url: t.xaddrs[0]!, method: 'POST', body: '<s:Body><GetSystemDateAndTime/></s:Body>', timeoutMs: 100, maxBytes: 100, signal: ctx.signal }), { observations: [], errors: [] }) }) })).done;
    expect(entries.map((e) => [e.transport, e.protocol, e.destination, e.message])).toEqual([['tcp', 'onvif', '192.168.1.45', 'POST /onvif/device_service GetSystemDateAndTime']]);
  });
});
