import { execFileSync } from 'node:child_process';
import { openUdpSocket, type UdpFactory } from '../../src/discovery/udp.ts';
import dgram from 'node:dgram';
import type { NetInterface } from '../../src/discovery/interfaces.ts';
import type { Discoverer } from '../../src/discovery/types.ts';
import type { Observation, SweepError } from '../../src/domain/types.ts';
import { silentLogger } from '../../src/util/log.ts';

/**
 * Test scaffolding for discoverers over real sockets on loopback. They send multicast and
 * broadcast, so every such test file calls `enableLoopbackMulticast` from `beforeAll`: it refuses
 * to run outside the private namespace of scripts/private-netns.sh.
 *
 * Sockets from `loopbackUdp` stay registered until `closeLoopbackSockets` runs: call it from
 * `afterEach(closeLoopbackSockets)` in every test file that opens one.
 */

/** 127.0.0.1/24: 127.0.1.x is off this interface's subnet. */
export const LOOPBACK: NetInterface = { name: 'lo', address: '127.0.0.1', netmask: '255.255.255.0', prefix: 24, mac: null };

/**
 * Throws unless inside scripts/private-netns.sh (the message names `testPath` to run there);
 * then turns multicast on for lo and routes 224.0.0.0/4 through it.
 */
export function enableLoopbackMulticast(testPath: string): void {
  if (process.env.CAMSWEEP_PRIVATE_NETNS !== '1') {
    throw new Error(`refusing to send multicast outside the private namespace: run \`sh scripts/private-netns.sh npx vitest run ${testPath}\``);
  }
  execFileSync('ip', ['link', 'set', 'lo', 'multicast', 'on']);
  execFileSync('ip', ['route', 'replace', '224.0.0.0/4', 'dev', 'lo', 'src', '127.0.0.1']);
}

const sockets: dgram.Socket[] = [];

/** A bound UDP socket (SO_REUSEADDR with `reuse`), joined to the group `join` on 127.0.0.1 if given. */
export async function loopbackUdp(address: string, port: number, options: { reuse?: boolean; join?: string } = {}): Promise<dgram.Socket> {
  const s = dgram.createSocket({ type: 'udp4', reuseAddr: options.reuse ?? false });
  await new Promise<void>((resolve) => s.bind({ address, port, exclusive: options.reuse !== true }, resolve));
  if (options.join !== undefined) s.addMembership(options.join, '127.0.0.1');
  sockets.push(s);
  return s;
}

/** Closes every socket `loopbackUdp` opened since the last call. */
export function closeLoopbackSockets(): void {
  for (const s of sockets.splice(0)) s.close();
}

export interface LoopbackRun {
  observations: Observation[];
  errors: SweepError[];
  /** How long `run` took, ms. */
  ms: number;
  /** Every datagram sent, as `<address>:<port> <bytes>`, in order. */
  audited: string[];
  /** Every ctx.expectReplies call (the adaptive window), in order. */
  expected: ExpectedReplies[];
}

export interface ExpectedReplies {
  withinMs: number;
  last: boolean;
  /** Datagrams sent before the call. */
  afterSends: number;
}

/** Runs `discoverer` on `iface` for a window of `windowMs` (then aborted) on the host's sockets, collecting what it reports. */
export function runOnLoopback(discoverer: Discoverer, iface: NetInterface, windowMs: number, random?: () => number): Promise<LoopbackRun> {
  return runDiscoverer(discoverer, iface, windowMs, openUdpSocket, random);
}

/** Runs `discoverer` on `iface` for a window of `windowMs` (then aborted) with sockets from `udp`, collecting what it reports. */
export async function runDiscoverer(discoverer: Discoverer, iface: NetInterface, windowMs: number, udp: UdpFactory, random?: () => number): Promise<LoopbackRun> {
  const observations: Observation[] = [];
  const audited: string[] = [];
  const errors: SweepError[] = [];
  const expected: ExpectedReplies[] = [];
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), windowMs);
  const started = performance.now();
  await discoverer.run({
    expectReplies: (withinMs, last = false) => expected.push({ withinMs, last, afterSends: audited.length }),
    iface,
    signal: controller.signal,
    udp,
    windowMs,
    log: silentLogger(),
    emit: (o) => observations.push(o),
    error: (e) => errors.push(e),
    audit: ({ address, port, payload }) => audited.push(`${address}:${port} ${payload.length}`),
    ...(random === undefined ? {} : { random }),
  });
  clearTimeout(timer);
  return { observations, errors, ms: performance.now() - started, audited, expected };
}
