import { describe, expect, it } from 'vitest';
import { runSweep, type SweepOptions } from '../../../src/sweep/sweep.ts';
import type { Discoverer } from '../../../src/discovery/types.ts';
import type { NetInterface } from '../../../src/discovery/interfaces.ts';
import type { Enricher } from '../../../src/enrich/types.ts';
import type { Device, Evidence, MergedDevice, Observation } from '../../../src/domain/types.ts';
import { judgeWithDefaults } from '../../helpers/judge.ts';
import { silentLogger } from '../../../src/util/log.ts';
import { aborted, sleep } from '../../../src/util/time.ts';

/**
 * The follow-up enrichers (RTSP, TLS, favicon) are skipped for a host only while its verdict
 * is restricted, and every device whose final verdict is not restricted had them asked.
 */

const eth0: NetInterface = { name: 'eth0', address: '10.66.0.2', netmask: '255.255.255.0', prefix: 24, mac: null };

function discoverer(observations: Observation[]): Discoverer {
  return {
    protocol: 'wsd',
    async run(ctx) {
      for (const obs of observations) {
        ctx.emit(obs);
        await sleep(2);
      }
      await aborted(ctx.signal);
    },
  };
}

const reply = (ip: string): Observation => ({ protocol: 'wsd', ip, evidence: [{ protocol: 'wsd', field: 'wsd.type', value: 'dn:NetworkVideoTransmitter' }] });

/** What the device says through ONVIF, per address. */
function onvif(said: Record<string, Evidence[]>, asked: string[]): Enricher {
  return {
    name: 'onvif',
    protocol: 'onvif',
    maxPerHost: 1,
    plan: (obs) => [
      {
        key: 'device',
        run: async () => {
          asked.push(obs.ip);
          await sleep(5);
          const evidence = said[obs.ip] ?? [];
          return { observations: evidence.length === 0 ? [] : [{ protocol: 'onvif', ip: obs.ip, evidence }], errors: [] };
        },
      },
    ],
  };
}

function followUp(name: string, asked: string[]): Enricher {
  return {
    name,
    protocol: 'rtsp',
    maxPerHost: 1,
    followUp: true,
    plan: (obs) => [
      {
        key: name,
        run: async () => {
          asked.push(obs.ip);
          return { observations: [{ protocol: 'rtsp', ip: obs.ip, evidence: [{ protocol: 'rtsp', field: 'rtsp.server', value: `asked ${name}` }] }], errors: [] };
        },
      },
    ],
  };
}

const base = (over: Partial<SweepOptions>): SweepOptions => ({
  interfaces: [eth0],
  discoverers: [],
  enrichers: [],
  windowMs: 150,
  enrichGraceMs: 1000,
  requestTimeoutMs: 100,
  maxBodyBytes: 1024,
  enrichConcurrency: 4,
  http: () => Promise.reject(new Error('no network in unit tests')),
  credentialsFor: () => undefined,
  neighbours: async () => new Map(),
  log: silentLogger(),
  judge: judgeWithDefaults,
  ...over,
});

const hikvision: Evidence[] = [
  { protocol: 'onvif', field: 'onvif.manufacturer', value: 'HIKVISION' },
  { protocol: 'onvif', field: 'onvif.model', value: 'DS-2CD2143G0-I' },
];
const axis: Evidence[] = [
  { protocol: 'onvif', field: 'onvif.manufacturer', value: 'AXIS' },
  { protocol: 'onvif', field: 'onvif.model', value: 'M3106-L Mk II' },
];

