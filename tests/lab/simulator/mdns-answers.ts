import type { Answer, DecodedPacket, OptAnswer, Question } from 'dns-packet';
import type { MdnsProfile } from './profile.ts';

/**
 * mDNS / DNS-SD answers for one device (pure): which records answer which questions
 * (RFC 6762, RFC 6763). Names compare case-insensitively.
 */

export const SERVICES_META = '_services._dns-sd._udp.local';
const SHARED_TTL = 4500;
const UNIQUE_TTL = 120;

/** Resource records with data and TTL (every type but the EDNS OPT pseudo-record). */
export type MdnsRecord = Exclude<Answer, OptAnswer>;

export interface MdnsQuestion {
  name: string;
  type: string;
  /** The unicast-response bit (top bit of the class). */
  qu: boolean;
}

/**
 * dns-packet 5.6 tests the QU bit on the class *string*, so a QU question comes back with class
 * 'UNKNOWN_32769' (0x8001): read the bit from that.
 */
export function questionsOf(packet: DecodedPacket): MdnsQuestion[] {
  return (packet.questions ?? []).map((q: Question) => {
    const klass = String(q.class ?? 'IN');
    const unknown = /^UNKNOWN_(\d+)$/u.exec(klass);
    const qu = unknown !== null && (Number(unknown[1]) & 0x8000) !== 0;
    return { name: q.name, type: q.type, qu };
  });
}

export interface MdnsRecords {
  answers: MdnsRecord[];
  additionals: MdnsRecord[];
}

function eq(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function txtData(txt: string[]): Buffer[] {
  return txt.length === 0 ? [Buffer.alloc(0)] : txt.map((t) => Buffer.from(t, 'utf8'));
}

function recordKey(a: MdnsRecord): string {
  return `${a.type}|${a.name.toLowerCase()}|${JSON.stringify(a.data)}`;
}

export function answersFor(questions: MdnsQuestion[], mdns: MdnsProfile, ip: string): MdnsRecords {
  const host = `${mdns.hostname}.local`;
  const aRecord: MdnsRecord = { name: host, type: 'A', class: 'IN', ttl: UNIQUE_TTL, flush: true, data: ip };
  const answers: MdnsRecord[] = [];
  const additionals: MdnsRecord[] = [];
  for (const q of questions) {
    const any = q.type === 'ANY';
    if (eq(q.name, SERVICES_META) && (q.type === 'PTR' || any)) {
      for (const s of mdns.services) {
        answers.push({ name: SERVICES_META, type: 'PTR', class: 'IN', ttl: SHARED_TTL, data: `${s.type}.local` });
      }
    }
    if (eq(q.name, host) && (q.type === 'A' || any)) answers.push(aRecord);
    for (const s of mdns.services) {
      const typeName = `${s.type}.local`;
      const instance = `${s.instance}.${typeName}`;
      const srv: MdnsRecord = {
        name: instance,
        type: 'SRV',
        class: 'IN',
        ttl: UNIQUE_TTL,
        flush: true,
        data: { priority: 0, weight: 0, port: s.port, target: host },
      };
      const txt: MdnsRecord = { name: instance, type: 'TXT', class: 'IN', ttl: SHARED_TTL, flush: true, data: txtData(s.txt) };
      if (eq(q.name, typeName) && (q.type === 'PTR' || any)) {
        answers.push({ name: typeName, type: 'PTR', class: 'IN', ttl: SHARED_TTL, data: instance });
        additionals.push(srv, txt, aRecord);
      }
      if (eq(q.name, instance)) {
        if (q.type === 'SRV' || any) answers.push(srv);
        if (q.type === 'TXT' || any) answers.push(txt);
        if (q.type === 'SRV' || q.type === 'TXT' || any) additionals.push(aRecord);
      }
    }
  }
  const seen = new Set<string>();
  const dedupe = (list: MdnsRecord[]): MdnsRecord[] =>
    list.filter((a) => {
      const k = recordKey(a);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  const uniqueAnswers = dedupe(answers);
  return { answers: uniqueAnswers, additionals: dedupe(additionals) };
}

/** Known-answer suppression (RFC 6762 §7.1): drop answers the querier already holds with > half TTL. */
export function suppressKnown(records: MdnsRecord[], known: Answer[] | undefined): MdnsRecord[] {
  const held = (known ?? []).filter((k): k is MdnsRecord => k.type !== 'OPT');
  if (held.length === 0) return records;
  return records.filter(
    (r) =>
      !held.some(
        (k) =>
          k.type === r.type &&
          eq(k.name, r.name) &&
          JSON.stringify(k.data) === JSON.stringify(r.data) &&
          (k.ttl ?? 0) > (r.ttl ?? 0) / 2,
      ),
  );
}

/** Legacy unicast (RFC 6762 §6.7): TTL at most 10 s and no cache-flush bits. */
export function forLegacyUnicast(records: MdnsRecord[]): MdnsRecord[] {
  return records.map((r) => ({ ...r, ttl: Math.min(r.ttl ?? 10, 10), flush: false }));
}
