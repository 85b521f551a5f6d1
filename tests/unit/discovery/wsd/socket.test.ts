/**
 * createWsDiscovery over real sockets. Sends multicast, so it runs ONLY inside the private
 * network namespace of scripts/private-netns.sh, where loopback is the only interface:
 *   sh scripts/private-netns.sh npx vitest run tests/unit/discovery/wsd
 */
import { execFileSync } from 'node:child_process';
import { openUdpSocket } from '../../../../src/discovery/udp.ts';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Observation, SweepError } from '../../../../src/domain/types.ts';
import type { NetInterface } from '../../../../src/discovery/interfaces.ts';
import { createWsDiscovery } from '../../../../src/discovery/wsd/index.ts';
import { MAX_ERRORS_PER_SOURCE as MAX_ERRORS_PER_HOST } from '../../../../src/domain/error-log.ts';
import { child, parseXml, textAt } from '../../../../src/util/xml.ts';
import { silentLogger } from '../../../../src/util/log.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../../fixtures/wsd/${name}`, import.meta.url), 'utf8');
const withRelatesTo = (text: string, id: string): string => text.replace(/(<[\w-]*:?RelatesTo>)[^<]*(<\/)/u, `$1${id}$2`);

const GROUP = '239.255.255.250';
const REPLY_FROM = '127.0.0.2';
const HIK_EPR = 'urn:uuid:18ec6401-3aa0-11b5-83f6-b4a3820fd92d';
const WHITELABEL_EPR = 'urn:uuid:2419d68a-2dd2-21b2-a205-78A5DD0F9593';

interface Probe {
  messageId: string;
  types: string | undefined;
  at: number;
}

/**
 * A tiny WS-Discovery responder: joins the group on loopback and answers each probe of ours
 * from another loopback address with junk, a reply to someone else's probe, then a good
 * reply (a Hikvision capture to typed probes, a white-label one without Types to untyped).
 */
async function startResponder(ours: (id: string) => boolean): Promise<{ probes: Probe[]; close(): void }> {
  const probes: Probe[] = [];
  const listen = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  const reply = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => listen.bind(3702, resolve));
  listen.addMembership(GROUP, '127.0.0.1');
  await new Promise<void>((resolve) => reply.bind(0, REPLY_FROM, resolve));
  listen.on('message', (msg, rinfo) => {
    const env = child(parseXml(msg.toString('utf8')), 'Envelope');
    const messageId = textAt(env, 'Header', 'MessageID') ?? '';
    if (!ours(messageId)) return; // another test's probe sharing this namespace
    const types = textAt(env, 'Body', 'Probe', 'Types');
    probes.push({ messageId, types, at: performance.now() });
    const good = types === undefined ? fixture('generic-whitelabel.631ga.ProbeMatches.xml') : fixture('hikvision.ds-2cd3955fwd-iws.ProbeMatches.xml');
    for (const datagram of [
      'HTTP/1.1 400 Bad Request\r\n\r\nnot xml',
      withRelatesTo(good, 'uuid:00000000-0000-4000-8000-00000000dead'),
      withRelatesTo(good, messageId),
    ]) {
      reply.send(datagram, rinfo.port, rinfo.address);
    }
  });
  return {
    probes,
    close() {
      listen.close();
      reply.close();
    },
  };
}

const LOOPBACK: NetInterface = { name: 'lo', address: '127.0.0.1', netmask: '255.0.0.0', prefix: 8, mac: null };