describe('follow-up enrichers in a sweep', () => {
  it('are skipped for a device its ONVIF answer makes restricted, asked of every other one', async () => {
    const primary: string[] = [];
    const rtsp: string[] = [];
    const tls: string[] = [];
    const result = await runSweep(
      base({
        discoverers: [discoverer([reply('10.66.0.11'), reply('10.66.0.12'), reply('10.66.0.13')])],
        enrichers: [onvif({ '10.66.0.11': hikvision, '10.66.0.12': axis }, primary), followUp('rtsp', rtsp), followUp('tls', tls)],
      }),
    );
    const status = Object.fromEntries(result.devices.map((d) => [d.ip, d.status]));
    expect(status['10.66.0.11']).toBe('restricted');
    expect(status['10.66.0.12']).toBe('clear');
    expect(primary.sort()).toEqual(['10.66.0.11', '10.66.0.12', '10.66.0.13']);
    // The Axis camera and the unnamed host (review or clear, never restricted) were asked; the Hikvision one was not.
    expect(rtsp.sort()).toEqual(['10.66.0.12', '10.66.0.13']);
    expect(tls.sort()).toEqual(['10.66.0.12', '10.66.0.13']);
    expect(status['10.66.0.13']).not.toBe('restricted');
  });

  it('a host skipped as restricted whose final verdict is not is asked after all, and judged again with the answers', async () => {
    const asked: string[] = [];
    // Restricted on what it says, until the neighbour table's MAC (read after the window) clears it,
    // and restricted again if the follow-up's answer says so.
    const judge = (device: MergedDevice, asOf: Date): Device => {
      const judged = judgeWithDefaults(device, asOf);
      const says = device.evidence.some((e) => e.value === 'HIKVISION');
      const cleared = device.mac === '00:11:22:33:44:55';
      const followedUp = device.evidence.some((e) => e.field === 'rtsp.server');
      const status = says && (!cleared || followedUp) ? 'restricted' : 'clear';
      return { ...judged, status, verdict: { ...judged.verdict, status } };
    };
    // Without the clearing MAC: skipped, and never asked.
    const kept = await runSweep(base({ discoverers: [discoverer([reply('10.66.0.11')])], enrichers: [onvif({ '10.66.0.11': hikvision }, []), followUp('rtsp', asked)], judge }));
    expect(kept.devices[0]!.status).toBe('restricted');
    expect(asked).toEqual([]);

    const result = await runSweep(
      base({
        discoverers: [discoverer([reply('10.66.0.11')])],
        enrichers: [onvif({ '10.66.0.11': hikvision }, []), followUp('rtsp', asked)],
        neighbours: async () => new Map([['10.66.0.11', '00:11:22:33:44:55']]),
        judge,
      }),
    );
    expect(asked).toEqual(['10.66.0.11']);
    expect(result.devices).toHaveLength(1);
    expect(result.devices[0]!.evidence.some((e) => e.field === 'rtsp.server')).toBe(true);
    expect(result.devices[0]!.status).toBe('restricted');
  });

  it('a skipped host that is another address of a device not restricted is asked after all', async () => {
    const asked: string[] = [];
    const judge = (device: MergedDevice, asOf: Date): Device => {
      const judged = judgeWithDefaults(device, asOf);
      const says = device.evidence.some((e) => e.value === 'HIKVISION');
      // Restricted once the follow-up asked of the Hikvision address (not of the other one) answers.
      const answered = device.evidence.some((e) => e.field === 'rtsp.server' && e.value === 'asked 10.66.0.31');
      const status = says && (device.mac !== '00:11:22:33:44:55' || answered) ? 'restricted' : 'clear';
      return { ...judged, status, verdict: { ...judged.verdict, status } };
    };
    const byAddress: Enricher = {
      name: 'rtsp',
      protocol: 'rtsp',
      maxPerHost: 1,
      followUp: true,
      plan: (obs) => [
        {
          key: 'rtsp',
          run: async () => {
            asked.push(obs.ip);
            return { observations: [{ protocol: 'rtsp', ip: obs.ip, evidence: [{ protocol: 'rtsp', field: 'rtsp.server', value: `asked ${obs.ip}` }] }], errors: [] };
          },
        },
      ],
    };
    // 10.66.0.31 is skipped as restricted; the neighbour table makes it one device with 10.66.0.12 (listed first).
    const result = await runSweep(
      base({
        discoverers: [discoverer([reply('10.66.0.12'), reply('10.66.0.31')])],
        enrichers: [onvif({ '10.66.0.31': hikvision }, []), byAddress],
        neighbours: async () => new Map([['10.66.0.12', '00:11:22:33:44:55'], ['10.66.0.31', '00:11:22:33:44:55']]),
        judge,
      }),
    );
    expect(result.devices).toHaveLength(1);
    expect(result.devices[0]!.ip).toBe('10.66.0.12');
    expect(result.devices[0]!.addresses).toContain('10.66.0.31');
    expect(asked.sort()).toEqual(['10.66.0.12', '10.66.0.31']);
    expect(result.devices[0]!.status).toBe('restricted');
  });

  it('without follow-up enrichers nothing changes, and an enricher not marked follow-up is asked of every host', async () => {
    const asked: string[] = [];
    const result = await runSweep(
      base({
        discoverers: [discoverer([reply('10.66.0.11')])],
        enrichers: [onvif({ '10.66.0.11': hikvision }, []), { ...followUp('rtsp', asked), followUp: false }],
      }),
    );
    expect(result.devices[0]!.status).toBe('restricted');
    expect(asked).toEqual(['10.66.0.11']);
  });

  it('followUps: always asks them of every host, restricted ones too', async () => {
    const rtsp: string[] = [];
    const result = await runSweep(
      base({
        discoverers: [discoverer([reply('10.66.0.11'), reply('10.66.0.12')])],
        enrichers: [onvif({ '10.66.0.11': hikvision, '10.66.0.12': axis }, []), followUp('rtsp', rtsp)],
        followUps: 'always',
      }),
    );
    expect(result.devices.find((d) => d.ip === '10.66.0.11')?.status).toBe('restricted');
    expect(rtsp.sort()).toEqual(['10.66.0.11', '10.66.0.12']);
  });
});
