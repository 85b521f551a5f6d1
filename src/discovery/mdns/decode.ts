/**
 * Pure mDNS response decoding. The header and the record layout are walked here, each record
 * is decoded by dns-packet (codec.ts), and the walk moves on by the record's own RDLENGTH,
 * so a record with bad rdata is skipped without losing the others. Never throws.
 */
import { decodeName, decodeRecord } from './codec.ts';
import { cleanName } from './names.ts';
import type { MdnsRecord, MdnsRecords, MdnsSection } from './records.ts';

export type { MdnsRecord, MdnsRecords, MdnsSection, SrvData } from './records.ts';
export { parseTxt } from './txt.ts';
export type { TxtEntry } from './txt.ts';
export { mdnsToObservations } from './observations.ts';

/** Most records kept from one message (a full 9000-byte mDNS message holds far fewer useful ones). */
export const MAX_RECORDS = 256;
/** Most questions walked over in one message. */
export const MAX_QUESTIONS = 64;

const HEADER_BYTES = 12;
const QR = 0x8000;
const TC = 0x0200;

const TYPE_NAMES: Record<number, string> = { 1: 'A', 12: 'PTR', 16: 'TXT', 28: 'AAAA', 33: 'SRV' };
const WANTED = new Set(['A', 'AAAA', 'PTR', 'SRV', 'TXT']);
const RDATA_BYTES: Record<string, number> = { A: 4, AAAA: 16 };

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function result(kind: MdnsRecords['kind'], fields: Partial<MdnsRecords> = {}): MdnsRecords {
  return { kind, truncated: false, records: [], skipped: 0, problems: [], ...fields };
}

/** Walks `count` questions from `offset`; returns the offset after them. */
function skipQuestions(buf: Buffer, offset: number, count: number): number {
  let at = offset;
  for (let i = 0; i < count; i += 1) {
    at += decodeName(buf, at).bytes;
    if (at + 4 > buf.length) throw new Error('question truncated');
    at += 4;
  }
  return at;
}

function toRecord(buf: Buffer, offset: number, section: MdnsSection): MdnsRecord | undefined {
  const a = decodeRecord(buf, offset);
  const name = cleanName(a.name);
  const ttl = 'ttl' in a && typeof a.ttl === 'number' ? a.ttl : 0;
  switch (a.type) {
    case 'PTR':
      return { section, name, ttl, type: 'PTR', data: cleanName(a.data) };
    case 'A':
    case 'AAAA':
      return { section, name, ttl, type: a.type, data: a.data };
    case 'SRV':
      return {
        section,
        name,
        ttl,
        type: 'SRV',
        data: { target: cleanName(a.data.target), port: a.data.port, priority: a.data.priority ?? 0, weight: a.data.weight ?? 0 },
      };
    case 'TXT': {
      const data = Array.isArray(a.data) ? a.data : [a.data];
      return { section, name, ttl, type: 'TXT', data: data.map((s) => Buffer.from(typeof s === 'string' ? Buffer.from(s) : s)) };
    }
    default:
      return undefined;
  }
}

/** Decodes one datagram. Only responses (QR=1) yield records. */
export function decodeMdnsResponse(buf: Buffer): MdnsRecords {
  if (buf.length < HEADER_BYTES) return result('invalid', { problems: [`${buf.length} bytes: shorter than a DNS header`] });
  const flags = buf.readUInt16BE(2);
  const qdcount = buf.readUInt16BE(4);
  const counts: Array<[MdnsSection, number]> = [
    ['answer', buf.readUInt16BE(6)],
    ['authority', buf.readUInt16BE(8)],
    ['additional', buf.readUInt16BE(10)],
  ];
  const isResponse = (flags & QR) !== 0;
  const opcode = (flags >> 11) & 0xf;
  const rcode = flags & 0xf;

  let offset: number;
  try {
    if (qdcount > MAX_QUESTIONS) throw new Error(`${qdcount} questions`);
    offset = skipQuestions(buf, HEADER_BYTES, qdcount);
  } catch (err) {
    return result('invalid', { problems: [`bad question section: ${message(err)}`] });
  }
  if (!isResponse) return result('query');
  if (opcode !== 0 || rcode !== 0) return result('ignored');

  const records: MdnsRecord[] = [];
  const problems: string[] = [];
  let skipped = 0;
  let walked = 0;
  const total = counts.reduce((n, [, c]) => n + c, 0);

  walk: for (const [section, count] of counts) {
    for (let i = 0; i < count; i += 1) {
      if (walked >= MAX_RECORDS) {
        problems.push(`${total} records: only the first ${MAX_RECORDS} read`);
        break walk;
      }
      walked += 1;
      const start = offset;
      let rdataStart: number;
      let type: string;
      try {
        rdataStart = start + decodeName(buf, start).bytes + 10;
        if (rdataStart > buf.length) throw new Error('record header truncated');
        type = TYPE_NAMES[buf.readUInt16BE(rdataStart - 10)] ?? 'other';
      } catch (err) {
        problems.push(`${section} ${i + 1}: ${message(err)}`);
        break walk;
      }
      const rdlength = buf.readUInt16BE(rdataStart - 2);
      const next = rdataStart + rdlength;
      if (next > buf.length) {
        problems.push(`${section} ${i + 1}: rdata truncated`);
        break walk;
      }
      offset = next;
      if (!WANTED.has(type)) {
        skipped += 1;
        continue;
      }
      const fixed = RDATA_BYTES[type];
      if (fixed !== undefined && fixed !== rdlength) {
        problems.push(`${section} ${i + 1}: ${type} with ${rdlength} bytes of rdata`);
        continue;
      }
      try {
        const rec = toRecord(buf.subarray(0, next), start, section);
        if (rec) records.push(rec);
      } catch (err) {
        problems.push(`${section} ${i + 1} (${type}): ${message(err)}`);
      }
    }
  }
  return { kind: 'response', truncated: (flags & TC) !== 0, records, skipped, problems };
}

