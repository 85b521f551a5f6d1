/**
 * The vendor discoverers end to end: Hikvision SADP and Dahua DHIP + v1 run through the real
 * sweep (vendor-discovery-runner.ts: only these two discoverers, no enrichment) in the agent
 * namespace of a lab, against the simulated Hikvision and Dahua cameras. Asserts what was
 * found, what was sent (the sweep's audit record and what every device received: only the
 * SADP inquiry, DHDiscover.search and the v1 search), and checks the simulator itself with an
 * independent standard-library client (clients/vendor_probe.py). Runs inside
 * scripts/private-netns.sh only (createLab refuses anything else).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/domain/audit.ts';
import type { Device, SweepResult } from '../../src/domain/types.ts';
import { createLab, standardLab, STANDARD_DEVICES, type DeviceHit, type Lab } from './netns.ts';

const RUNNER = new URL('./vendor-discovery-runner.ts', import.meta.url).pathname;
const CLIENT = new URL('./clients/vendor_probe.py', import.meta.url).pathname;
const PY = '/usr/bin/python3';
const AGENT = '10.66.0.2';
const WINDOW_MS = 2000;

const ip = (name: string): string => STANDARD_DEVICES.find((d) => d.name === name)!.ip;
const values = (d: Device, field: string): string[] => d.evidence.filter((e) => e.field === field).map((e) => e.value);

async function sweep(lab: Lab, interfaces: string[]): Promise<{ result: SweepResult; audit: AuditEntry[]; ms: number }> {
  const args = [process.execPath, RUNNER, '--window-ms', String(WINDOW_MS), ...interfaces.flatMap((i) => ['--interface', i])];
  const run = await lab.execAgent(args, { timeoutMs: 30_000 });
  expect(run.code, run.stderr).toBe(0);
  expect(run.stderr).not.toMatch(/Unhandled|TypeError|RangeError/u);
  return { ...(JSON.parse(run.stdout) as { result: SweepResult; audit: AuditEntry[] }), ms: run.ms };
}

/** Which kinds of SADP/DHIP messages a device received, and from whom. */
function vendorHits(hits: DeviceHit[]): string[] {
  return hits.filter((h) => h.proto === 'sadp' || h.proto === 'dhip').map((h) => `${h.from} ${h.proto} ${h.kind}`);
}

interface ProbeResult {
  uuid: string;
  sadp: Array<{ from: string; via: string; uuid: string; fields: Record<string, string> }>;
  dhip: Array<{ from: string; via: string; lengths: number[]; json: { mac: string; method: string; params: { deviceInfo: Record<string, unknown> } } }>;
  v1: Array<{ from: string; mac: string; model: string; ip: string; lines: Record<string, string> }>;
  errors: unknown[];
}

async function probe(lab: Lab, extra: string[] = []): Promise<ProbeResult> {
  const run = await lab.execAgent([PY, CLIENT, '--ip', AGENT, '--seconds', '1.5', ...extra], { timeoutMs: 20_000 });
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as ProbeResult;
}