describe('createWsDiscovery on loopback (private namespace only)', () => {
  beforeAll(() => {
    if (process.env.CAMSWEEP_PRIVATE_NETNS !== '1') {
      throw new Error('refusing to send multicast outside the private namespace: run `sh scripts/private-netns.sh npx vitest run tests/unit/discovery/wsd`');
    }
    execFileSync('ip', ['link', 'set', 'lo', 'multicast', 'on']);
    execFileSync('ip', ['route', 'replace', '224.0.0.0/4', 'dev', 'lo', 'src', '127.0.0.1']);
  });

  const sentIds: string[] = [];
  let responder: Awaited<ReturnType<typeof startResponder>>;
  beforeAll(async () => {
    responder = await startResponder((id) => sentIds.includes(id));
  });
  afterAll(() => responder?.close());

  it('sends both probe variants twice, checks RelatesTo, survives junk, attributes replies to their source', async () => {
    const observations: Observation[] = [];
    const errors: SweepError[] = [];
    let n = 0;
    const discoverer = createWsDiscovery({
      newMessageId: () => {
        n += 1;
        const id = `urn:uuid:5e1d0c2b-0000-4000-8000-${String(n).padStart(12, '0')}`;
        sentIds.push(id);
        return id;
      },
    });
    expect(discoverer.protocol).toBe('wsd');
    const controller = new AbortController();
    const started = performance.now();
    const timer = setTimeout(() => controller.abort(), 1500);
    const expected: Array<{ withinMs: number; last: boolean; probes: number }> = [];
    await discoverer.run({
      iface: LOOPBACK,
      signal: controller.signal,
      udp: openUdpSocket,
      windowMs: 1500,
      log: silentLogger(),
      emit: (o) => observations.push(o),
      error: (e) => errors.push(e),
      expectReplies: (withinMs, last = false) => expected.push({ withinMs, last, probes: sentIds.length }),
    });
    clearTimeout(timer);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1450);
    expect(elapsed).toBeLessThan(1500 + 3000); // resolved once the window closed, not hung

    // 2 variants x 2 repeats, each with its own MessageID, 50-250 ms apart
    expect(responder.probes.map((p) => p.types)).toEqual([
      'dn:NetworkVideoTransmitter',
      undefined,
      'dn:NetworkVideoTransmitter',
      undefined,
    ]);
    expect(new Set(responder.probes.map((p) => p.messageId)).size).toBe(4);
    // The adaptive window: after each probe, replies are due within APP_MAX_DELAY + 0.1 s; the fourth is the last.
    expect(expected).toEqual([1, 2, 3, 4].map((n) => ({ withinMs: 600, last: n === 4, probes: n })));
    expect(responder.probes.map((p) => p.messageId)).toEqual(sentIds);
    // The repeat round waits SOAP-over-UDP's 50-250 ms; the round's second probe (another message) follows sooner (40-100 ms).
    expect(responder.probes[2]!.at - responder.probes[1]!.at).toBeGreaterThanOrEqual(40);

    // good replies: one observation per device (repeats deduplicated), ip = datagram source
    const ours = observations.filter((o) => [HIK_EPR, WHITELABEL_EPR].includes(o.identifiers?.epr ?? ''));
    expect(ours.map((o) => o.identifiers?.epr).sort()).toEqual([HIK_EPR, WHITELABEL_EPR].sort());
    for (const o of ours) {
      expect(o.ip).toBe(REPLY_FROM);
      expect(o.interface).toBe('lo');
    }
    const hik = ours.find((o) => o.identifiers?.epr === HIK_EPR)!;
    expect(hik.evidence).toContainEqual({ protocol: 'wsd', field: 'onvif.scope.name', value: 'HIKVISION DS-2CD3955FWD-IWS' });
    expect(hik.endpoints?.xaddrs).toContain('http://192.168.0.218/onvif/device_service'); // as advertised, not as ip

    // each probe drew one junk datagram and one reply to someone else's probe: eight problems
    // from one host, of which the first MAX_ERRORS_PER_HOST are recorded (a flood costs no more)
    const fromResponder = errors.filter((e) => e.ip === REPLY_FROM);
    expect(fromResponder).toHaveLength(MAX_ERRORS_PER_HOST);
    expect(fromResponder.every((e) => e.code === 'WSD_INVALID' || e.code === 'WSD_RELATES_TO_MISMATCH')).toBe(true);
    expect(fromResponder.every((e) => e.protocol === 'wsd' && e.interface === 'lo')).toBe(true);
    expect(errors.filter((e) => e.code === 'WSD_SEND_FAILED' || e.code === 'WSD_SOCKET')).toEqual([]);
  });

  it('reports an interface it cannot bind as WSD_SOCKET and resolves without throwing', async () => {
    const errors: SweepError[] = [];
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 2000);
    await createWsDiscovery().run({
      iface: { ...LOOPBACK, name: 'ghost0', address: '10.99.99.99' },
      signal: controller.signal,
      udp: openUdpSocket,
      windowMs: 2000,
      log: silentLogger(),
      emit: () => undefined,
      error: (e) => errors.push(e),
    });
    clearTimeout(timer);
    expect(errors.map((e) => [e.code, e.interface, e.protocol])).toEqual([['WSD_SOCKET', 'ghost0', 'wsd']]);
  });

  it('resolves at once when the window is already closed', async () => {
    const controller = new AbortController();
    controller.abort();
    const started = performance.now();
    await createWsDiscovery().run({
      iface: LOOPBACK,
      signal: controller.signal,
      udp: openUdpSocket,
      windowMs: 0,
      log: silentLogger(),
      emit: () => undefined,
      error: () => undefined,
    });
    expect(performance.now() - started).toBeLessThan(500);
  });
});
