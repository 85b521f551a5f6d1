/**
 * The neighbour table readers under hostile input: parseIpNeighJson and parseProcNetArp
 * never throw, whatever `ip -j neigh` or /proc/net/arp holds, and every MAC they keep is
 * normalised. (No capture of either is in tests/fixtures: the seeds below are written in
 * the exact iproute2 and kernel formats.)
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { parseIpNeighJson, parseProcNetArp, type NeighbourTable } from '../../src/discovery/neighbours.ts';
import { check, checkNoPollution, noThrow } from './shared/bounds.ts';
import type { Capture } from './shared/captures.ts';
import { everyCut, mutantsOf } from './shared/mutate.ts';
import { CASE_TIMEOUT_MS, fuzz, sweep, Tally } from './shared/run.ts';
import { hostileString } from './shared/text-gen.ts';
import { inputFloorCase } from './shared/family.ts';

const FUNCTIONS = ['parseIpNeighJson', 'parseProcNetArp'] as const;
const tally = new Tally();
const MAC = /^(?:[0-9a-f]{2}:){5}[0-9a-f]{2}$/u;

function checkTable(table: NeighbourTable, text: string, where: string): void {
  check(table.size <= 100_000, () => `${where}: ${table.size} entries`);
  for (const [ip, mac] of table) {
    check(typeof ip === 'string' && ip.length <= text.length, () => `${where}: key ${String(ip).slice(0, 40)}`);
    check(MAC.test(mac), () => `${where}: mac ${mac}`);
  }
}

function input(bytes: Buffer): void {
  const text = bytes.toString('utf8');
  const json = tally.time('parseIpNeighJson', () => noThrow(() => parseIpNeighJson(text), 'parseIpNeighJson'), bytes.length);
  checkTable(json, text, 'parseIpNeighJson');
  const arp = tally.time('parseProcNetArp', () => noThrow(() => parseProcNetArp(text), 'parseProcNetArp'), bytes.length);
  checkTable(arp, text, 'parseProcNetArp');
  checkNoPollution('neighbours');
}

/** `ip -j neigh show` as iproute2 prints it (one line, fields in its order). */
const IP_NEIGH: Capture = {
  name: 'ip -j neigh show',
  bytes: Buffer.from(
    JSON.stringify([
      { dst: '10.66.0.11', dev: 'eth0', lladdr: '44:19:b6:21:42:0b', state: ['REACHABLE'] },
      { dst: '10.66.0.1', dev: 'eth0', lladdr: '02:00:00:00:00:01', router: null, state: ['STALE'] },
      { dst: '10.66.0.12', dev: 'eth0', state: ['INCOMPLETE'] },
      { dst: 'fe80::4619:b6ff:fe21:420b', dev: 'eth0', lladdr: '44:19:b6:21:42:0b', state: ['DELAY', 'PROBE'] },
      { dst: '224.0.0.251', dev: 'eth0', lladdr: '01:00:5e:00:00:fb', state: ['NOARP'] },
    ]) + '\n',
  ),
};

/** /proc/net/arp as the kernel prints it. */
const PROC_ARP: Capture = {
  name: '/proc/net/arp',
  bytes: Buffer.from(
    [
      'IP address       HW type     Flags       HW address            Mask     Device',
      '10.66.0.11       0x1         0x2         44:19:b6:12:34:56     *        eth0',
      '10.66.0.12       0x1         0x0         00:00:00:00:00:00     *        eth0',
      '10.66.0.13       0x1         0x2         4c:11:bf:aa:bb:cc     *        eth1',
      '',
    ].join('\n'),
  ),
};

const SEEDS = [IP_NEIGH, PROC_ARP];

const entry = fc.record(
  {
    dst: fc.oneof(fc.constantFrom('10.66.0.11', 'fe80::1', '', '__proto__', 'constructor'), hostileString, fc.integer()),
    dev: fc.oneof(fc.constant('eth0'), hostileString),
    lladdr: fc.oneof(fc.constantFrom('44:19:b6:21:42:0b', '44-19-B6-21-42-0B', '4419.b621.420b', '00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff', 'zz'), hostileString, fc.integer(), fc.constant(null)),
    state: fc.oneof(fc.array(fc.oneof(fc.constantFrom('REACHABLE', 'STALE', 'INCOMPLETE', 'FAILED', 'NOARP', 'PERMANENT'), hostileString), { maxLength: 3 }), hostileString, fc.constant(null)),
  },
  { requiredKeys: [] },
);

const neighJson = fc.oneof(
  fc.array(fc.oneof({ weight: 6, arbitrary: entry }, { weight: 1, arbitrary: fc.jsonValue() }), { maxLength: 40 }).map((a) => JSON.stringify(a)),
  fc.json(),
  hostileString,
);

const arpText = fc
  .array(
    fc.oneof(
      fc.tuple(fc.oneof(fc.constant('10.66.0.11'), hostileString), fc.constantFrom('0x0', '0x2', '0x6', 'junk'), fc.oneof(fc.constant('44:19:b6:12:34:56'), hostileString)).map(([ip, flags, mac]) => `${ip} 0x1 ${flags} ${mac} * eth0`),
      hostileString,
    ),
    { maxLength: 40 },
  )
  .map((lines) => `IP address HW type Flags HW address Mask Device\n${lines.join('\n')}`);

describe('fuzz: neighbour table', { timeout: CASE_TIMEOUT_MS }, () => {
  it('survives the iproute2 and /proc/net/arp samples cut at every byte', () => {
    for (const seed of SEEDS) sweep(`neighbours cuts of ${seed.name}`, everyCut(seed.bytes), input, (cut) => `the first ${cut.length} bytes`);
  });

  it('survives mutants of both samples', () => {
    for (const seed of SEEDS) fuzz(`neighbours mutants of ${seed.name}`, mutantsOf(seed, SEEDS), (m) => input(m.bytes), 2500);
  });

  it('survives generated neighbour JSON', () => {
    fuzz('neighbours generated json', neighJson, (text) => input(Buffer.from(text, 'utf8')), 4000);
  });

  it('survives generated /proc/net/arp text', () => {
    fuzz('neighbours generated arp', arpText, (text) => input(Buffer.from(text, 'utf8')), 2000);
  });

  inputFloorCase(tally, FUNCTIONS, 'neighbours');
});
