/**
 * A whole sweep on an in-memory segment: the real discoverers with SweepOptions.udp, a
 * simulated Hikvision camera answering WS-Discovery and SADP, judged with the shipped database.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSadpDiscovery } from '../../../src/discovery/sadp/index.ts';
import { createMemorySegment } from '../../../src/discovery/udp-memory.ts';
import { createWsDiscovery } from '../../../src/discovery/wsd/index.ts';
import { silentLogger } from '../../../src/util/log.ts';
import { child, parseXml, textAt } from '../../../src/util/xml.ts';
import { runSweep } from '../../../src/sweep/sweep.ts';
import { judgeWithDefaults } from '../../helpers/judge.ts';
import { ETH0, responder } from '../../helpers/segment.ts';

const HIK_WSD = readFileSync(new URL('../../fixtures/wsd/hikvision.ds-2cd3955fwd-iws.ProbeMatches.xml', import.meta.url), 'utf8');
const SADP = readFileSync(new URL('../../fixtures/sadp/hikvision.virtual.ProbeMatch.xml', import.meta.url), 'utf8');

describe('runSweep on a simulated segment', () => {
  it('finds, merges and judges a camera answering two protocols, with no real socket', async () => {
    const segment = createMemorySegment();
    const camera = segment.host({ address: '10.66.0.11' });
    await responder(camera, '10.66.0.11', { port: 3702, group: '239.255.255.250' }, (text, from, send) => {
      const id = textAt(child(parseXml(text), 'Envelope'), 'Header', 'MessageID') ?? '';
      send(HIK_WSD.replace(/(<[\w-]*:?RelatesTo>)[^<]*(<\/)/u, `$1${id}$2`), from.port, from.address);
    });
    await responder(camera, '10.66.0.11', { port: 37020, group: '239.255.255.250' }, (text, from, send) => {
      const uuid = /<Probe><Uuid>([^<]*)<\/Uuid>/u.exec(text)?.[1];
      if (uuid !== undefined) send(SADP.replace(/<Uuid>[^<]*<\/Uuid>/u, `<Uuid>${uuid}</Uuid>`), from.port, from.address);
    });
    const result = await runSweep({
      interfaces: [ETH0],
      discoverers: [createWsDiscovery(), createSadpDiscovery()],
      enrichers: [],
      windowMs: 2000,
      settle: { idleMs: 100 },
      enrichGraceMs: 0,
      requestTimeoutMs: 100,
      maxBodyBytes: 1024,
      enrichConcurrency: 1,
      http: () => Promise.reject(new Error('no HTTP in this test')),
      credentialsFor: () => undefined,
      neighbours: async () => new Map([['10.66.0.11', '44:19:b6:21:42:0b']]),
      log: silentLogger(),
      judge: judgeWithDefaults,
      udp: segment.host({ address: ETH0.address }),
    });
    expect(result.devices).toHaveLength(1);
    expect(result.devices[0]).toMatchObject({ ip: '10.66.0.11', mac: '44:19:b6:21:42:0b', manufacturer: 'Hikvision', kind: 'camera', status: 'restricted', protocols: ['wsd', 'sadp', 'arp', 'mac'] });
    expect(result.window?.reason).toBe('settled');
    expect(result.errors).toEqual([]);
  });
});
