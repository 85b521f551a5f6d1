import type { CentralStore } from '../../src/central/store/store.ts';
import type { Device, Evidence, SweepResult } from '../../src/domain/types.ts';
import type { Attribution, PolicyVerdict } from '../../src/domain/verdict.ts';
import { buildReports, type ReportV1 } from '../../src/report/payload.ts';

/**
 * An estate for the console's tests, screenshots and benchmark: sites of devices as agents
 * report them (src/report/payload.ts), with restricted devices of several makers and brands
 * (white labels among them), devices to review, clear ones, evidence, fingerprint matches and
 * conflicts, and, when asked, devices whose strings are hostile HTML.
 */

const NDAA = { document: 'Public Law 115-232, section 889', date: '2018-08-13', url: 'https://www.congress.gov/115/plaws/publ232/PLAW-115publ232.pdf' };

interface Kind {
  manufacturer: string | null;
  brand: string | null;
  model: string;
  firmware: string;
  kind: Device['kind'];
  oui: string;
  status: Device['status'];
  rule?: string;
  entity?: string;
  conflict?: string;
  evidence: (serial: string) => Evidence[];
}

const KINDS: Kind[] = [
  {
    manufacturer: 'Hikvision',
    brand: 'Hikvision',
    model: 'DS-2CD2142FWD-I',
    firmware: 'V5.4.5 build 170124',
    kind: 'camera',
    oui: '44:19:b6',
    status: 'restricted',
    rule: 'hikvision',
    entity: 'Hangzhou Hikvision Digital Technology Company',
    evidence: (serial) => [
      { protocol: 'onvif', field: 'onvif.manufacturer', value: 'HIKVISION' },
      { protocol: 'onvif', field: 'onvif.serialNumber', value: serial },
      { protocol: 'wsd', field: 'wsd.scope.name', value: 'HIKVISION DS-2CD2142FWD-I' },
      { protocol: 'mac', field: 'mac.oui.registrant', value: 'Hangzhou Hikvision Digital Technology Co.,Ltd.' },
    ],
  },
  {
    manufacturer: 'Dahua',
    brand: 'Dahua',
    model: 'IPC-HDW2431T-AS-S2',
    firmware: '2.800.0000000.16.R',
    kind: 'camera',
    oui: '3c:ef:8c',
    status: 'restricted',
    rule: 'dahua',
    entity: 'Dahua Technology Company',
    evidence: (serial) => [
      { protocol: 'dhip', field: 'dhip.deviceType', value: 'IPC-HDW2431T-AS-S2' },
      { protocol: 'dhip', field: 'dhip.serialNo', value: serial },
      { protocol: 'http', field: 'http.title', value: 'WEB SERVICE' },
    ],
  },
  {
    manufacturer: 'Dahua',
    brand: 'Lorex',
    model: 'LNB4321B',
    firmware: '2.622.0000000.3.R',
    kind: 'camera',
    oui: '3c:ef:8c',
    status: 'restricted',
    rule: 'dahua',
    entity: 'Dahua Technology Company',
    conflict: 'the label says Lorex; the DHIP reply and the MAC registrant say Dahua (maker of record)',
    evidence: (serial) => [
      { protocol: 'onvif', field: 'onvif.manufacturer', value: 'Lorex' },
      { protocol: 'dhip', field: 'dhip.serialNo', value: serial },
      { protocol: 'mac', field: 'mac.oui.registrant', value: 'Zhejiang Dahua Technology Co., Ltd.' },
    ],
  },
  {
    manufacturer: 'Hikvision',
    brand: 'EZVIZ',
    model: 'CS-C6N',
    firmware: 'V5.3.0 build 211208',
    kind: 'camera',
    oui: 'bc:ad:28',
    status: 'restricted',
    rule: 'hikvision',
    entity: 'Hangzhou Hikvision Digital Technology Company',
    evidence: (serial) => [
      { protocol: 'mdns', field: 'mdns.txt.model', value: 'CS-C6N' },
      { protocol: 'mdns', field: 'mdns.txt.serial', value: serial },
    ],
  },
  {
    manufacturer: 'Hikvision',
    brand: 'Hikvision',
    model: 'DS-7608NI-K2',
    firmware: 'V4.30.085 build 200916',
    kind: 'recorder',
    oui: '44:19:b6',
    status: 'restricted',
    rule: 'hikvision',
    entity: 'Hangzhou Hikvision Digital Technology Company',
    evidence: (serial) => [
      { protocol: 'sadp', field: 'sadp.DeviceType', value: 'DS-7608NI-K2' },
      { protocol: 'sadp', field: 'sadp.DeviceSN', value: serial },
    ],
  },
  {
    manufacturer: null,
    brand: 'Uniarch',
    model: 'IPC-B122',
    firmware: 'IPC_G6103-B0010P10D1907',
    kind: 'camera',
    oui: '24:28:fd',
    status: 'review',
    evidence: () => [{ protocol: 'upnp', field: 'upnp.manufacturer', value: 'Uniarch' }],
  },
  {
    manufacturer: 'Axis',
    brand: 'Axis',
    model: 'P3245-LV',
    firmware: '10.12.182',
    kind: 'camera',
    oui: 'ac:cc:8e',
    status: 'clear',
    evidence: () => [
      { protocol: 'onvif', field: 'onvif.manufacturer', value: 'AXIS' },
      { protocol: 'mdns', field: 'mdns.txt.macaddress', value: 'ACCC8E000000' },
    ],
  },
  {
    manufacturer: 'Hanwha Vision',
    brand: 'Wisenet',
    model: 'XNO-6080R',
    firmware: '2.10.00',
    kind: 'camera',
    oui: '00:16:6c',
    status: 'clear',
    evidence: () => [{ protocol: 'onvif', field: 'onvif.manufacturer', value: 'Hanwha Vision' }],
  },
];