describe('SADP and DHIP discovery on the standard lab (ordinary devices)', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await createLab(standardLab({ hostile: false }));
    await lab.startDevices();
  }, 60_000);

  afterAll(async () => {
    if (lab === undefined) return;
    try {
      expect(lab.stoppedDevices()).toEqual([]);
      for (const d of lab.devices) expect(await lab.deviceLog(d.name)).not.toMatch(/"level":50|simulator error/u);
    } finally {
      await lab.stop();
    }
  }, 30_000);

  describe('the sweep with only the vendor discoverers', () => {
    let result: SweepResult;
    let audit: AuditEntry[];
    let ms: number;

    beforeAll(async () => {
      ({ result, audit, ms } = await sweep(lab, ['eth0']));
    }, 60_000);

    it('finds exactly the Hikvision and the Dahua camera, within its window, without errors', () => {
      expect(result.devices.map((d) => d.ip)).toEqual([ip('hikvision'), ip('dahua')]);
      expect(result.errors).toEqual([]);
      // Within the window and the enrichment grace (5 s), with a margin for a loaded machine.
      expect(ms).toBeLessThan(WINDOW_MS + 5000 + 3000);
      for (const d of result.devices) expect(d.interfaces).toEqual(['eth0']);
    });

    it('reads the Hikvision camera\'s SADP answer: MAC, serial, model, firmware, activation', () => {
      const d = result.devices.find((x) => x.ip === ip('hikvision'))!;
      expect(d.mac).toBe('44:19:b6:21:42:0b');
      expect(d.serial).toBe('DS-2CD2142FWD-I20170418AAWR739215406');
      expect(d.protocols).toEqual(['sadp']);
      expect(values(d, 'sadp.reply')).toEqual(['true']);
      expect(values(d, 'sadp.model')).toEqual(['DS-2CD2142FWD-I']);
      expect(values(d, 'sadp.firmware')).toEqual(['V5.4.5build 170124']);
      expect(values(d, 'sadp.mac')).toEqual(['44:19:b6:21:42:0b']);
      expect(values(d, 'sadp.ipv4')).toEqual(['10.66.0.11']);
      expect(values(d, 'sadp.activated')).toEqual(['true']);
      expect(values(d, 'sadp.oemInfo')).toEqual(['N/A']);
      expect(values(d, 'sadp.commandPort')).toEqual(['8000']);
    });

    it('reads the Dahua camera\'s DHIP and v1 answers: MAC, serial, model, firmware, vendor', () => {
      const d = result.devices.find((x) => x.ip === ip('dahua'))!;
      expect(d.mac).toBe('4c:11:bf:22:28:0c');
      expect(d.serial).toBe('6G0C8E1PAZ4A2F7');
      // It answered us directly, so its ARP for the agent also put it in the neighbour table.
      expect(d.protocols.filter((p) => p !== 'arp')).toEqual(['dhip']);
      expect(values(d, 'mac.address').every((m) => m === d.mac)).toBe(true);
      expect(values(d, 'dhip.variant').sort()).toEqual(['dhip', 'v1']);
      expect(values(d, 'dhip.model')).toEqual(['IPC-HFW2228M-I1-V2']);
      expect(values(d, 'dhip.firmware')).toEqual(['2.800.0000000.22.R']);
      expect(values(d, 'dhip.vendor')).toEqual(['Dahua']);
      expect(values(d, 'dhip.manufacturer')).toEqual(['Private']);
      expect(values(d, 'dhip.mac')).toEqual(['4c:11:bf:22:28:0c']);
      expect(values(d, 'dhip.port')).toEqual(['37777']);
      expect(values(d, 'dhip.v1.name')).toEqual(['Dahua']);
    });

    it('sent only the SADP inquiry, DHDiscover.search and the v1 search, twice, each to its group and broadcast', () => {
      const sent = audit.map((a) => `${a.protocol} ${a.interface} ${a.destination}:${a.port} ${a.message}`).sort();
      const once = [
        'sadp eth0 239.255.255.250:37020 SADP inquiry',
        'sadp eth0 255.255.255.255:37020 SADP inquiry',
        'dhip eth0 239.255.255.251:37810 DHIP DHDiscover.search',
        'dhip eth0 255.255.255.255:37810 DHIP DHDiscover.search',
        'dhip eth0 255.255.255.255:5050 Dahua v1 search',
      ];
      expect(sent).toEqual([...once, ...once].sort());
    });

    it('every device received only those messages, from the agent (and the others none at all)', async () => {
      const hik = vendorHits(await lab.deviceHits('hikvision'));
      expect(hik).toEqual(Array.from({ length: 4 }, () => `${AGENT} sadp inquiry`));
      const dahua = vendorHits(await lab.deviceHits('dahua')).sort();
      expect(dahua).toEqual([...Array.from({ length: 4 }, () => `${AGENT} dhip DHDiscover.search`), ...Array.from({ length: 2 }, () => `${AGENT} dhip v1-search`)]);
      for (const name of ['axis', 'epson', 'chromecast']) expect(vendorHits(await lab.deviceHits(name)), name).toEqual([]);
    });
  });

  describe('the simulator, seen by an independent client (python3 standard library)', () => {
    it('the Hikvision camera answers the inquiry on the group, echoing the Uuid, with the capture\'s field set', async () => {
      const r = await probe(lab);
      expect(r.errors).toEqual([]);
      expect(r.sadp.map((s) => [s.from, s.via, s.uuid])).toEqual([
        [ip('hikvision'), 'sadp-group', r.uuid],
        [ip('hikvision'), 'sadp-group', r.uuid],
      ]);
      expect(r.sadp[0]?.fields).toMatchObject({
        Types: 'inquiry',
        DeviceDescription: 'DS-2CD2142FWD-I',
        DeviceSN: 'DS-2CD2142FWD-I20170418AAWR739215406',
        MAC: '44-19-b6-21-42-0b',
        IPv4Address: ip('hikvision'),
        SoftwareVersion: 'V5.4.5build 170124',
        Activated: 'true',
        HCPlatformEnable: 'flase',
      });

      // The Dahua camera answers DHIP to the sender and the group, framed with equal lengths.
      expect(r.dhip.map((d) => [d.from, d.via]).sort()).toEqual([
        [ip('dahua'), 'dhip-group'],
        [ip('dahua'), 'dhip-group'],
        [ip('dahua'), 'unicast'],
        [ip('dahua'), 'unicast'],
      ]);
      for (const d of r.dhip) {
        expect(d.lengths[0]).toBe(d.lengths[1]);
        expect(d.json.mac).toBe('4c:11:bf:22:28:0c');
        expect(d.json.params.deviceInfo).toMatchObject({ DeviceType: 'IPC-HFW2228M-I1-V2', SerialNo: '6G0C8E1PAZ4A2F7', Vendor: 'Dahua', Version: '2.800.0000000.22.R' });
      }
      // ... and the v1 search to the sender.
      expect(r.v1).toEqual([
        {
          from: ip('dahua'),
          via: 'unicast',
          magic: 0xb3,
          mac: '4c:11:bf:22:28:0c',
          model: 'IPC-HFW2228M-I1-V2',
          ip: ip('dahua'),
          lines: { Name: 'Dahua', Device: 'IPC-HFW2228M-I1-V2', IPv6Addr: 'fe80::4e11:bfff:fe22:280c/64;gateway:::', SerialNo: '6G0C8E1PAZ4A2F7' },
        },
      ]);
    }, 30_000);

    it('the simulator answers nothing but the real searches, and logs anything else as junk', async () => {
      const r = await probe(lab, ['--sadp-types', 'inquiry_v32', '--dhip-method', 'DHDiscover.getVersion']);
      expect(r.sadp).toEqual([]);
      expect(r.dhip).toEqual([]);
      const junk = (hits: DeviceHit[]): string[] => hits.filter((h) => h.kind === 'junk' && (h.proto === 'sadp' || h.proto === 'dhip')).map((h) => (h.detail ?? '').split(':')[0] ?? '');
      expect(junk(await lab.deviceHits('hikvision'))).toEqual(['Types inquiry_v32', 'Types inquiry_v32']);
      expect(junk(await lab.deviceHits('dahua'))).toEqual(['DHIP method "DHDiscover.getVersion"', 'DHIP method "DHDiscover.getVersion"']);
    }, 30_000);
  });
});

