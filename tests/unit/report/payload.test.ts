import { describe, expect, it } from 'vitest';
import { buildReports, fitDevice, includedStatuses, serializeReport, splitReport, type BuildOptions, type ReportV1 } from '../../../src/report/payload.ts';
import { deviceIdentity, deviceKey } from '../../../src/report/identity.ts';
import { schemaValidator } from '../../helpers/json-schema.ts';
import { validateReport } from '../../../src/report/receiver/validate.ts';
import { device, devices, sweep } from './sample.ts';

const validate = schemaValidator('report.v1.schema.json');

const opts = (over: Partial<BuildOptions> = {}): BuildOptions => ({
  agentId: 'agent-01',
  site: 'HQ Building A',
  sweepId: 'sw-1',
  include: 'restricted',
  batchMaxBytes: 256 * 1024,
  createdAt: '2026-11-26T10:00:04.000Z',
  version: '0.1.0',
  ...over,
});

const expectValid = (r: ReportV1): void => {
  const doc: unknown = JSON.parse(serializeReport(r));
  expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  // The receiver's own check accepts what the agent builds.
  expect(validateReport(doc).ok).toBe(true);
};

describe('buildReports', () => {
  it('builds documents valid against schemas/report.v1.schema.json, with attribution and a null MAC', () => {
    const withAttribution = device({
      attribution: {
        manufacturer: 'Hikvision',
        brand: 'HIKVISION',
        model: 'DS-2CD2142FWD-I',
        firmwareFamily: 'Hikvision V5',
        kind: 'camera',
        confidence: 0.95,
        candidates: [{ manufacturer: 'Hikvision', score: 0.95, fingerprints: ['hikvision.onvif.manufacturer'] }],
        matches: [
          { fingerprint: 'hikvision.onvif.manufacturer', protocol: 'onvif', field: 'onvif.manufacturer', value: 'HIKVISION', weight: 0.9, claims: { manufacturer: 'Hikvision', kind: 'camera' } },
        ],
        conflicts: [],
      },
    });
    const reports = buildReports(sweep([withAttribution, device({ ip: '10.66.0.12', addresses: ['10.66.0.12'], mac: null })]), opts());
    expect(reports).toHaveLength(1);
    expectValid(reports[0]!);
    const r = reports[0]!;
    expect(r.schema).toBe('camsweep.report/v1');
    expect(r.agent).toEqual({ id: 'agent-01', version: '0.1.0' });
    expect(r.site).toBe('HQ Building A');
    expect(r.sweep).toMatchObject({ id: 'sw-1', devicesFound: 2, devicesReported: 2, counts: { restricted: 2, review: 0, clear: 0 }, errors: 1 });
    expect(r.devices.map((d) => d.identity)).toEqual(['mac:44:19:b6:21:42:0b', 'ip:10.66.0.12']);
    expect(r.devices[0]!.verdict).toMatchObject({ pack: 'us-ndaa-889', rule: 'hikvision' });
    expect(r.devices[0]!.attribution?.matches).toHaveLength(1);
    expect(validate({ ...JSON.parse(serializeReport(r)), schema: 'camsweep.report/v2' })).toBe(false);
  });

  it('reports the included verdicts only: restricted, review (+restricted) or all', () => {
    const result = sweep(devices(9, ['restricted', 'review', 'clear']));
    const count = (include: BuildOptions['include']): number => buildReports(result, opts({ include })).flatMap((r) => r.devices).length;
    expect(count('restricted')).toBe(3);
    expect(count('review')).toBe(6);
    expect(count('all')).toBe(9);
    expect(includedStatuses('review')).toEqual(['restricted', 'review']);
    const statuses = new Set(buildReports(result, opts({ include: 'review' })).flatMap((r) => r.devices.map((d) => d.status)));
    expect([...statuses].sort()).toEqual(['restricted', 'review']);
  });

  it('sends one report with no devices when nothing is included (the sweep ran, nothing to report)', () => {
    const reports = buildReports(sweep(devices(3, ['clear'])), opts());
    expect(reports).toHaveLength(1);
    expect(reports[0]!.devices).toEqual([]);
    expect(reports[0]!.sweep).toMatchObject({ devicesFound: 3, devicesReported: 0 });
    expectValid(reports[0]!);
  });

  it('cuts a big sweep into batches under the byte cap, each valid, keeping every device once and in order', () => {
    const result = sweep(devices(300));
    const cap = 64 * 1024;
    const reports = buildReports(result, opts({ batchMaxBytes: cap }));
    expect(reports.length).toBeGreaterThan(1);
    for (const [i, r] of reports.entries()) {
      expect(Buffer.byteLength(serializeReport(r))).toBeLessThanOrEqual(cap);
      expect(r.batch).toEqual({ index: i, count: reports.length });
      expectValid(r);
    }
    const ips = reports.flatMap((r) => r.devices.map((d) => d.ip));
    expect(ips).toEqual(result.devices.map((d) => d.ip));
    // Batches are filled: all but the last would overflow with the next device.
    const sizes = reports.map((r) => Buffer.byteLength(serializeReport(r)));
    const oneDevice = Buffer.byteLength(JSON.stringify(reports[0]!.devices[0]));
    for (const s of sizes.slice(0, -1)) expect(s + oneDevice).toBeGreaterThan(cap - 400);
    expect(new Set(reports.map((r) => r.idempotencyKey)).size).toBe(reports.length);
  });

  it('trims evidence of a device too large for one request instead of dropping it, and marks it', () => {
    const evidence = Array.from({ length: 400 }, (_, i) => ({ protocol: 'http' as const, field: `http.header.x${i}`, value: 'v'.repeat(400) }));
    const big = device({ evidence });
    const cap = 64 * 1024;
    const [r, ...rest] = buildReports(sweep([big, device({ ip: '10.66.0.12', addresses: ['10.66.0.12'], mac: '44:19:b6:00:00:99' })]), opts({ batchMaxBytes: cap }));
    expect(rest).toHaveLength(1);
    expect(r!.devices).toHaveLength(1);
    const d = r!.devices[0]!;
    expect(d.truncated).toBe(true);
    expect(d.evidence.length).toBeGreaterThan(10);
    expect(d.evidence.length).toBeLessThan(400);
    expect(d.evidence[0]).toEqual(evidence[0]);
    expect(d.verdict.rule).toBe('hikvision');
    expect(Buffer.byteLength(serializeReport(r!))).toBeLessThanOrEqual(cap);
    expectValid(r!);
    expect(rest[0]!.devices[0]!.truncated).toBeUndefined();
  });

  it('fitDevice cuts attribution detail and long strings when evidence alone is not enough', () => {
    const matches = Array.from({ length: 500 }, (_, i) => ({ fingerprint: `fp.${i}`, protocol: 'http' as const, field: 'http.server', value: 'x'.repeat(100), weight: 0.5, claims: {} }));
    const d = device({ attribution: { manufacturer: 'Hikvision', brand: null, model: null, firmwareFamily: null, kind: 'camera', confidence: 0.5, candidates: [], matches, conflicts: [] } });
    const fitted = fitDevice({ ...JSON.parse(JSON.stringify(d)), idempotencyKey: 'k'.repeat(32), identity: 'mac:x' }, 4096);
    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThanOrEqual(4096);
    expect(fitted.attribution?.matches).toEqual([]);
    expect(fitted.attribution?.manufacturer).toBe('Hikvision');
  });

  it('refuses a cap too small for any device', () => {
    expect(() => buildReports(sweep([device()]), opts({ batchMaxBytes: 600 }))).toThrow(/batchMaxBytes/u);
  });
});

