import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { inventoryPath, openInventory } from '../../../src/inventory/store.ts';
import type { ChangeEvent, InventoryDevice, SweepSummary } from '../../../src/inventory/types.ts';
import type { SweepResult } from '../../../src/domain/types.ts';
import { amcrestDevice, device, sweep } from './sample.ts';
import { captureIo } from '../../helpers/cli.ts';
import { displayWidth } from '../../../src/output/table.ts';
import { loadFingerprintDb } from '../../../src/fingerprint/db.ts';

// Calibrated weights move as the corpus grows (npm run calibrate): read them, do not copy them.
const shippedDb = loadFingerprintDb();
const weightOf = (id: string): string => shippedDb.byId(id)!.weight.toFixed(2).replace('.', '\\.');
const R_BUILD = weightOf('dahua.firmware.r-build');
const AMCREST_NAME = weightOf('amcrest.onvif.manufacturer');

const io = captureIo;

let root: string;
let dataDir: string;
let sweeps: SweepResult[];

const camera = (ip: string) => device({ ip, mac: '44:19:b6:00:00:0a', manufacturer: null, brand: null, status: 'review' });
const printer = device({ ip: '10.66.0.40', mac: '64:eb:8c:00:00:01', kind: 'printer', status: 'clear', manufacturer: 'Epson', brand: 'EPSON', model: 'XP-410', firmware: null });
const hik = device({ ip: '10.66.0.12', mac: '44:19:b6:00:00:0b', status: 'restricted', model: '=HYPERLINK("http://evil")' });

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'camsweep-inventory-cli-'));
  dataDir = path.join(root, 'data');
  sweeps = [
    sweep([amcrestDevice('192.168.1.108', new Date('2026-11-20T10:00:00Z')), camera('10.66.0.11'), printer], '2026-11-20T10:00:00Z', { id: '1f0c5e2a-0b1d-4c2e-9a7f-000000000001' }),
    sweep([amcrestDevice(), camera('10.66.0.21'), hik], '2026-11-26T10:00:00Z', { id: '2b7d9e4c-5a6f-4e3d-8c1b-000000000002' }),
  ];
  const inv = openInventory(dataDir);
  for (const s of sweeps) inv.recordSweep(s);
  inv.close();
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const run = async (argv: string[], env: NodeJS.ProcessEnv = {}, isTty = false) => {
  // On a terminal colour is on by default: these tests read the layout, one below the colours.
  const s = io(isTty && env.FORCE_COLOR === undefined ? { NO_COLOR: '1', ...env } : env, isTty);
  const code = await main(argv, s);
  return { code, out: s.out, err: s.err };
};

