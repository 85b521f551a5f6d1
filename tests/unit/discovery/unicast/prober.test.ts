/**
 * runUnicastProbe over real sockets on loopback: fake devices on 127.0.0.x answer with
 * captured replies re-addressed to what they were asked. It sends datagrams, so it runs ONLY
 * inside the private network namespace of scripts/private-netns.sh:
 *   sh scripts/private-netns.sh npx vitest run tests/unit/discovery/unicast
 * Other test files listen on the well-known ports (0.0.0.0:5353, :1900...) at the same time, so
 * every datagram here goes to free ports the fake devices picked (UnicastContext.ports).
 */
import dgram from 'node:dgram';
import { openUdpSocket } from '../../../../src/discovery/udp.ts';
import { readFileSync } from 'node:fs';
import dnsPacket from 'dns-packet';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Observation, SweepError } from '../../../../src/domain/types.ts';
import { runUnicastProbe, UNICAST_REPLY_MS, type UnicastContext, type UnicastStats } from '../../../../src/discovery/unicast/prober.ts';
import { createProbeIds, type UnicastProtocol } from '../../../../src/discovery/unicast/probes.ts';
import { describeDatagram } from '../../../../src/sweep/describe.ts';
import { silentLogger } from '../../../../src/util/log.ts';
import { createRateLimiter } from '../../../../src/util/rate.ts';
import { parseProbe } from '../../../lab/simulator/wsd-probe.ts';
import { parseSadpRequest } from '../../../lab/simulator/sadp-messages.ts';

const fixture = (path: string): Buffer => readFileSync(new URL(`../../../fixtures/${path}`, import.meta.url));
const WSD_REPLY = fixture('wsd/hikvision.ds-2cd3955fwd-iws.ProbeMatches.xml').toString('utf8');
const SADP_REPLY = fixture('sadp/hikvision.virtual.ProbeMatch.xml').toString('utf8');
const SSDP_REPLY = fixture('ssdp/dahua.unknown.ssdp-response-1.txt');
const DHIP_REPLY = fixture('dhip/dahua.virtual.notifyDevInfo.bin');

const PROTOCOLS: readonly UnicastProtocol[] = ['wsd', 'ssdp', 'sadp', 'dhip', 'mdns'];
/** The ports of this test's fake devices (the first one's ears get free ports, the others share them). */
let ports: Record<UnicastProtocol, number> | undefined;

const sockets: dgram.Socket[] = [];
async function udp(address: string, port: number): Promise<dgram.Socket> {
  const s = dgram.createSocket({ type: 'udp4' });
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind({ address, port, exclusive: true }, () => resolve());
  });
  sockets.push(s);
  return s;
}

afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
  ports = undefined;
});

interface Heard {
  protocol: UnicastProtocol;
  at: number;
  msg: Buffer;
}

/**
 * A device at `address` answering every protocol the way the captured device did, to the
 * sender; `replyFrom` answers from another address instead (a reply nobody probed).
 */
async function device(address: string, options: { replyFrom?: string; mdnsPartial?: boolean } = {}): Promise<Heard[]> {
  const heard: Heard[] = [];
  const replier = options.replyFrom === undefined ? undefined : await udp(options.replyFrom, 0);
  const chosen: Partial<Record<UnicastProtocol, number>> = {};
  for (const protocol of PROTOCOLS) {
    const ear = await udp(address, ports?.[protocol] ?? 0);
    chosen[protocol] = ear.address().port;
    ear.on('message', (msg, rinfo) => {
      heard.push({ protocol, at: performance.now(), msg });
      const reply = answer(protocol, msg, options.mdnsPartial === true);
      if (reply) (replier ?? ear).send(reply, rinfo.port, rinfo.address);
    });
  }
  ports ??= chosen as Record<UnicastProtocol, number>;
  return heard;
}

function answer(protocol: UnicastProtocol, msg: Buffer, mdnsPartial: boolean): Buffer | undefined {
  switch (protocol) {
    case 'wsd': {
      const id = parseProbe(msg)?.messageId;
      return id === undefined ? undefined : Buffer.from(WSD_REPLY.replace(/(<[\w-]*:?RelatesTo>)[^<]*(<\/)/u, `$1${id}$2`));
    }
    case 'sadp': {
      const request = parseSadpRequest(msg);
      return request.kind === 'inquiry' ? Buffer.from(SADP_REPLY.replace(/<Uuid>[^<]*<\/Uuid>/u, `<Uuid>${request.uuid}</Uuid>`)) : undefined;
    }
    case 'ssdp':
      return SSDP_REPLY;
    case 'dhip':
      return DHIP_REPLY;
    case 'mdns': {
      const query = dnsPacket.decode(msg);
      const instance = 'AXIS M2036-LE - ACCC8E20360E._axis-video._tcp.local';
      const askedTxt = query.questions?.some((q) => q.type === 'TXT' && q.name === instance) === true;
      const answers: dnsPacket.Answer[] = askedTxt
        ? [{ name: instance, type: 'TXT', ttl: 120, data: ['macaddress=ACCC8E20360E'] }]
        : [{ name: '_axis-video._tcp.local', type: 'PTR', ttl: 120, data: instance }];
      if (!mdnsPartial && !askedTxt) {
        answers.push(
          { name: instance, type: 'TXT', ttl: 120, data: ['macaddress=ACCC8E20360E'] },
          { name: instance, type: 'SRV', ttl: 120, data: { port: 80, target: 'axis-accc8e20360e.local' } },
          { name: 'axis-accc8e20360e.local', type: 'A', ttl: 120, data: '127.0.0.2' },
        );
      }
      return dnsPacket.encode({ type: 'response', id: query.id ?? 0, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: query.questions ?? [], answers });
    }
  }
  return undefined;
}

