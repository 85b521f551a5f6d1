import type { Device, SweepResult } from '../../../src/domain/types.ts';
import { resolveReportConfig, type ReportConfig, type ReportConfigInput } from '../../../src/report/config.ts';
import { reportConfigSchema } from '../../../src/report/config.ts';
import { silentLogger } from '../../../src/util/log.ts';

/** Sample sweep results and settings for the report tests. */

export const HOST = { hostname: 'agent-01.example', uid: 1000, homedir: '/home/cam' };

export function device(over: Partial<Device> = {}): Device {
  const status = over.verdict?.status ?? over.status ?? 'restricted';
  return {
    ip: '10.66.0.11',
    addresses: ['10.66.0.11'],
    mac: '44:19:b6:21:42:0b',
    manufacturer: 'Hikvision',
    brand: 'HIKVISION',
    model: 'DS-2CD2142FWD-I',
    firmware: 'V5.4.5 build 170124',
    serial: 'DS-2CD2142FWD-I20170314AAWR000000001',
    kind: 'camera',
    status,
    confidence: 0.95,
    protocols: ['wsd', 'onvif'],
    interfaces: ['eth0'],
    identifiers: { epr: 'urn:uuid:11111111-2222-3333-4444-555555555555' },
    evidence: [
      { protocol: 'onvif', field: 'onvif.manufacturer', value: 'HIKVISION' },
      { protocol: 'wsd', field: 'wsd.scope.name', value: 'HIKVISION DS-2CD2142FWD-I' },
    ],
    verdict:
      status === 'restricted'
        ? {
            status,
            reason: 'made by Hikvision, a covered entity under NDAA section 889',
            pack: 'us-ndaa-889',
            rule: 'hikvision',
            entity: 'Hangzhou Hikvision Digital Technology Company',
            source: { document: 'Public Law 115-232, section 889', date: '2018-08-13', url: 'https://www.congress.gov/bill/115th-congress/house-bill/5515' },
          }
        : { status, reason: status === 'review' ? 'a camera whose maker is not established' : 'not a video device' },
    ...over,
  };
}

/** `n` devices on 10.66.1.x with distinct MACs, the given statuses in turn. */
export function devices(n: number, statuses: Array<Device['status']> = ['restricted']): Device[] {
  return Array.from({ length: n }, (_, i) => {
    const status = statuses[i % statuses.length]!;
    const hex = (i + 1).toString(16).padStart(4, '0');
    return device({
      ip: `10.66.${Math.floor(i / 250) + 1}.${(i % 250) + 2}`,
      addresses: [`10.66.${Math.floor(i / 250) + 1}.${(i % 250) + 2}`],
      mac: `44:19:b6:00:${hex.slice(0, 2)}:${hex.slice(2)}`,
      status,
      verdict: device({ status }).verdict,
    });
  });
}

export function sweep(devs: Device[], startedAt = '2026-11-26T10:00:00.000Z'): SweepResult {
  return {
    schema: 'camsweep.sweep/v1',
    id: `sweep-${startedAt}`,
    startedAt,
    finishedAt: new Date(Date.parse(startedAt) + 3250).toISOString(),
    interfaces: [{ name: 'eth0', address: '10.66.0.2', netmask: '255.255.255.0', mac: '02:66:00:00:00:02' }],
    devices: devs,
    errors: [{ code: 'WSD_INVALID', message: 'not an XML document', protocol: 'wsd', interface: 'eth0', ip: '10.66.0.101' }],
  };
}

/** A resolved ReportConfig for tests (no files, no environment). */
export function config(report: ReportConfigInput = {}, dataDir = '/nonexistent/camsweep', env: NodeJS.ProcessEnv = {}): ReportConfig {
  return resolveReportConfig({ report: reportConfigSchema.parse(report), dataDir }, env, () => {
    throw new Error('no files in this test');
  }, { host: HOST });
}

export const quiet = silentLogger();