describe('SADP and DHIP discovery on a multi-homed agent', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await createLab({
      agent: { ip: AGENT, mac: '02:66:00:00:00:02', extraInterfaces: [{ ifname: 'eth1', bridge: 'cams', ip: '10.67.0.2', mac: '02:66:00:00:00:03' }] },
      bridges: [{ name: 'cams', subnet: '10.67.0.0/24' }],
      devices: [
        { name: 'hikvision', ip: '10.66.0.11', mac: '44:19:b6:21:42:0b', profile: 'hikvision-ds-2cd2142fwd' },
        { name: 'hikvision-2', ip: '10.67.0.21', mac: '28:57:be:21:42:15', profile: 'hikvision-ds-2cd2142fwd', bridge: 'cams' },
        { name: 'dahua', ip: '10.67.0.12', mac: '4c:11:bf:22:28:0c', profile: 'dahua-ipc-hfw2228m', bridge: 'cams' },
      ],
    });
    await lab.startDevices();
  }, 60_000);

  afterAll(async () => {
    await lab?.stop();
  });

  it('probes from both interfaces and files each device once, under the interface it answered on', async () => {
    const { result, audit } = await sweep(lab, ['eth0', 'eth1']);
    expect(result.errors).toEqual([]);
    expect(result.devices.map((d) => [d.ip, d.mac, d.interfaces, d.protocols.filter((p) => p !== 'arp')])).toEqual([
      ['10.66.0.11', '44:19:b6:21:42:0b', ['eth0'], ['sadp']],
      ['10.67.0.12', '4c:11:bf:22:28:0c', ['eth1'], ['dhip']],
      ['10.67.0.21', '28:57:be:21:42:15', ['eth1'], ['sadp']],
    ]);
    expect(new Set(audit.map((a) => a.interface))).toEqual(new Set(['eth0', 'eth1']));
    expect(audit).toHaveLength(20);
    // Each camera heard only its own segment's searches.
    expect(vendorHits(await lab.deviceHits('hikvision'))).toEqual(Array.from({ length: 4 }, () => `${AGENT} sadp inquiry`));
    expect(vendorHits(await lab.deviceHits('hikvision-2'))).toEqual(Array.from({ length: 4 }, () => '10.67.0.2 sadp inquiry'));
  }, 60_000);
});