function verdictOf(k: Kind): PolicyVerdict {
  if (k.status === 'restricted') {
    return {
      status: 'restricted',
      reason: `made by ${k.manufacturer ?? ''}, a covered entity under NDAA section 889`,
      pack: 'us-ndaa-889',
      rule: k.rule!,
      entity: k.entity!,
      source: NDAA,
      scope: 'video surveillance equipment produced by Hikvision or Dahua (or any subsidiary or affiliate)',
    };
  }
  if (k.status === 'review') return { status: 'review', reason: `a camera sold as ${k.brand ?? 'an unknown brand'} whose maker is not established` };
  return { status: 'clear', reason: `made by ${k.manufacturer ?? 'an unlisted maker'}, not covered by any pack in force` };
}

function attributionOf(k: Kind, evidence: Evidence[]): Attribution {
  return {
    manufacturer: k.manufacturer,
    brand: k.brand,
    model: k.model,
    firmwareFamily: null,
    kind: k.kind,
    confidence: k.manufacturer === null ? 0.3 : 0.93,
    candidates: k.manufacturer === null ? [] : [{ manufacturer: k.manufacturer, score: 0.93, fingerprints: evidence.map((e) => `${(k.manufacturer ?? 'x').toLowerCase().replace(/\W+/gu, '-')}.${e.field}`) }],
    matches: evidence.map((e) => ({
      fingerprint: `${(k.manufacturer ?? k.brand ?? 'unknown').toLowerCase().replace(/\W+/gu, '-')}.${e.field}`,
      protocol: e.protocol,
      field: e.field,
      value: e.value,
      weight: 0.8,
      claims: { ...(k.manufacturer === null ? {} : { manufacturer: k.manufacturer }), ...(k.brand === null ? {} : { brand: k.brand }) },
      tell: e.field.startsWith('mac.') ? 'registry' : 'statement',
    })),
    conflicts: k.conflict === undefined ? [] : [k.conflict],
  };
}

export interface EstateOptions {
  sites: number;
  perSite: number;
  /** Site names: `HQ Building A`..., then `Branch 0009`... by default. */
  siteName?: (i: number) => string;
  /** Add, at the first site, devices whose model, brand and serial are hostile HTML. */
  hostile?: boolean;
}

export const HOSTILE_SCRIPT = '<script>alert(1)</script>';
export const HOSTILE_IMG = '<img src=x onerror="alert(2)">';

const NAMED_SITES = ['HQ Building A', 'HQ Building B', 'Warehouse North', 'Depot East', 'Lab Campus', 'Data Centre 2', 'Harbour Office', 'Training Centre'];
export const siteName = (i: number): string => NAMED_SITES[i] ?? `Branch ${String(i + 1).padStart(4, '0')}`;

