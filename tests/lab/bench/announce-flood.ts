/**
 * A flood of forged announcements (run inside one namespace by startFlooder, flood-lab.ts):
 * from sockets bound to each of its `--ips`, round-robin, `--rate` datagrams a second (in
 * batches every 10 ms) until stopped: WS-Discovery Hellos with a fresh EPR and MetadataVersion
 * each (every one a "new identity"), SSDP NOTIFY ssdp:alive with a fresh UUID, BOOTID and a
 * LOCATION on its own address, mDNS announcements of a fresh host name, and a share of junk
 * (random bytes, a cut Hello, an entity bomb). Every message is valid enough to be read: the
 * flood is what forged announcements cost, not what junk costs. Prints READY when bound; exits
 * when stdin closes; counters as one JSON line on stderr on SIGTERM.
 *
 *   node tests/lab/bench/announce-flood.ts --ips 10.66.0.200,10.66.0.201 --rate 5000
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { parseArgs } from 'node:util';
import dnsPacket from 'dns-packet';

const { values } = parseArgs({ options: { ips: { type: 'string' }, rate: { type: 'string' } }, strict: true });
const ips = (values.ips ?? '').split(',').filter((s) => s !== '');
const rate = Number(values.rate ?? '5000');
if (ips.length === 0 || !(rate > 0)) throw new Error('announce-flood: --ips a,b --rate N');

const counters = { sent: 0, sendErrors: 0, bytes: 0, hello: 0, notify: 0, mdns: 0, junk: 0 };

const hello = (): Buffer => {
  const epr = `urn:uuid:${randomUUID()}`;
  return Buffer.from(
    '<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">' +
      `<s:Header><a:MessageID>urn:uuid:${randomUUID()}</a:MessageID><a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Hello</a:Action></s:Header>` +
      `<s:Body><d:Hello><a:EndpointReference><a:Address>${epr}</a:Address></a:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types>` +
      `<d:Scopes>onvif://www.onvif.org/name/FORGED-${randomBytes(4).toString('hex')} onvif://www.onvif.org/hardware/X${randomBytes(6).toString('hex')}</d:Scopes>` +
      `<d:XAddrs>http://${ips[0]}/onvif/device_service</d:XAddrs><d:MetadataVersion>${Math.floor(Math.random() * 1e6)}</d:MetadataVersion></d:Hello></s:Body></s:Envelope>`,
  );
};

const notify = (ip: string): Buffer =>
  Buffer.from(
    [
      'NOTIFY * HTTP/1.1',
      'HOST: 239.255.255.250:1900',
      'CACHE-CONTROL: max-age=1800',
      `LOCATION: http://${ip}:${1024 + Math.floor(Math.random() * 60000)}/${randomBytes(4).toString('hex')}.xml`,
      `SERVER: Forged/${randomBytes(3).toString('hex')} UPnP/1.1 X/1`,
      'NT: upnp:rootdevice',
      `USN: uuid:${randomUUID()}::upnp:rootdevice`,
      'NTS: ssdp:alive',
      `BOOTID.UPNP.ORG: ${Math.floor(Math.random() * 1e9)}`,
      '',
      '',
    ].join('\r\n'),
  );

const mdns = (ip: string): Buffer => {
  const host = `forged-${randomBytes(5).toString('hex')}.local`;
  const instance = `Forged ${randomBytes(4).toString('hex')}._http._tcp.local`;
  return dnsPacket.encode({
    type: 'response',
    flags: dnsPacket.AUTHORITATIVE_ANSWER,
    answers: [
      { name: '_http._tcp.local', type: 'PTR', ttl: 4500, data: instance },
      { name: instance, type: 'SRV', ttl: 120, data: { priority: 0, weight: 0, port: 80, target: host } },
      { name: instance, type: 'TXT', ttl: 4500, data: [Buffer.from(`md=X${randomBytes(4).toString('hex')}`)] },
      { name: host, type: 'A', ttl: 120, data: ip },
    ],
  });
};

const junk = (): Buffer => {
  const kind = Math.floor(Math.random() * 3);
  if (kind === 0) return randomBytes(64 + Math.floor(Math.random() * 1400));
  if (kind === 1) return hello().subarray(0, 300);
  return Buffer.from('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><s:Envelope><s:Body><d:Hello>&b;</d:Hello></s:Body></s:Envelope>');
};

/** One message: its destination and bytes. */
function next(n: number, ip: string): { port: number; group: string; msg: Buffer } {
  switch (n % 8) {
    case 0:
    case 1:
    case 2:
      counters.hello += 1;
      return { port: 3702, group: '239.255.255.250', msg: hello() };
    case 3:
    case 4:
      counters.notify += 1;
      return { port: 1900, group: '239.255.255.250', msg: notify(ip) };
    case 5:
    case 6:
      counters.mdns += 1;
      return { port: 5353, group: '224.0.0.251', msg: mdns(ip) };
    default:
      counters.junk += 1;
      return { port: 3702, group: '239.255.255.250', msg: junk() };
  }
}

function bind(address: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: 'udp4' });
    socket.once('error', reject);
    socket.bind(0, address, () => {
      socket.off('error', reject);
      socket.setMulticastInterface(address);
      socket.setMulticastTTL(1);
      socket.on('error', () => (counters.sendErrors += 1));
      resolve(socket);
    });
  });
}

const sockets = await Promise.all(ips.map(bind));
const TICK_MS = 10;
const perTick = Math.max(1, Math.round((rate * TICK_MS) / 1000));
let n = 0;
const timer = setInterval(() => {
  for (let i = 0; i < perTick; i += 1, n += 1) {
    const k = n % sockets.length;
    const { port, group, msg } = next(Math.floor(n / sockets.length), ips[k]!);
    sockets[k]!.send(msg, port, group, (err) => {
      if (err) counters.sendErrors += 1;
      else {
        counters.sent += 1;
        counters.bytes += msg.length;
      }
    });
  }
}, TICK_MS);

const stop = (): void => {
  clearInterval(timer);
  for (const s of sockets) s.close();
  process.stderr.write(`${JSON.stringify(counters)}\n`);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
process.stdout.write(`READY ${JSON.stringify({ ips, rate })}\n`);