describe('camsweep devices', () => {
  it('prints every device as JSON off a terminal', async () => {
    const r = await run(['devices', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.out) as InventoryDevice[];
    expect(list.map((d) => [d.latest.ip, d.latest.verdict.status, d.present])).toEqual([
      ['10.66.0.12', 'restricted', true],
      ['10.66.0.21', 'review', true],
      ['10.66.0.40', 'clear', false],
      ['192.168.1.108', 'restricted', true],
    ]);
  });

  it('prints a table on a terminal, with a summary line', async () => {
    const r = await run(['devices', '--data-dir', dataDir], {}, true);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+IP\s+MAC\s+KIND\s+STATUS\s+MANUFACTURER\s+BRAND\s+MODEL\s+LAST SEEN\s+SWEEPS\s+PRESENT$/u);
    expect(r.out).toMatch(/192\.168\.1\.108\s+9c:8e:cd:0a:1b:2c\s+camera\s+restricted\s+Dahua\s+Amcrest\s+IP5M-T1277EW-AI\s+2026-11-26T10:00:03Z\s+2\s+yes/u);
    expect(r.out).toMatch(/10\.66\.0\.40 .* gone\n/u);
    expect(lines.at(-1)).toBe(`4 device(s): 2 restricted, 1 review, 1 clear; 1 gone (${inventoryPath(dataDir)})`);
  });

  it.each([
    [['--status', 'restricted'], ['10.66.0.12', '192.168.1.108']],
    [['--status', 'review,clear'], ['10.66.0.21', '10.66.0.40']],
    [['--status', 'review', '--status', 'clear'], ['10.66.0.21', '10.66.0.40']],
    [['--manufacturer', 'dahua'], ['192.168.1.108']],
    [['--manufacturer', 'Amcrest'], ['192.168.1.108']],
    [['--kind', 'printer'], ['10.66.0.40']],
    [['--since', '2026-11-21'], ['10.66.0.12', '10.66.0.21', '192.168.1.108']],
    [['--network', '10.66.0.0/24'], ['10.66.0.12', '10.66.0.21', '10.66.0.40']],
    [['--network', 'eth0'], ['10.66.0.12', '10.66.0.21', '10.66.0.40', '192.168.1.108']],
    [['--network', 'eth9'], []],
    [['--status', 'restricted', '--network', '192.168.1.0/24'], ['192.168.1.108']],
  ])('filters %j', async (flags, ips) => {
    const r = await run(['devices', '--data-dir', dataDir, '--format', 'json', ...flags]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as InventoryDevice[]).map((d) => d.latest.ip)).toEqual(ips);
  });

  it('--since takes an age', async () => {
    const r = await run(['devices', '--data-dir', dataDir, '-f', 'json', '--since', '100000d']);
    expect(JSON.parse(r.out)).toHaveLength(4);
  });

  it('writes CSV with formulas neutralised', async () => {
    const r = await run(['devices', '--data-dir', dataDir, '--format', 'csv']);
    expect(r.code).toBe(0);
    const rows = r.out.split('\r\n');
    // The documented columns first, in their order; then the camelCase names of the snake_case ones.
    expect(rows[0]).toBe('id,ip,mac,manufacturer,brand,model,firmware,kind,status,pack,rule,confidence,first_seen,last_seen,sweeps,present,interfaces,firstSeen,lastSeen');
    expect(r.out).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(rows.find((l) => l.includes('192.168.1.108'))).toMatch(new RegExp(String.raw`,192\.168\.1\.108,9c:8e:cd:0a:1b:2c,Dahua,Amcrest,IP5M-T1277EW-AI,V2\.800\.00AC003\.0\.R,camera,restricted,us-ndaa-889,dahua,${R_BUILD},`, 'u'));
    expect(rows).toHaveLength(6);
  });

  it.each([
    [['--status', 'bad']],
    [['--kind', 'toaster']],
    [['--since', 'yesterday']],
    [['--network', '10.0.0.0/99']],
    [['--format', 'xml']],
  ])('%j is a usage error: exit 2', async (flags) => {
    const r = await run(['devices', '--data-dir', dataDir, ...flags]);
    expect(r.code).toBe(2);
    expect(r.err).not.toBe('');
  });

  it('with no inventory yet prints an empty list and creates nothing', async () => {
    const empty = path.join(root, 'empty');
    mkdirSync(empty);
    const json = await run(['devices', '--data-dir', empty]);
    expect([json.code, JSON.parse(json.out)]).toEqual([0, []]);
    const table = await run(['devices', '--data-dir', empty], {}, true);
    expect(table.err).toMatch(/no inventory at .* yet: record sweeps with `camsweep sweep --record`/u);
    expect(table.out).toMatch(/^0 device\(s\)/u);
    expect(existsSync(inventoryPath(empty))).toBe(false);
  });

  it('a data directory named but missing is a usage error, not an empty inventory (every problem at once)', async () => {
    const missing = path.join(root, 'missing');
    const r = await run(['devices', '--data-dir', missing, '--status', 'bogus', '--kind', 'bogus'], { CAMSWEEP_REPROT_ENDPOINT: 'https://c/v1' });
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain('4 problems');
    for (const p of [`--data-dir: no directory ${missing}`, '--status must be one of', '--kind must be one of', 'did you mean $CAMSWEEP_REPORT_ENDPOINT?']) expect(r.err).toContain(p);
    expect((await run(['devices'], { CAMSWEEP_DATA_DIR: missing })).err).toContain(`$CAMSWEEP_DATA_DIR: no directory ${missing}`);
    expect(existsSync(missing)).toBe(false);
  });

  it('finds the data directory in the config file, or in $CAMSWEEP_DATA_DIR', async () => {
    const config = path.join(root, 'camsweep.yaml');
    writeFileSync(config, `dataDir: ${dataDir}\n`);
    expect(JSON.parse((await run(['devices', '--config', config])).out)).toHaveLength(4);
    expect(JSON.parse((await run(['devices'], { CAMSWEEP_DATA_DIR: dataDir })).out)).toHaveLength(4);
    // --data-dir wins over both.
    const none = path.join(root, 'none');
    mkdirSync(none);
    expect(JSON.parse((await run(['devices', '--config', config, '--data-dir', none], { CAMSWEEP_DATA_DIR: dataDir })).out)).toEqual([]);
  });

  it('keeps hostile text off the terminal', async () => {
    const inv = openInventory(dataDir);
    inv.recordSweep(sweep([device({ ip: '10.66.0.66', mac: '44:19:b6:00:00:66', model: 'EVIL\u001b[2J\u001b]0;pwned\u0007', brand: 'X\u202eY' })], '2026-11-27T10:00:00Z'));
    inv.close();
    const table = await run(['devices', '--data-dir', dataDir], {}, true);
    const show = await run(['show', '10.66.0.66', '--data-dir', dataDir, '--format', 'text']);
    for (const out of [table.out, show.out]) {
      expect(out).toContain('EVIL');
      for (const ch of ['\u001b', '\u0007', '\u202e']) expect(out).not.toContain(ch);
    }
    const json = await run(['show', '10.66.0.66', '--data-dir', dataDir, '--format', 'json']);
    expect((JSON.parse(json.out) as InventoryDevice).latest.model).toBe('EVIL\u001b[2J\u001b]0;pwned\u0007');
  });
});

