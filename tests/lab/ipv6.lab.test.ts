/**
 * IPv6 discovery end to end: the real CLI on the standard lab's cameras. Every veth carries an
 * IPv6 link-local address; the agent probes ff02::c (WS-Discovery, SSDP) and ff02::fb (mDNS)
 * besides the IPv4 groups, the simulators answer from their fe80 address, and each device is
 * found once with both addresses (merged through the neighbour table's MAC).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, standardLab, STANDARD_DEVICES, type Lab } from './netns.ts';
import type { SweepResult } from '../../src/domain/types.ts';
import type { AuditEntry } from '../../src/domain/audit.ts';
import { sleep } from '../../src/util/time.ts';

const CLI = new URL('../../bin/camsweep.js', import.meta.url).pathname;
const NAMES = ['hikvision', 'dahua', 'axis'];
let lab: Lab;

interface Addr6 {
  local: string;
  scope: string;
  tentative?: boolean;
}

/** The eth0 link-local address of a namespace, once duplicate address detection is over. */
async function linkLocal(exec: (cmd: string[]) => Promise<{ code: number | null; stdout: string; stderr: string }>): Promise<string> {
  for (let i = 0; i < 100; i += 1) {
    const r = await exec(['ip', '-j', '-6', 'addr', 'show', 'dev', 'eth0']);
    expect(r.code, r.stderr).toBe(0);
    const links = JSON.parse(r.stdout) as Array<{ addr_info: Addr6[] }>;
    const addr = links.flatMap((l) => l.addr_info).find((a) => a.scope === 'link');
    if (addr && addr.tentative !== true) return addr.local;
    await sleep(100);
  }
  throw new Error('no usable IPv6 link-local address on eth0');
}

const device6 = new Map<string, string>();

beforeAll(async () => {
  lab = await createLab(standardLab({ only: NAMES }));
  await linkLocal((cmd) => lab.execAgent(cmd));
  for (const name of NAMES) device6.set(name, await linkLocal((cmd) => lab.execDevice(name, cmd)));
  await lab.startDevices();
}, 60_000);

afterAll(async () => {
  await lab?.stop();
});

describe('camsweep sweep over IPv6 link-local', () => {
  let result: SweepResult;
  let audit: AuditEntry[];

  beforeAll(async () => {
    const auditFile = path.join(lab.dir, 'audit6.jsonl');
    const run = await lab.execAgent(
      [process.execPath, CLI, 'sweep', '--interface', 'eth0', '--timeout', '3', '--format', 'json', '--log-level', 'warn', '--audit-file', auditFile],
      { timeoutMs: 30_000 },
    );
    expect(run.code, run.stderr).toBe(0);
    result = JSON.parse(run.stdout) as SweepResult;
    audit = readFileSync(auditFile, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEntry);
  }, 60_000);

  it('finds each camera once, its IPv4 address as ip and its fe80 address with the zone among its addresses', () => {
    for (const name of NAMES) {
      const spec = STANDARD_DEVICES.find((d) => d.name === name)!;
      const found = result.devices.filter((d) => d.mac === spec.mac);
      expect(found.map((d) => d.ip), name).toEqual([spec.ip]);
      expect(found[0]!.addresses, name).toEqual([spec.ip, `${device6.get(name)}%eth0`]);
    }
    expect(result.devices).toHaveLength(NAMES.length);
    expect(result.errors.filter((e) => /IPV6/u.test(e.code))).toEqual([]);
  });

  it('records the IPv6 group sends in the audit, and no request to an IPv6 host', () => {
    const udp6 = audit.filter((e) => e.transport === 'udp' && e.destination.includes(':'));
    expect(new Set(udp6.map((e) => `${e.protocol} ${e.destination}:${e.port}`))).toEqual(
      new Set(['wsd ff02::c:3702', 'ssdp ff02::c:1900', 'mdns ff02::fb:5353']),
    );
    expect(udp6.filter((e) => e.protocol === 'wsd').map((e) => e.message).sort()).toEqual([
      'Probe (no Types)',
      'Probe (no Types)',
      'Probe dn:NetworkVideoTransmitter',
      'Probe dn:NetworkVideoTransmitter',
    ]);
    for (const e of audit.filter((x) => x.transport === 'tcp')) expect(e.destination, JSON.stringify(e)).not.toContain(':');
  });

  it('reaches the simulators over IPv6 from the agent link-local address', async () => {
    for (const name of NAMES) {
      const hits = await lab.deviceHits(name);
      const v6 = hits.filter((h) => h.from.startsWith('fe80:'));
      expect(new Set(v6.map((h) => h.proto)), name).toEqual(new Set(['wsd', 'ssdp', 'mdns'].filter((p) => hits.some((h) => h.proto === p))));
    }
  });
});

/**
 * The phantom row: a camera that already knows the agent's MAC answers over IPv6 without a
 * neighbour solicitation, so the agent's kernel never learns the camera's fe80 address (a
 * first sweep, or after entries expire). Each device gets a permanent neighbour entry for the
 * agent before it answers, and the agent's table is emptied; the sweep must still list each
 * camera once, joined by evidence that does not depend on the cache (EUI-64, EPR, UDN, XAddr).
 */
describe('camsweep sweep over IPv6 when the agent\'s neighbour table does not know the cameras', () => {
  let result: SweepResult;
  let agentTable: string;

  beforeAll(async () => {
    const agent6 = await linkLocal((cmd) => lab.execAgent(cmd));
    const agentMac = standardLab().agent.mac!;
    for (const name of NAMES) {
      const r = await lab.execDevice(name, ['ip', '-6', 'neigh', 'replace', agent6, 'lladdr', agentMac, 'dev', 'eth0', 'nud', 'permanent']);
      expect(r.code, r.stderr).toBe(0);
    }
    for (const family of ['-4', '-6']) {
      const r = await lab.execAgent(['ip', family, 'neigh', 'flush', 'dev', 'eth0']);
      expect(r.code, r.stderr).toBe(0);
    }
    const run = await lab.execAgent(
      [process.execPath, CLI, 'sweep', '--interface', 'eth0', '--timeout', '3', '--format', 'json', '--log-level', 'warn'],
      { timeoutMs: 30_000 },
    );
    expect(run.code, run.stderr).toBe(0);
    result = JSON.parse(run.stdout) as SweepResult;
    agentTable = (await lab.execAgent(['ip', '-6', 'neigh', 'show', 'dev', 'eth0'])).stdout;
  }, 60_000);

  it('the scenario holds: the agent never learnt the cameras\' fe80 addresses', () => {
    for (const name of NAMES) expect(agentTable, name).not.toContain(device6.get(name)!);
  });

  it('lists each camera once, with both its addresses, and no fe80 row of its own', () => {
    for (const name of NAMES) {
      const spec = STANDARD_DEVICES.find((d) => d.name === name)!;
      const rows = result.devices.filter((d) => d.addresses.some((a) => a === spec.ip || a.startsWith(device6.get(name)!)));
      expect(rows.map((d) => d.ip), name).toEqual([spec.ip]);
      expect(rows[0]!.addresses, name).toEqual([spec.ip, `${device6.get(name)}%eth0`]);
    }
    expect(result.devices.filter((d) => d.ip.startsWith('fe80:'))).toEqual([]);
    expect(result.devices).toHaveLength(NAMES.length);
  });
});
