/**
 * Socket-level test of the SSDP discoverer over loopback multicast. It sends real M-SEARCH
 * datagrams to 239.255.255.250:1900, so it runs only inside the private network namespace:
 *   sh scripts/private-netns.sh npx vitest run tests/unit/discovery/ssdp
 */
import { execFileSync } from 'node:child_process';
import { openUdpSocket } from '../../../../src/discovery/udp.ts';
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSsdpDiscovery, effectiveMx } from '../../../../src/discovery/ssdp/index.ts';
import type { DiscoveryContext } from '../../../../src/discovery/types.ts';
import type { NetInterface } from '../../../../src/discovery/interfaces.ts';
import type { Observation, SweepError } from '../../../../src/domain/types.ts';
import { silentLogger } from '../../../../src/util/log.ts';

if (process.env.CAMSWEEP_PRIVATE_NETNS !== '1') {
  throw new Error(
    'tests/unit/discovery/ssdp/discovery.test.ts sends multicast: run it inside the private namespace ' +
      '(sh scripts/private-netns.sh npx vitest run tests/unit/discovery/ssdp)',
  );
}

const LO: NetInterface = { name: 'lo', address: '127.0.0.1', netmask: '255.0.0.0', prefix: 8, mac: null };

interface Received {
  text: string;
  at: number;
  from: { address: string; port: number };
}

