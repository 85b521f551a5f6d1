import { createHmac, randomBytes } from 'node:crypto';
import { buildDhipSearch, DHIP_PORT } from '../dhip/payloads.ts';
import { CAMERA_SERVICE_TYPES, MDNS_PORT, nameLabels, packQueries, SERVICES_ENUMERATION, typeQuestions, type MdnsQuestion } from '../mdns/payloads.ts';
import { buildSadpInquiry, SADP_PORT } from '../sadp/payloads.ts';
import { buildMSearch, SSDP_PORT } from '../ssdp/payloads.ts';
import { buildProbe, NVT_TYPES, WSD_PORT } from '../wsd/payloads.ts';

/**
 * What a routed sweep sends to one address (pure), built only with each protocol's own
 * payload builder: WS-Discovery Probe (the NVT-typed and the untyped variant) to :3702, SSDP
 * M-SEARCH `ssdp:all` to :1900, the SADP `inquiry` to :37020, DHIP `DHDiscover.search` to
 * :37810 (not the Dahua v1 broadcast search), and one legacy-unicast mDNS query (from an
 * ephemeral port, RFC 6762 §6.7) for `_services._dns-sd._udp.local` plus the camera service
 * types to :5353.
 *
 * The ids a reply must echo (WS-Discovery MessageID, SADP Uuid, DNS message ID) are derived
 * from the address with a per-sweep secret, so nothing per address is stored, and a reply
 * echoing the id sent to another address is told apart.
 */
export type UnicastProtocol = 'wsd' | 'ssdp' | 'sadp' | 'dhip' | 'mdns';
export const UNICAST_PROTOCOLS: readonly UnicastProtocol[] = ['wsd', 'ssdp', 'sadp', 'dhip', 'mdns'];
/** Where each protocol is asked: its well-known port. */
export const UNICAST_PORTS: Readonly<Record<UnicastProtocol, number>> = { wsd: WSD_PORT, ssdp: SSDP_PORT, sadp: SADP_PORT, dhip: DHIP_PORT, mdns: MDNS_PORT };

export interface UnicastProbe {
  protocol: UnicastProtocol;
  port: number;
  payload: Buffer;
}

export interface ProbeIds {
  /** `urn:uuid:...` MessageIDs of the two WS-Discovery probes sent to `ip`. */
  wsd(ip: string): [string, string];
  /** The upper-case Uuid of the SADP inquiry sent to `ip`. */
  sadp(ip: string): string;
  /** The DNS message ID of mDNS queries sent to `ip` (1..65535). */
  mdns(ip: string): number;
}

function uuidFrom(bytes: Buffer): string {
  const b = Buffer.from(bytes.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Ids keyed by a secret (default: 16 random bytes, one per sweep). */
export function createProbeIds(secret: Buffer = randomBytes(16)): ProbeIds {
  const mac = (label: string, ip: string): Buffer => createHmac('sha256', secret).update(`${label}\n${ip}`).digest();
  return {
    wsd: (ip) => [`urn:uuid:${uuidFrom(mac('wsd-nvt', ip))}`, `urn:uuid:${uuidFrom(mac('wsd-any', ip))}`],
    sadp: (ip) => uuidFrom(mac('sadp', ip)).toUpperCase(),
    mdns: (ip) => (mac('mdns', ip).readUInt16BE(0) % 0xffff) + 1,
  };
}

/** The first mDNS question set: service enumeration and the camera types, in one query. */
export function unicastMdnsQuestions(): MdnsQuestion[] {
  return [{ labels: nameLabels(SERVICES_ENUMERATION), type: 'PTR' }, ...typeQuestions(CAMERA_SERVICE_TYPES)];
}

/** Legacy-unicast queries (no QU bit, our message ID) for `questions`. */
export function mdnsQueries(questions: readonly MdnsQuestion[], id: number): Buffer[] {
  return packQueries(questions, { id, perPacket: 16 });
}

/**
 * The datagrams for one address, in sending order, for the protocols asked for. `ports`
 * replaces the well-known ports (tests on a shared loopback use free ones).
 */
export function unicastProbes(
  ip: string,
  ids: ProbeIds,
  protocols: readonly UnicastProtocol[] = UNICAST_PROTOCOLS,
  ports: Readonly<Record<UnicastProtocol, number>> = UNICAST_PORTS,
): UnicastProbe[] {
  const wanted = new Set(protocols);
  const out: UnicastProbe[] = [];
  if (wanted.has('wsd')) {
    const [typed, untyped] = ids.wsd(ip);
    out.push({ protocol: 'wsd', port: ports.wsd, payload: Buffer.from(buildProbe({ messageId: typed, types: NVT_TYPES })) });
    out.push({ protocol: 'wsd', port: ports.wsd, payload: Buffer.from(buildProbe({ messageId: untyped })) });
  }
  if (wanted.has('ssdp')) {
    // UDA 1.1 §1.3.2: a unicast M-SEARCH names the device in HOST; MX 1 keeps the wait short.
    out.push({ protocol: 'ssdp', port: ports.ssdp, payload: Buffer.from(buildMSearch({ st: 'ssdp:all', mx: 1, host: `${ip}:${ports.ssdp}` }), 'latin1') });
  }
  if (wanted.has('sadp')) out.push({ protocol: 'sadp', port: ports.sadp, payload: Buffer.from(buildSadpInquiry(ids.sadp(ip))) });
  if (wanted.has('dhip')) out.push({ protocol: 'dhip', port: ports.dhip, payload: buildDhipSearch() });
  if (wanted.has('mdns')) {
    for (const payload of mdnsQueries(unicastMdnsQuestions(), ids.mdns(ip))) out.push({ protocol: 'mdns', port: ports.mdns, payload });
  }
  return out;
}

/** Conservative pacing: 100 datagrams a second, 8 addresses at once. */
export const DEFAULT_UNICAST_RATE = { packetsPerSecond: 100, concurrency: 8 } as const;
/** Bounds of the rate an operator may set (`--rate`, `sweep.rate.packetsPerSecond`). */
export const MIN_PACKETS_PER_SECOND = 1;
export const MAX_PACKETS_PER_SECOND = 10_000;