interface Run {
  observations: Observation[];
  errors: SweepError[];
  audited: Array<{ protocol: UnicastProtocol; address: string; port: number; message: string; at: number }>;
  progress: string[];
  stats: UnicastStats;
  ms: number;
}

async function run(over: Partial<UnicastContext> & Pick<UnicastContext, 'addresses'>): Promise<Run> {
  const observations: Observation[] = [];
  const errors: SweepError[] = [];
  const audited: Run['audited'] = [];
  const progress: string[] = [];
  // No device in this test: a silent one picks the free ports.
  if (ports === undefined) await device('127.0.0.254');
  const started = performance.now();
  const stats = await runUnicastProbe({
    ports: ports!,
    rate: createRateLimiter({ perSecond: 1000 }),
    udp: openUdpSocket,
    concurrency: 4,
    listenMs: 300,
    log: silentLogger(),
    interfaceOf: () => undefined,
    emit: (o) => observations.push(o),
    error: (e) => errors.push(e),
    audit: (protocol) => ({ address, port, payload }) => audited.push({ protocol, address, port, message: describeDatagram(protocol, payload), at: performance.now() }),
    onProgress: (n, total) => progress.push(`${n}/${total}`),
    ...over,
  });
  return { observations, errors, audited, progress, stats, ms: performance.now() - started };
}

