/**
 * mDNS / DNS-SD query payloads (data + a tiny query encoder).
 *
 * Queries are encoded here rather than with dns-packet's encoder because DNS-SD instance
 * names are single labels that may contain dots ("AXIS M5014 - ACCC8E3C0419 H.264"):
 * dns-packet splits every name on '.', and does not check label lengths. Names are passed
 * as label arrays instead. Tests decode every payload with dns-packet to check the bytes.
 */

export const MDNS_GROUP = '224.0.0.251';
export const MDNS_PORT = 5353;
/** The IPv6 link-local mDNS group. */
export const MDNS_GROUP6 = 'ff02::fb';

/** DNS-SD service type enumeration (RFC 6763 §9). */
export const SERVICES_ENUMERATION = '_services._dns-sd._udp.local';

/** Service types cameras and recorders advertise (PROTOCOLS.md §1). */
export const CAMERA_SERVICE_TYPES = [
  '_axis-video._tcp',
  '_rtsp._tcp',
  '_http._tcp',
  '_onvif._tcp',
  '_arec._tcp',
  '_device-info._tcp',
  '_hap._tcp',
] as const;

/** Service types that help classify non-cameras (printers, media devices). */
export const CLASSIFY_SERVICE_TYPES = [
  '_ipp._tcp',
  '_printer._tcp',
  '_googlecast._tcp',
  '_airplay._tcp',
  '_sonos._tcp',
] as const;

/** Safe single-datagram size on Ethernet with room for IP/UDP headers. */
export const MAX_QUERY_BYTES = 1400;

const QTYPE = { A: 1, PTR: 12, TXT: 16, AAAA: 28, SRV: 33 } as const;
export type QueryType = keyof typeof QTYPE;

const CLASS_IN = 1;
/** Top bit of the question class: "unicast response requested" (RFC 6762 §5.4). */
const QU_BIT = 0x8000;

export interface MdnsQuestion {
  /** Name as labels, without the root: ['_http', '_tcp', 'local']. */
  labels: string[];
  type: QueryType;
}

export interface PackOptions {
  /** Set the QU bit on every question. */
  qu?: boolean;
  /** Most questions in one packet (default: as many as fit). */
  perPacket?: number;
  maxBytes?: number;
  /** DNS message ID; 0 for multicast queries (RFC 6762 §18.1). */
  id?: number;
}

/** Labels of a dotted name whose labels cannot contain dots (types, host names). */
export function nameLabels(name: string): string[] {
  return name.replace(/\.$/u, '').split('.');
}

/** `_http._tcp` -> `_http._tcp.local` as labels. */
export function serviceTypeLabels(type: string): string[] {
  return [...nameLabels(type), 'local'];
}

/** Wire form of a name (uncompressed), or undefined when it cannot be encoded. */
function encodeName(labels: readonly string[]): Buffer | undefined {
  const parts: Buffer[] = [];
  let total = 1;
  for (const label of labels) {
    const bytes = Buffer.from(label, 'utf8');
    if (bytes.length === 0 || bytes.length > 63) return undefined;
    total += bytes.length + 1;
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  if (total > 255) return undefined;
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

function encodeQuestion(q: MdnsQuestion, qu: boolean): Buffer | undefined {
  const name = encodeName(q.labels);
  if (!name) return undefined;
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(QTYPE[q.type], 0);
  tail.writeUInt16BE(CLASS_IN | (qu ? QU_BIT : 0), 2);
  return Buffer.concat([name, tail]);
}

function header(id: number, questions: number): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id & 0xffff, 0);
  // flags 0: standard query; qdcount; an/ns/ar 0
  h.writeUInt16BE(questions, 4);
  return h;
}

/**
 * Packs questions into query packets, each at most `maxBytes` and `perPacket` questions.
 * Questions whose names cannot be encoded (label over 63 bytes, name over 255) are dropped.
 */
export function packQueries(questions: readonly MdnsQuestion[], options: PackOptions = {}): Buffer[] {
  const maxBytes = options.maxBytes ?? MAX_QUERY_BYTES;
  const perPacket = Math.max(1, options.perPacket ?? Number.MAX_SAFE_INTEGER);
  const id = options.id ?? 0;
  const packets: Buffer[] = [];
  let current: Buffer[] = [];
  let size = 12;
  const flush = (): void => {
    if (current.length === 0) return;
    packets.push(Buffer.concat([header(id, current.length), ...current]));
    current = [];
    size = 12;
  };
  for (const q of questions) {
    const encoded = encodeQuestion(q, options.qu ?? false);
    if (!encoded || encoded.length + 12 > maxBytes) continue;
    if (current.length >= perPacket || size + encoded.length > maxBytes) flush();
    current.push(encoded);
    size += encoded.length;
  }
  flush();
  return packets;
}

/** PTR questions for service types (`_http._tcp`). */
export function typeQuestions(types: readonly string[]): MdnsQuestion[] {
  return types.map((t) => ({ labels: serviceTypeLabels(t), type: 'PTR' as const }));
}

/** The questions of one browse round: enumeration, camera types, classification types. */
export function browseQuestions(): MdnsQuestion[] {
  return [
    { labels: nameLabels(SERVICES_ENUMERATION), type: 'PTR' },
    ...typeQuestions(CAMERA_SERVICE_TYPES),
    ...typeQuestions(CLASSIFY_SERVICE_TYPES),
  ];
}

/**
 * One browse round. By default one question per packet: a legacy-unicast reply to a
 * many-question query has to answer all of them at once, and responders such as Avahi cap
 * legacy-unicast replies (then drop the SRV/TXT/A additionals first).
 */
export function buildBrowseQueries(options: PackOptions = {}): Buffer[] {
  return packQueries(browseQuestions(), { perPacket: 1, ...options });
}

/** Follow-up PTR queries for service types learned from enumeration. */
export function buildTypeQueries(types: readonly string[], options: PackOptions = {}): Buffer[] {
  return packQueries(typeQuestions(types), { perPacket: 1, ...options });
}

/** Follow-up SRV + TXT queries for instances seen without them. */
export function instanceQuestions(instances: ReadonlyArray<{ instance: string; type: string }>): MdnsQuestion[] {
  return instances.flatMap(({ instance, type }) => {
    const labels = [instance, ...serviceTypeLabels(type)];
    return [
      { labels, type: 'SRV' as const },
      { labels, type: 'TXT' as const },
    ];
  });
}

/** Follow-up A questions for SRV targets seen without an address. */
export function hostQuestions(hosts: readonly string[]): MdnsQuestion[] {
  return hosts.map((h) => ({ labels: nameLabels(h), type: 'A' as const }));
}