describe('idempotency keys', () => {
  it('are stable for the same agent, sweep and device, and differ otherwise', () => {
    const a = buildReports(sweep([device()]), opts());
    const b = buildReports(sweep([device()]), opts({ createdAt: '2027-01-01T00:00:00.000Z' }));
    expect(a[0]!.devices[0]!.idempotencyKey).toBe(b[0]!.devices[0]!.idempotencyKey);
    expect(a[0]!.idempotencyKey).toBe(b[0]!.idempotencyKey);
    const other = buildReports(sweep([device()]), opts({ sweepId: 'sw-2' }));
    expect(other[0]!.devices[0]!.idempotencyKey).not.toBe(a[0]!.devices[0]!.idempotencyKey);
    const otherAgent = buildReports(sweep([device()]), opts({ agentId: 'agent-02' }));
    expect(otherAgent[0]!.devices[0]!.idempotencyKey).not.toBe(a[0]!.devices[0]!.idempotencyKey);
    expect(a[0]!.devices[0]!.idempotencyKey).toBe(deviceKey('agent-01', 'sw-1', 'mac:44:19:b6:21:42:0b'));
    expect(a[0]!.devices[0]!.idempotencyKey).toMatch(/^[0-9a-f]{32}$/u);
  });

  it('use the MAC when known (an IP change keeps the key), else the IP', () => {
    expect(deviceIdentity({ mac: '44:19:B6:21:42:0B', ip: '10.0.0.1' })).toBe('mac:44:19:b6:21:42:0b');
    expect(deviceIdentity({ mac: null, ip: '10.0.0.1' })).toBe('ip:10.0.0.1');
    const moved = buildReports(sweep([device({ ip: '10.66.0.99', addresses: ['10.66.0.99'] })]), opts());
    expect(moved[0]!.devices[0]!.idempotencyKey).toBe(buildReports(sweep([device()]), opts())[0]!.devices[0]!.idempotencyKey);
  });

  it('keep two devices apart even if they share an identity', () => {
    const r = buildReports(sweep([device(), device({ ip: '10.66.0.50', addresses: ['10.66.0.50'] })]), opts());
    expect(r[0]!.devices.map((d) => d.identity)).toEqual(['mac:44:19:b6:21:42:0b', 'mac:44:19:b6:21:42:0b#2']);
    expect(new Set(r[0]!.devices.map((d) => d.idempotencyKey)).size).toBe(2);
    expectValid(r[0]!);
  });

});

describe('splitReport', () => {
  it('halves a batch; devices keep their keys, each half gets its own request key and part', () => {
    const [r] = buildReports(sweep(devices(5)), opts());
    const halves = splitReport(r!);
    expect(halves).not.toBeNull();
    const [a, b] = halves!;
    expect(a.devices).toHaveLength(3);
    expect(b.devices).toHaveLength(2);
    expect([...a.devices, ...b.devices].map((d) => d.idempotencyKey)).toEqual(r!.devices.map((d) => d.idempotencyKey));
    expect(a.batch.part).toBe('0');
    expect(b.batch.part).toBe('1');
    expect(new Set([r!.idempotencyKey, a.idempotencyKey, b.idempotencyKey]).size).toBe(3);
    expect(splitReport(a)![1].batch.part).toBe('01');
    expectValid(a);
    expectValid(splitReport(a)![1]);
  });

  it('cannot split a single device', () => {
    const [r] = buildReports(sweep([device()]), opts());
    expect(splitReport(r!)).toBeNull();
  });
});
