/**
 * One process answering for a whole crowd (run inside the crowd namespace by crowd-lab.ts):
 * WS-Discovery on 239.255.255.250:3702 and SSDP on 239.255.255.250:1900 (joined on the first
 * device's interface, one copy per datagram), each device answering unicast from a socket bound
 * to its own address (ip:3702, ip:1900), each reply delayed as the protocols let a device delay
 * it: WS-Discovery within APP_MAX_DELAY (500 ms), SSDP within the search's MX (UDA 1.1: a
 * random delay of 0 to MX seconds), spread evenly over the crowd by a hash of the device and
 * the message; Hikvision devices answer SADP inquiries (to the group, as real ones do) and
 * Dahua devices DHIP DHDiscover.search (to the sender and the group), each within 300 ms, once
 * per inquiry however many macvlans a broadcast copy arrived on; Axis devices answer mDNS
 * queries (legacy unicast to the querier's port, RFC 6762 §6.7, after 20-120 ms); one HTTP
 * server on 0.0.0.0:80 serving each device's UPnP description, a banner on / and an ONVIF
 * 401, chosen by the connection's local address. Prints READY when every socket is bound;
 * exits when stdin closes. Counters go to stderr on SIGTERM.
 *
 *   node tests/lab/bench/crowd-responder.ts --n 250 --first 10.70.0.10 --prefix 22
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { crowdDevices, type CrowdDevice } from './crowd-plan.ts';
import dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';
import { DESCRIPTION_PATH, dhipNotify, mdnsProfileOf, probeMatches, sadpProbeMatch, searchResponse, searchTargets, upnpDescription } from './crowd-messages.ts';
import { answersFor, forLegacyUnicast, questionsOf, suppressKnown } from '../simulator/mdns-answers.ts';
import { parseSadpRequest } from '../simulator/sadp-messages.ts';
import { parseDhipRequest } from '../simulator/dhip-messages.ts';
import { intToIpv4 } from '../../../src/util/cidr.ts';
import { parseProbe } from '../simulator/wsd-probe.ts';
import { parseMSearch } from '../simulator/ssdp-messages.ts';

const GROUP = '239.255.255.250';
/** WS-Discovery 1.1 APP_MAX_DELAY. */
const WSD_MAX_DELAY_MS = 500;
/** UDA 1.1: MX outside 1..5 is treated as 1 here (a real device would ignore or clamp it). */
const mxMs = (mx: number | undefined): number => (mx !== undefined && mx >= 1 && mx <= 5 ? mx : 1) * 1000;

const { values } = parseArgs({
  options: { n: { type: 'string' }, first: { type: 'string' }, prefix: { type: 'string', default: '24' }, 'http-delay-ms': { type: 'string', default: '0' } },
  strict: true,
});
/** Embedded web servers are slow: each HTTP response waits up to this long (0: at once). */
const HTTP_DELAY_MS = Math.max(0, Number(values['http-delay-ms']) || 0);
const devices = crowdDevices(Number(values.n), values.first ?? '');
const byIp = new Map(devices.map((d) => [d.ip, d]));
const prefix = Number(values.prefix);
const mask = intToIpv4(prefix <= 0 ? 0 : (0xffffffff << (32 - Math.min(prefix, 32))) >>> 0);
const counters = { wsdProbes: 0, wsdReplies: 0, searches: 0, ssdpReplies: 0, sadpInquiries: 0, sadpReplies: 0, dhipSearches: 0, dhipReplies: 0, mdnsQueries: 0, mdnsReplies: 0, http: 0 };
const MDNS_PORT = 5353;
const MDNS_GROUP = '224.0.0.251';
const SADP_PORT = 37020;
const DHIP_PORT = 37810;
const DHIP_GROUP = '239.255.255.251';
/** Neither protocol bounds the delay; the standard lab's profiles answer within 300 ms. */
const VENDOR_MAX_DELAY_MS = 300;

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