/** A tiny SSDP device: joins the group on loopback, records searches, answers each via `reply`. */
async function startResponder(reply: (search: Received, send: (payload: Buffer | string) => void) => void): Promise<{
  received: Received[];
  close: () => Promise<void>;
}> {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  const received: Received[] = [];
  socket.on('message', (msg, rinfo) => {
    const search: Received = { text: msg.toString('latin1'), at: Date.now(), from: { address: rinfo.address, port: rinfo.port } };
    received.push(search);
    reply(search, (payload) => socket.send(payload, rinfo.port, rinfo.address));
  });
  await new Promise<void>((resolve) => socket.bind(1900, '0.0.0.0', resolve));
  socket.addMembership('239.255.255.250', '127.0.0.1');
  return { received, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}

function header(text: string, name: string): string | undefined {
  const line = text.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

async function runFor(
  discoverer: ReturnType<typeof createSsdpDiscovery>,
  ms: number,
  windowMs = 4000,
): Promise<{ observations: Observation[]; errors: SweepError[]; stoppedAfterMs: number; expected: Array<{ withinMs: number; last: boolean }> }> {
  const observations: Observation[] = [];
  const errors: SweepError[] = [];
  const expected: Array<{ withinMs: number; last: boolean }> = [];
  const controller = new AbortController();
  const ctx: DiscoveryContext = {
    iface: LO,
    signal: controller.signal,
    udp: openUdpSocket,
    windowMs,
    log: silentLogger(),
    emit: (obs) => observations.push(obs),
    error: (err) => errors.push(err),
    expectReplies: (withinMs, last = false) => expected.push({ withinMs, last }),
  };
  const done = discoverer.run(ctx);
  await new Promise((resolve) => setTimeout(resolve, ms));
  const abortedAt = Date.now();
  controller.abort();
  await done;
  return { observations, errors, stoppedAfterMs: Date.now() - abortedAt, expected };
}

const GOOD_LF = [
  'HTTP/1.1 200 OK',
  'CACHE-CONTROL: max-age=1800',
  'EXT:',
  'LOCATION: http://127.0.0.1:49152/upnp_device_desc.xml',
  'SERVER: Linux/3.8.8, UPnP/1.0, ZheJiang Dahua Technology CO.,LTD. Upnp SDK',
  'ST: upnp:rootdevice',
  'USN: uuid:www.dahuatech.com.device_3_0-1L047ACPAW00037::upnp:rootdevice',
  'X-User-Agent: redsonic',
  '',
  '',
].join('\n');

beforeAll(() => {
  // Loopback has no multicast flag by default; both changes die with the namespace.
  execFileSync('ip', ['link', 'set', 'lo', 'multicast', 'on']);
  execFileSync('ip', ['route', 'replace', '224.0.0.0/4', 'dev', 'lo', 'src', '127.0.0.1']);
});

describe('createSsdpDiscovery over loopback multicast', () => {
  let responder: Awaited<ReturnType<typeof startResponder>>;

  beforeAll(async () => {
    responder = await startResponder((search, send) => {
      if (!search.text.startsWith('M-SEARCH')) return;
      // Junk first, then the real (LF-only) reply: the junk must not cost the good one.
      send(Buffer.from([0x00, 0xff, 0x13, 0x37, 0x48, 0x54, 0x54, 0x50]));
      send(GOOD_LF);
    });
  });
  afterAll(async () => {
    await responder.close();
  });

  it('sends both search targets twice with the configured MX, decodes LF-only replies, reports junk', async () => {
    const { observations, errors, stoppedAfterMs, expected } = await runFor(createSsdpDiscovery({ mx: 3 }), 1300);
    // The adaptive window: after each round, replies are due within MX + 0.1 s; the second round is the last.
    expect(expected).toEqual([
      { withinMs: 3100, last: false },
      { withinMs: 3100, last: true },
    ]);
    const searches = responder.received.filter((r) => r.text.startsWith('M-SEARCH * HTTP/1.1\r\n'));

    const byTarget = (st: string): Received[] => searches.filter((r) => header(r.text, 'ST') === st);
    expect(byTarget('ssdp:all')).toHaveLength(2);
    expect(byTarget('upnp:rootdevice')).toHaveLength(2);
    expect(searches).toHaveLength(4);
    for (const s of searches) {
      expect(header(s.text, 'MX')).toBe('3');
      expect(header(s.text, 'MAN')).toBe('"ssdp:discover"');
      expect(header(s.text, 'HOST')).toBe('239.255.255.250:1900');
      expect(s.from.address).toBe('127.0.0.1');
    }
    // One socket per interface: every search leaves from the same port.
    expect(new Set(searches.map((s) => s.from.port)).size).toBe(1);
    // The repeat follows the first round after 100-200 ms (a little less as timers measure it).
    for (const st of ['ssdp:all', 'upnp:rootdevice']) {
      const [first, second] = byTarget(st);
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(90);
      expect(second!.at - first!.at).toBeLessThan(1000);
    }

    // Every search got a good reply: four observations, all decoded from LF-only text.
    expect(observations).toHaveLength(4);
    for (const obs of observations) {
      expect(obs).toMatchObject({ protocol: 'ssdp', ip: '127.0.0.1', interface: 'lo' });
      expect(obs.evidence).toContainEqual({ protocol: 'ssdp', field: 'ssdp.server', value: 'Linux/3.8.8, UPnP/1.0, ZheJiang Dahua Technology CO.,LTD. Upnp SDK' });
      expect(obs.evidence).toContainEqual({ protocol: 'ssdp', field: 'ssdp.header.x-user-agent', value: 'redsonic' });
      expect(obs.identifiers).toEqual({ udn: 'uuid:www.dahuatech.com.device_3_0-1L047ACPAW00037' });
      expect(obs.endpoints).toEqual({ location: 'http://127.0.0.1:49152/upnp_device_desc.xml', httpPorts: [49152] });
    }

    // Each junk datagram is an error with its source, up to the per-host cap of 4.
    expect(errors).toHaveLength(4);
    for (const err of errors) {
      expect(err).toMatchObject({ code: 'SSDP_INVALID', ip: '127.0.0.1', protocol: 'ssdp', interface: 'lo' });
    }
    expect(stoppedAfterMs).toBeLessThan(2000); // stopped when aborted, not at the end of the 4 s window
  });

  it('lowers MX to what the listen window leaves', async () => {
    responder.received.length = 0;
    const { expected } = await runFor(createSsdpDiscovery({ mx: 5, repeats: 1 }), 300, 1600);
    expect(expected).toEqual([{ withinMs: 1100, last: true }]);
    const searches = responder.received.filter((r) => r.text.startsWith('M-SEARCH'));
    expect(searches).toHaveLength(2);
    for (const s of searches) expect(header(s.text, 'MX')).toBe('1');
    expect(effectiveMx(5, 10_000)).toBe(5);
    expect(effectiveMx(4, 3000)).toBe(2);
  });
});

describe('createSsdpDiscovery bounds and failures', () => {
  it('caps the replies kept from one host', async () => {
    const responder = await startResponder((search, send) => {
      if (!search.text.startsWith('M-SEARCH')) return;
      for (let i = 0; i < 20; i += 1) send(GOOD_LF.replace('redsonic', `flood-${i}`));
    });
    try {
      const { observations } = await runFor(createSsdpDiscovery({ repeats: 1, searchTargets: ['ssdp:all'], maxPerHost: 5 }), 500);
      expect(observations).toHaveLength(5);
    } finally {
      await responder.close();
    }
  });

  it('reports a socket that cannot bind and resolves without throwing', async () => {
    const errors: SweepError[] = [];
    const controller = new AbortController();
    await createSsdpDiscovery().run({
      iface: { ...LO, name: 'ghost0', address: '10.254.254.254' },
      signal: controller.signal,
      udp: openUdpSocket,
      windowMs: 3000,
      log: silentLogger(),
      emit: () => undefined,
      error: (err) => errors.push(err),
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'SSDP_BIND_FAILED', protocol: 'ssdp', interface: 'ghost0' });
    expect(errors[0]!.message).toContain('EADDRNOTAVAIL');
  });

  it('does nothing when the window is already closed', async () => {
    const responder = await startResponder(() => undefined);
    try {
      const controller = new AbortController();
      controller.abort();
      const errors: SweepError[] = [];
      await createSsdpDiscovery().run({
        iface: LO,
        signal: controller.signal,
        udp: openUdpSocket,
        windowMs: 3000,
        log: silentLogger(),
        emit: () => undefined,
        error: (err) => errors.push(err),
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(responder.received).toHaveLength(0);
      expect(errors).toHaveLength(0);
    } finally {
      await responder.close();
    }
  });

  it('refuses a search target that would inject headers when it is configured', () => {
    expect(() => createSsdpDiscovery({ searchTargets: ['ssdp:all\r\nX: y'] })).toThrow(/ST must be/u);
  });
});