/** The devices of one site: a mix of the kinds above, addresses and MACs unique across the estate. */
export function siteDevices(site: number, n: number, o: { hostile?: boolean } = {}): Device[] {
  const out: Device[] = [];
  for (let i = 0; i < n; i += 1) {
    // Skewed so that most devices are restricted (what the console is for) with some of every kind.
    const k = KINDS[[0, 0, 1, 2, 3, 4, 0, 5, 6, 7, 1, 0][i % 12]!]!;
    const seq = site * 4096 + i;
    const hex = seq.toString(16).padStart(6, '0');
    const ip = `10.${20 + (site >> 8)}.${site & 255}.${(i % 250) + 2}`;
    const serial = `${k.model.replace(/\W/gu, '')}${String(seq).padStart(9, '0')}`;
    const evidence = k.evidence(serial);
    const mac = `${k.oui}:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}`;
    out.push({
      ip,
      addresses: [ip],
      mac,
      manufacturer: k.manufacturer,
      brand: k.brand,
      model: k.model,
      firmware: k.firmware,
      serial,
      kind: k.kind,
      status: k.status,
      confidence: k.manufacturer === null ? 0.3 : 0.93,
      protocols: [...new Set(evidence.map((e) => e.protocol))],
      interfaces: ['eth0'],
      identifiers: { serial },
      evidence,
      attribution: attributionOf(k, evidence),
      verdict: verdictOf(k),
    });
  }
  if (o.hostile === true) {
    const base = out[0]!;
    for (const [j, text] of [HOSTILE_SCRIPT, HOSTILE_IMG].entries()) {
      const ip = `10.${20 + (site >> 8)}.${site & 255}.${240 + j}`;
      out.push({
        ...structuredClone(base),
        ip,
        addresses: [ip],
        mac: `02:00:00:00:0${j}:01`,
        model: text,
        brand: text,
        serial: `hostile-${j}`,
        identifiers: { serial: `hostile-${j}` },
        evidence: [
          { protocol: 'onvif', field: 'onvif.manufacturer', value: 'HIKVISION' },
          { protocol: 'onvif', field: 'onvif.model', value: text },
        ],
      });
    }
  }
  return out;
}

/** The reports an agent at `site` sends for one sweep starting at `startedAt`. */
export function estateReports(agentId: string, site: string, devices: Device[], startedAt: string): ReportV1[] {
  const result: SweepResult = {
    schema: 'camsweep.sweep/v1',
    id: `${agentId}-${startedAt}`,
    startedAt,
    finishedAt: new Date(Date.parse(startedAt) + 4200).toISOString(),
    interfaces: [{ name: 'eth0', address: '10.0.0.2', netmask: '255.255.255.0', mac: '02:00:00:00:00:02' }],
    devices,
    errors: [],
  };
  return buildReports(result, { agentId, site, sweepId: `sw-${agentId}-${startedAt}`, include: 'all', batchMaxBytes: 1024 * 1024, createdAt: startedAt, version: '0.1.0' });
}

/**
 * Fills a store through its intake path (each report checked as the intake checks it), one
 * sweep a day for `days` days ending today, each site growing a little every day, today's
 * counts recorded after each day (the chart's history). Returns the agents' ids.
 */
export async function seedEstate(
  store: CentralStore,
  o: EstateOptions & { days: number; now: number; concurrency?: number },
): Promise<string[]> {
  const { checkReportBody } = await import('../../src/central/validate.ts');
  const { serializeReport } = await import('../../src/report/payload.ts');
  const name = o.siteName ?? siteName;
  const agents: string[] = [];
  for (let day = o.days - 1; day >= 0; day -= 1) {
    const at = o.now - day * 86_400_000;
    const startedAt = new Date(at - 3600_000).toISOString();
    const pending: Array<Promise<unknown>> = [];
    for (let s = 0; s < o.sites; s += 1) {
      const agentId = `agent-${String(s + 1).padStart(4, '0')}`;
      if (day === o.days - 1) agents.push(agentId);
      // The estate grows: each site reports a few more devices each day, up to perSite on the last.
      const n = Math.max(1, Math.round(o.perSite * (1 - (day / Math.max(1, o.days)) * 0.4)));
      for (const r of estateReports(agentId, name(s), siteDevices(s, n, { hostile: o.hostile === true && s === 0 }), startedAt)) {
        const body = serializeReport(r);
        const checked = checkReportBody(Buffer.from(body));
        if (!checked.ok) throw new Error(`estate report invalid: ${checked.error} ${JSON.stringify(checked.problems)}`);
        pending.push(store.ingest(checked.report, { receivedAt: at, bytes: body.length, remote: null, agentId }));
        if (pending.length >= (o.concurrency ?? 32)) await Promise.all(pending.splice(0));
      }
    }
    await Promise.all(pending);
    await store.console.recordDailyCounts(new Date(at).toISOString().slice(0, 10));
  }
  return agents;
}