describe('camsweep show', () => {
  it('prints a restricted OEM device with its verdict, attribution, fingerprints, evidence and history', async () => {
    const r = await run(['show', '9c:8e:cd:0a:1b:2c', '--data-dir', dataDir, '--format', 'text']);
    expect(r.code).toBe(0);
    const out = r.out;
    expect(out).toMatch(/^Device [0-9a-f]{12}\n/u);
    expect(out).toMatch(/^ {2}IP {12}192\.168\.1\.108$/mu);
    expect(out).toMatch(/^ {2}Identifiers {3}epr uuid:6d2b3f4e-9c8e-4cd0-a1b2-9c8ecd0a1b2c$/mu);
    expect(out).toMatch(/^ {2}Serial {8}AMC094B09882D5F152$/mu);
    expect(out).toMatch(/^ {2}Firmware {6}V2\.800\.00AC003\.0\.R$/mu);
    expect(out).toMatch(/^Verdict: RESTRICTED$/mu);
    expect(out.replaceAll(/\n {16}/gu, ' ')).toMatch(/^ {2}Reason {8}made by Dahua .*covered by us-ndaa-889 rule dahua/mu);
    expect(out).toMatch(/^ {2}Pack {10}us-ndaa-889$/mu);
    expect(out).toMatch(/^ {2}Rule {10}dahua$/mu);
    expect(out.replaceAll(/\n {16}/gu, ' ')).toMatch(/^ {2}Source {8}Public Law 115-232, section 889 \(2018-08-13\) https:\/\//mu);
    expect(out).toMatch(/^ {2}Manufacturer {2}Dahua \(manufacturer of record\)$/mu);
    expect(out).toMatch(/^ {2}Brand {9}Amcrest \(the label\)$/mu);
    expect(out).toMatch(new RegExp(String.raw`^ {2}Confidence {4}${R_BUILD}$`, 'mu'));
    expect(out).toMatch(new RegExp(String.raw`^ {2}Candidates {4}Dahua ${R_BUILD} \(dahua\.firmware\.r-build\)$`, 'mu'));
    expect(out).toMatch(/^Fingerprints \(\d+\)$/mu);
    expect(out).toMatch(new RegExp(String.raw`^ {2}dahua\.firmware\.r-build {2}weight ${R_BUILD}\n {6}onvif\.firmware = V2\.800\.00AC003\.0\.R\n {6}claims manufacturer Dahua, firmware Dahua 2\.800$`, 'mu'));
    expect(out).toMatch(new RegExp(String.raw`^ {2}amcrest\.onvif\.manufacturer {2}weight ${AMCREST_NAME}\n {6}onvif\.manufacturer = Amcrest\n {6}claims brand Amcrest$`, 'mu'));
    // Evidence grouped by protocol, in protocol order.
    const groups = [...out.matchAll(/^ {2}(wsd|onvif|arp|mac)$/gmu)].map((m) => m[1]);
    expect(groups).toEqual(['wsd', 'onvif', 'arp', 'mac']);
    expect(out).toMatch(/^ {4}onvif\.manufacturer = Amcrest$/mu);
    expect(out).toMatch(/^ {4}mac\.oui = Amcrest Technologies$/mu);
    expect(out).toMatch(/^Verdict history \(1\)\n {2}2026-11-20T10:00:03Z {2}restricted {2}us-ndaa-889\/dahua\n {6}sweep 1f0c5e2a-0b1d-4c2e-9a7f-000000000001\n {6}made by Dahua/mu);
    // Readable at 80 columns: every line fits, long values wrap under their label.
    for (const line of out.split('\n')) expect(displayWidth(line), line).toBeLessThanOrEqual(80);
  });

  it('colours the verdict and the status column on a terminal unless NO_COLOR or --color never says no', async () => {
    const coloured = await run(['show', '9c:8e:cd:0a:1b:2c', '--data-dir', dataDir, '--format', 'text'], { FORCE_COLOR: '1' }, true);
    expect(coloured.out).toContain('Verdict: \u001b[1m\u001b[31mRESTRICTED');
    const forced = await run(['devices', '--data-dir', dataDir, '--format', 'table', '--color', 'always']);
    expect(forced.out).toContain('\u001b[1m\u001b[31mrestricted\u001b[39m\u001b[22m');
    const never = await run(['devices', '--data-dir', dataDir, '--color', 'never'], { FORCE_COLOR: '1' }, true);
    expect(never.out).not.toContain('\u001b');
    expect((await run(['devices', '--data-dir', dataDir, '--color', 'sometimes'])).err).toContain('--color must be one of auto, always, never (got sometimes)');
  });

  it('finds the same device by IP, id and id prefix, and prints valid JSON', async () => {
    const json = await run(['show', '192.168.1.108', '--data-dir', dataDir]);
    expect(json.code).toBe(0);
    const d = JSON.parse(json.out) as InventoryDevice;
    expect(d.latest).toMatchObject({ manufacturer: 'Dahua', brand: 'Amcrest', status: 'restricted' });
    for (const ref of [d.id, d.id.slice(0, 5)]) {
      const r = await run(['show', ref, '--data-dir', dataDir, '-f', 'json']);
      expect((JSON.parse(r.out) as InventoryDevice).id).toBe(d.id);
    }
  });

  it('a device that is not there: exit 1 with a message', async () => {
    const r = await run(['show', '10.9.9.9', '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no device 10\.9\.9\.9 in the inventory .*\[INVENTORY_UNKNOWN_DEVICE\]/u);
    expect(r.out).toBe('');
    mkdirSync(path.join(root, 'none'));
    const none = await run(['show', '10.9.9.9', '--data-dir', path.join(root, 'none')]);
    expect(none.code).toBe(1);
    expect((await run(['show', '10.9.9.9', '--data-dir', path.join(root, 'missing')])).code).toBe(2);
    expect((await run(['show', '--data-dir', dataDir])).code).toBe(2);
  });
});

describe('camsweep sweeps', () => {
  it('lists sweeps newest first as a table, JSON or CSV', async () => {
    const table = await run(['sweeps', '--data-dir', dataDir], {}, true);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^ID\s+STARTED\s+SECONDS\s+DEVICES\s+RESTRICTED\s+REVIEW\s+CLEAR\s+ERRORS\s+CHANGES\s+INTERFACES\n2b7d9e4c-5a6f-4e3d-8c1b-000000000002\s+2026-11-26T10:00:00Z\s+3\.0\s+3\s+2\s+1\s+0\s+0\s+3\s+eth0\n1f0c5e2a/u);
    const json = JSON.parse((await run(['sweeps', '--data-dir', dataDir])).out) as SweepSummary[];
    expect(json.map((s) => s.id)).toEqual([sweeps[1]!.id, sweeps[0]!.id]);
    const csv = await run(['sweeps', '--data-dir', dataDir, '-f', 'csv', '--limit', '1']);
    expect(csv.out).toBe(
      'id,started_at,finished_at,devices,restricted,review,clear,errors,changes,interfaces,startedAt,finishedAt\r\n' +
        '2b7d9e4c-5a6f-4e3d-8c1b-000000000002,2026-11-26T10:00:00.000Z,2026-11-26T10:00:03.000Z,3,2,1,0,0,3,eth0,2026-11-26T10:00:00.000Z,2026-11-26T10:00:03.000Z\r\n',
    );
    expect((await run(['sweeps', '--data-dir', dataDir, '--limit', '0'])).code).toBe(2);
  });
});

describe('camsweep diff', () => {
  it('shows what changed between the last two sweeps', async () => {
    const r = await run(['diff', '--data-dir', dataDir], {}, true);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toBe(`changes from sweep ${sweeps[0]!.id} (2026-11-20T10:00:00Z) to ${sweeps[1]!.id} (2026-11-26T10:00:00Z)`);
    expect(lines[2]).toMatch(/^CHANGE\s+IP\s+DEVICE\s+KIND\s+STATUS\s+MAKER\s+MODEL\s+BEFORE -> AFTER$/u);
    expect(lines.slice(3, 6).map((l) => l.split(/\s+/u)[0])).toEqual(['restricted-new', 'device-gone', 'ip-changed']);
    expect(r.out).toMatch(/ip-changed\s+10\.66\.0\.21 .* 10\.66\.0\.11 -> 10\.66\.0\.21/u);
    expect(lines.at(-1)).toBe('3 change(s): 1 restricted-new, 1 device-gone, 1 ip-changed');
  });

  it('takes sweep ids or prefixes, in either order, as JSON or CSV', async () => {
    const json = await run(['diff', '2b7d9e4c', '1f0c5e2a', '--data-dir', dataDir, '-f', 'json']);
    expect(json.code).toBe(0);
    const d = JSON.parse(json.out) as { from: SweepSummary; to: SweepSummary; changes: ChangeEvent[] };
    expect([d.from.id, d.to.id]).toEqual([sweeps[0]!.id, sweeps[1]!.id]);
    expect(d.changes.map((e) => e.type)).toEqual(['restricted-new', 'device-gone', 'ip-changed']);
    const csv = await run(['diff', sweeps[0]!.id, '--data-dir', dataDir, '-f', 'csv']);
    expect(csv.out.split('\r\n')[0]).toBe('type,device_id,ip,mac,manufacturer,brand,model,kind,status,before,after,sweep_id,at,deviceId,sweepId');
    expect(csv.out.split('\r\n')).toHaveLength(5);
    const same = await run(['diff', sweeps[1]!.id, '--data-dir', dataDir], {}, true);
    expect(same.out.trimEnd().split('\n').at(-1)).toBe('no changes');
  });

  it('an unknown sweep, or too few sweeps: exit 1', async () => {
    const unknown = await run(['diff', 'ffffffff', '--data-dir', dataDir]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/no sweep ffffffff .*\[INVENTORY_UNKNOWN_SWEEP\]/u);
    mkdirSync(path.join(root, 'none'));
    const none = await run(['diff', '--data-dir', path.join(root, 'none')]);
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/INVENTORY_NOT_ENOUGH_SWEEPS/u);
  });
});

describe('help', () => {
  it('lists the review commands and their options', async () => {
    const top = await run(['--help']);
    for (const c of ['devices', 'show', 'sweeps', 'diff']) expect(top.out).toMatch(new RegExp(`^  ${c}\\b`, 'mu'));
    const devices = await run(['devices', '--help']);
    for (const flag of ['--status', '--manufacturer', '--kind', '--since', '--network', '--format', '--data-dir', '--config']) expect(devices.out).toContain(flag);
  });
});