describe('runUnicastProbe on loopback (private namespace only)', () => {
  beforeAll(() => {
    if (process.env.CAMSWEEP_PRIVATE_NETNS !== '1') {
      throw new Error('refusing to send probes outside the private namespace: run `sh scripts/private-netns.sh npx vitest run tests/unit/discovery/unicast`');
    }
  });

  it('probes each address with every protocol, reads every answer, and drops a reply from an address nobody probed', async () => {
    const answering = await device('127.0.0.2');
    const impostor = await device('127.0.0.3', { replyFrom: '127.0.0.9' });
    const r = await run({ addresses: ['127.0.0.2', '127.0.0.3', '127.0.0.4'] });

    expect(r.stats).toMatchObject({ addresses: 3, probed: 3, datagrams: 18, failed: 0 });
    expect(r.progress).toEqual(['0/3', '1/3', '2/3', '3/3']);
    // Every datagram went through the audit hook, to the probed addresses only, six each.
    const p = ports!;
    for (const address of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) {
      expect(r.audited.filter((a) => a.address === address).map((a) => `${a.protocol}:${a.port}`)).toEqual([
        `wsd:${p.wsd}`,
        `wsd:${p.wsd}`,
        `ssdp:${p.ssdp}`,
        `sadp:${p.sadp}`,
        `dhip:${p.dhip}`,
        `mdns:${p.mdns}`,
      ]);
    }
    expect(answering.map((h) => h.protocol).sort()).toEqual(['dhip', 'mdns', 'sadp', 'ssdp', 'wsd', 'wsd']);
    expect(impostor).toHaveLength(6);

    const found = [...new Set(r.observations.map((o) => `${o.ip} ${o.protocol}`))].sort();
    expect(found).toEqual(['127.0.0.2 dhip', '127.0.0.2 mdns', '127.0.0.2 sadp', '127.0.0.2 ssdp', '127.0.0.2 wsd']);
    expect(r.observations.filter((o) => o.protocol === 'wsd')).toHaveLength(1);
    expect(r.observations.find((o) => o.protocol === 'mdns')?.mac).toBe('ac:cc:8e:20:36:0e');
    expect(r.observations.every((o) => o.interface === undefined)).toBe(true);

    const unexpected = r.errors.filter((e) => e.code === 'UNICAST_UNEXPECTED_SOURCE');
    expect(unexpected.length).toBeGreaterThanOrEqual(4);
    expect(new Set(unexpected.map((e) => e.ip))).toEqual(new Set(['127.0.0.9']));
    expect(r.errors.filter((e) => !['UNICAST_UNEXPECTED_SOURCE', 'DHIP_MALFORMED'].includes(e.code))).toEqual([]);
  });

  it('keeps to the rate, and listens for the whole window after the last probe', async () => {
    await device('127.0.0.2');
    const r = await run({ addresses: ['127.0.0.2', '127.0.0.3', '127.0.0.4'], rate: createRateLimiter({ perSecond: 40, burst: 1 }), listenMs: 400 });
    // 18 datagrams at 40/s: the first at once, 17 more 25 ms apart.
    expect(r.stats.sendMs).toBeGreaterThanOrEqual(17 * 25 - 10);
    expect(r.stats.sendMs).toBeLessThan(17 * 25 + 1500); // paced, not stalled (a loaded machine delays timers)
    for (let i = 1; i < r.audited.length; i += 1) expect(r.audited[i]!.at - r.audited[i - 1]!.at).toBeGreaterThanOrEqual(20);
    const last = r.audited.at(-1)!.at;
    expect(r.ms).toBeGreaterThanOrEqual(r.stats.sendMs + 400 - 5);
    expect(r.ms - (last - r.audited[0]!.at)).toBeLessThan(400 + 1500);
  });

  it('probes one address after another with concurrency 1, interleaves them with more', async () => {
    const order = async (concurrency: number): Promise<string> =>
      (await run({ addresses: ['127.0.0.2', '127.0.0.3'], concurrency, listenMs: 0 })).audited.map((a) => a.address.slice(-1)).join('');
    expect(await order(1)).toBe('222222333333');
    expect(await order(2)).toBe('232323232323');
  });

  it('asks an mDNS host for what its answer left out, with the same message ID, a bounded number of times', async () => {
    // This device answers the PTR, then only ever the TXT: the SRV is asked for twice, no more.
    const heard = await device('127.0.0.2', { mdnsPartial: true });
    const ids = createProbeIds();
    const r = await run({ addresses: ['127.0.0.2'], ids, followUpDelayMs: 20, protocols: ['mdns'] });
    const queries = heard.map((h) => dnsPacket.decode(h.msg));
    const id = ids.mdns('127.0.0.2');
    expect(queries.map((q) => q.id)).toEqual([id, id, id]);
    expect(queries.slice(1).map((q) => q.questions?.map((x) => x.type).join(','))).toEqual(['SRV,TXT', 'SRV']);
    expect(r.audited.map((a) => `${a.address} ${a.protocol}`)).toEqual(['127.0.0.2 mdns', '127.0.0.2 mdns', '127.0.0.2 mdns']);
    expect(r.observations.some((o) => o.mac === 'ac:cc:8e:20:36:0e')).toBe(true);
  });

  it('records a target it cannot reach once per protocol, and goes on with the others', async () => {
    await device('127.0.0.2');
    // Only loopback exists in the private namespace: there is no route to 10.99.0.0/16.
    const r = await run({ addresses: ['10.99.0.1', '10.99.0.2', '127.0.0.2'] });
    expect(r.stats.failed).toBe(12);
    const failed = r.errors.filter((e) => e.code === 'UNICAST_SEND_FAILED');
    expect(failed.map((e) => e.protocol).sort()).toEqual(['dhip', 'mdns', 'sadp', 'ssdp', 'wsd']);
    expect(failed.find((e) => e.protocol === 'wsd')?.message).toMatch(new RegExp(`^4 wsd datagram\\(s\\) not sent; first: 10\\.99\\.0\\.1:${ports!.wsd} \\(ENETUNREACH\\)`, 'u'));
    expect(new Set(r.observations.map((o) => o.ip))).toEqual(new Set(['127.0.0.2']));
  });

  it('with idleMs, stops listening once the last replies are due and none came for the idle time, long before listenMs', async () => {
    await device('127.0.0.2');
    const r = await run({ addresses: ['127.0.0.2', '127.0.0.4'], listenMs: 8000, idleMs: 100 });
    // Replies to the last probe due within UNICAST_REPLY_MS (1.1 s), then 100 ms of quiet.
    expect(r.ms).toBeGreaterThanOrEqual(UNICAST_REPLY_MS - 50);
    expect(r.ms).toBeLessThan(8000 / 2); // long before listenMs
    expect([...new Set(r.observations.map((o) => o.protocol))].sort()).toEqual(['dhip', 'mdns', 'sadp', 'ssdp', 'wsd']);
  });

  it('stops at once when the sweep is cancelled, and sends nothing after', async () => {
    const controller = new AbortController();
    const addresses = Array.from({ length: 50 }, (_, i) => `127.0.1.${i + 1}`);
    setTimeout(() => controller.abort(), 100);
    const r = await run({ addresses, rate: createRateLimiter({ perSecond: 50 }), signal: controller.signal, listenMs: 10_000 });
    expect(r.ms).toBeLessThan(5000); // at once, not after the 10 s listen
    expect(r.stats.probed).toBeLessThan(5);
    expect(r.audited.length).toBeLessThanOrEqual(8);
  });
});
