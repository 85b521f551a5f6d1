/**
 * A hostile flooder (run inside one namespace by flood-lab.ts): to every WS-Discovery Probe it
 * hears it answers `--junk` junk datagrams (flood-messages.ts: random bytes, truncated XML,
 * entity bombs, 60 KB padded replies, ANSI escapes) and `--valid` ProbeMatches with distinct
 * random EPRs and RelatesTo = the probe's MessageID; to every SSDP M-SEARCH, `--junk` junk
 * datagrams and `--valid` search responses whose LOCATION is on its own address. Replies go
 * out round-robin from sockets bound to each of its `--ips` (ip:3702 / ip:1900), in batches of
 * 100 per event-loop turn. An HTTP server on :80 answers every request with 200 and a body
 * that never ends. Prints READY when bound; exits when stdin closes; counters to stderr on SIGTERM.
 *
 *   node tests/lab/bench/flood-responder.ts --ips 10.66.0.200,10.66.0.201 --junk 3000 --valid 2000
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { floodProbeMatches, floodSearchResponse, JUNK_KINDS, junkDatagram } from './flood-messages.ts';
import { parseProbe } from '../simulator/wsd-probe.ts';
import { parseMSearch } from '../simulator/ssdp-messages.ts';

const GROUP = '239.255.255.250';
const BATCH = 100;
const CHUNK = Buffer.alloc(16 * 1024, 'x');

const { values } = parseArgs({ options: { ips: { type: 'string' }, junk: { type: 'string' }, valid: { type: 'string' } }, strict: true });
const ips = (values.ips ?? '').split(',').filter((s) => s !== '');
const junkCount = Number(values.junk ?? '3000');
const validCount = Number(values.valid ?? '2000');
if (ips.length === 0 || !Number.isInteger(junkCount) || !Number.isInteger(validCount)) throw new Error('flood: --ips a,b --junk N --valid N');

const counters = { probes: 0, searches: 0, queued: 0, sent: 0, sendErrors: 0, bytes: 0, http: 0 };

function bind(port: number, address: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    socket.once('error', reject);
    socket.bind(port, address, () => {
      socket.off('error', reject);
      socket.on('error', (err) => process.stderr.write(`udp ${address}:${port}: ${err.message}\n`));
      resolve(socket);
    });
  });
}

/** Sends `total` datagrams made by `make(i, ip)` round-robin over `sockets`, BATCH per turn. */
function burst(sockets: readonly Socket[], to: RemoteInfo, total: number, make: (i: number, ip: string) => Buffer): void {
  let i = 0;
  const step = (): void => {
    const end = Math.min(total, i + BATCH);
    for (; i < end; i += 1) {
      const k = i % sockets.length;
      const socket = sockets[k];
      if (socket === undefined) continue;
      const msg = make(i, ips[k] ?? '');
      counters.queued += 1;
      socket.send(msg, to.port, to.address, (err) => {
        if (err) counters.sendErrors += 1;
        else {
          counters.sent += 1;
          counters.bytes += msg.length;
        }
      });
    }
    if (i < total) setImmediate(step);
  };
  step();
}

const wsdSockets: Socket[] = [];
const ssdpSockets: Socket[] = [];

function onProbe(msg: Buffer, from: RemoteInfo): void {
  const probe = parseProbe(msg);
  if (probe?.messageId === undefined) return;
  counters.probes += 1;
  const relatesTo = probe.messageId;
  burst(wsdSockets, from, junkCount + validCount, (i, ip) =>
    i < junkCount ? junkDatagram(JUNK_KINDS[i % JUNK_KINDS.length] ?? 'random', ip, relatesTo) : Buffer.from(floodProbeMatches(ip, relatesTo)),
  );
}

function onSearch(msg: Buffer, from: RemoteInfo): void {
  const search = parseMSearch(msg);
  if (search === undefined) return;
  counters.searches += 1;
  burst(ssdpSockets, from, junkCount + validCount, (i, ip) =>
    i < junkCount ? junkDatagram(JUNK_KINDS[i % JUNK_KINDS.length] ?? 'random', ip, 'urn:uuid:none') : Buffer.from(floodSearchResponse(ip, search.st)),
  );
}

for (const ip of ips) {
  const wsd = await bind(3702, ip);
  wsd.on('message', onProbe);
  wsdSockets.push(wsd);
  const ssdp = await bind(1900, ip);
  ssdp.on('message', onSearch);
  ssdpSockets.push(ssdp);
}
const wsdGroup = await bind(3702, '0.0.0.0');
wsdGroup.addMembership(GROUP, ips[0] ?? '');
wsdGroup.on('message', onProbe);
const ssdpGroup = await bind(1900, '0.0.0.0');
ssdpGroup.addMembership(GROUP, ips[0] ?? '');
ssdpGroup.on('message', onSearch);

const server = createServer((req, res) => {
  counters.http += 1;
  req.resume();
  res.writeHead(200, { 'Content-Type': 'text/xml' });
  const pump = (): void => {
    let more = true;
    while (more && !res.destroyed) more = res.write(CHUNK);
  };
  res.on('drain', pump);
  pump();
});
server.on('clientError', (_err, socket) => socket.destroy());
await new Promise<void>((resolve) => server.listen(80, '0.0.0.0', resolve));

process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => {
  process.stderr.write(`${JSON.stringify(counters)}\n`);
  process.exit(0);
});
process.stdout.write(`READY ${ips.length}\n`);