/** A delay in [0, maxMs) for this device and message: uniform over the crowd, repeatable. */
function delayOf(d: CrowdDevice, message: number, maxMs: number): number {
  let h = Math.imul(d.index + 1, 0x9e3779b1) ^ Math.imul(message + 1, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h ^= h >>> 12;
  return (h >>> 0) % maxMs;
}

function later(delayMs: number, send: () => void): void {
  setTimeout(send, delayMs);
}

const wsdSockets = new Map<string, Socket>();
const ssdpSockets = new Map<string, Socket>();

function answerProbe(msg: Buffer, from: RemoteInfo, who: readonly CrowdDevice[]): void {
  const probe = parseProbe(msg);
  if (probe?.messageId === undefined) return;
  counters.wsdProbes += 1;
  const relatesTo = probe.messageId;
  for (const d of who) {
    later(delayOf(d, counters.wsdProbes, WSD_MAX_DELAY_MS), () => {
      const reply = Buffer.from(probeMatches(d, relatesTo, `urn:uuid:${randomUUID()}`));
      wsdSockets.get(d.ip)?.send(reply, from.port, from.address);
      counters.wsdReplies += 1;
    });
  }
}

function answerSearch(msg: Buffer, from: RemoteInfo, who: readonly CrowdDevice[]): void {
  const search = parseMSearch(msg);
  if (search === undefined) return;
  counters.searches += 1;
  for (const d of who) {
    const targets = searchTargets(d, search.st);
    if (targets.length === 0) continue;
    later(delayOf(d, counters.searches, mxMs(search.mx)), () => {
      for (const target of targets) {
        ssdpSockets.get(d.ip)?.send(Buffer.from(searchResponse(d, target, new Date())), from.port, from.address);
        counters.ssdpReplies += 1;
      }
    });
  }
}

const sadpSockets = new Map<string, Socket>();
const dhipSockets = new Map<string, Socket>();

/**
 * A broadcast reaches the crowd once per macvlan (1,000 copies at N = 1,000), all at once: the
 * same datagram from the same sender less than `gapMs` after the previous copy is the same
 * request (the gap slides with each copy, so a burst that takes a busy event loop 100 ms to
 * read is still one). Each SADP inquiry has its own Uuid, so a second is safe; DHIP searches
 * are all alike and the agent sends the next 50 ms later at the earliest, so 40 ms. Bounded:
 * the agent sends a handful.
 */
const recent = new Map<string, number>();
function firstCopy(msg: Buffer, from: RemoteInfo, gapMs: number): boolean {
  const key = `${from.address}:${from.port}:${msg.toString('base64')}`;
  const now = performance.now();
  const previous = recent.get(key);
  if (recent.size > 256) recent.clear();
  recent.set(key, now);
  return previous === undefined || now - previous >= gapMs;
}

function answerInquiry(msg: Buffer, from: RemoteInfo): void {
  const request = parseSadpRequest(msg);
  if (request.kind !== 'inquiry' || !firstCopy(msg, from, 1000)) return;
  counters.sadpInquiries += 1;
  for (const d of devices) {
    const socket = sadpSockets.get(d.ip);
    if (socket === undefined) continue;
    later(delayOf(d, counters.sadpInquiries, VENDOR_MAX_DELAY_MS), () => {
      socket.send(Buffer.from(sadpProbeMatch(d, request.uuid, mask)), SADP_PORT, GROUP);
      counters.sadpReplies += 1;
    });
  }
}

function answerDhip(msg: Buffer, from: RemoteInfo): void {
  if (parseDhipRequest(msg).kind !== 'DHDiscover.search' || !firstCopy(msg, from, 40)) return;
  counters.dhipSearches += 1;
  for (const d of devices) {
    const socket = dhipSockets.get(d.ip);
    if (socket === undefined) continue;
    later(delayOf(d, counters.dhipSearches, VENDOR_MAX_DELAY_MS), () => {
      const notify = dhipNotify(d, mask);
      socket.send(notify, from.port, from.address);
      socket.send(notify, DHIP_PORT, DHIP_GROUP);
      counters.dhipReplies += 2;
    });
  }
}

const mdnsSockets = new Map<string, Socket>();

/** One query heard on the group: every Axis device with records for it answers. */
function answerMdns(msg: Buffer, from: RemoteInfo): void {
  let packet: DecodedPacket;
  try {
    packet = dnsPacket.decode(msg);
  } catch {
    return;
  }
  if (packet.type !== 'query') return;
  counters.mdnsQueries += 1;
  const questions = questionsOf(packet);
  for (const d of devices) {
    const socket = mdnsSockets.get(d.ip);
    if (socket === undefined) continue;
    const records = answersFor(questions, mdnsProfileOf(d), d.ip);
    const answers = suppressKnown(records.answers, packet.answers);
    if (answers.length === 0) continue;
    const legacy = from.port !== MDNS_PORT;
    const reply = dnsPacket.encode({
      type: 'response',
      id: legacy ? (packet.id ?? 0) : 0,
      flags: dnsPacket.AUTHORITATIVE_ANSWER,
      ...(legacy ? { questions: (packet.questions ?? []).map((q) => ({ name: q.name, type: q.type, class: 'IN' as const })) } : {}),
      answers: legacy ? forLegacyUnicast(answers) : answers,
      additionals: legacy ? forLegacyUnicast(records.additionals) : records.additionals,
    });
    later(20 + delayOf(d, counters.mdnsQueries, 100), () => {
      if (legacy) socket.send(reply, from.port, from.address);
      else socket.send(reply, MDNS_PORT, MDNS_GROUP);
      counters.mdnsReplies += 1;
    });
  }
}

for (const d of devices) {
  if (d.vendor === 'axis') {
    const own = await bind(MDNS_PORT, d.ip);
    own.setMulticastInterface(d.ip);
    own.setMulticastLoopback(false);
    mdnsSockets.set(d.ip, own);
  }
  if (d.vendor === 'hikvision' || d.vendor === 'dahua') {
    const own = await bind(d.vendor === 'hikvision' ? SADP_PORT : DHIP_PORT, d.ip);
    own.setMulticastInterface(d.ip);
    own.setMulticastLoopback(false);
    (d.vendor === 'hikvision' ? sadpSockets : dhipSockets).set(d.ip, own);
  }
  const wsd = await bind(3702, d.ip);
  wsd.on('message', (msg, from) => answerProbe(msg, from, [d]));
  wsdSockets.set(d.ip, wsd);
  const ssdp = await bind(1900, d.ip);
  ssdp.on('message', (msg, from) => answerSearch(msg, from, [d]));
  ssdpSockets.set(d.ip, ssdp);
}

const joinOn = devices[0]?.ip ?? '';
const wsdGroup = await bind(3702, '0.0.0.0');
wsdGroup.addMembership(GROUP, joinOn);
wsdGroup.on('message', (msg, from) => answerProbe(msg, from, devices));
const ssdpGroup = await bind(1900, '0.0.0.0');
ssdpGroup.addMembership(GROUP, joinOn);
ssdpGroup.on('message', (msg, from) => answerSearch(msg, from, devices));
// SADP and DHIP: the group (joined once) and the limited broadcast (one copy per macvlan) both
// arrive on the wildcard socket; replies leave from each device's own address.
const sadpAny = await bind(SADP_PORT, '0.0.0.0');
sadpAny.addMembership(GROUP, joinOn);
sadpAny.on('message', (msg, from) => answerInquiry(msg, from));
const mdnsAny = await bind(MDNS_PORT, '0.0.0.0');
mdnsAny.addMembership(MDNS_GROUP, joinOn);
mdnsAny.on('message', (msg, from) => answerMdns(msg, from));
const dhipAny = await bind(DHIP_PORT, '0.0.0.0');
dhipAny.addMembership(DHIP_GROUP, joinOn);
dhipAny.on('message', (msg, from) => answerDhip(msg, from));

const server = createServer((req, res) => {
  counters.http += 1;
  const d = byIp.get((req.socket.localAddress ?? '').replace(/^::ffff:/u, ''));
  req.resume();
  if (d !== undefined && HTTP_DELAY_MS > 0) {
    // A fifth of the delay at least, the rest spread over the crowd and the requests.
    const wait = Math.round(HTTP_DELAY_MS / 5) + delayOf(d, counters.http, Math.max(1, Math.round((HTTP_DELAY_MS * 4) / 5)));
    setTimeout(() => respond(req, res, d), wait);
    return;
  }
  respond(req, res, d);
});

function respond(req: IncomingMessage, res: ServerResponse, d: CrowdDevice | undefined): void {
  if (d === undefined) {
    res.writeHead(404).end();
    return;
  }
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && path === DESCRIPTION_PATH) {
    res.writeHead(200, { 'Content-Type': 'text/xml; charset="utf-8"' }).end(upnpDescription(d));
  } else if (req.method === 'GET' && path === '/') {
    res.writeHead(200, { 'Content-Type': 'text/html', Server: d.vendor === 'hikvision' ? 'App-webs/' : 'Webs' }).end('<html><head><title>Web</title></head><body></body></html>');
  } else if (req.method === 'POST' && path === '/onvif/device_service') {
    res.writeHead(401, { 'WWW-Authenticate': `Digest realm="${d.vendor}", qop="auth", nonce="${d.mac.replaceAll(':', '')}"` }).end();
  } else {
    res.writeHead(404).end();
  }
}
server.on('clientError', (_err, socket) => socket.destroy());
await new Promise<void>((resolve) => server.listen(80, '0.0.0.0', resolve));

process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => {
  process.stderr.write(`${JSON.stringify(counters)}\n`);
  process.exit(0);
});
process.stdout.write(`READY ${devices.length}\n`);
