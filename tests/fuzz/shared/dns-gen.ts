/**
 * DNS messages for the mDNS decoder, built byte by byte so they can lie: counts that do not
 * match the records, RDLENGTHs that overrun, labels with reserved length bits, compression
 * pointers that point forward, at themselves, into the middle of a label, or past the end.
 */
import fc from 'fast-check';
import { rarely } from './rarely.ts';
import { hostileString } from './text-gen.ts';

interface NameSpec {
  /** Bytes written before the labels: reserved label types, a cut pointer, a lying length. */
  raw: Buffer | null;
  labels: Buffer[];
  /**
   * A compression pointer after the labels: to the start of an earlier name (`valid`, which
   * real responders do), or to (`to` mod (offset + 32)): forward, itself, mid-label.
   */
  pointer: { valid: boolean; to: number } | null;
}

interface RecordSpec {
  name: NameSpec;
  type: number;
  cls: number;
  ttl: number;
  rdata: RdataSpec;
  /** RDLENGTH written instead of the true one. */
  rdlength: number | null;
}

type RdataSpec =
  | { kind: 'name'; name: NameSpec }
  | { kind: 'srv'; priority: number; weight: number; port: number; target: NameSpec }
  | { kind: 'txt'; strings: Buffer[]; lie: number | null }
  | { kind: 'bytes'; bytes: Buffer };

export interface DnsMessageSpec {
  id: number;
  flags: number;
  questions: Array<{ name: NameSpec; qtype: number; qclass: number }>;
  records: RecordSpec[];
  /** QD/AN/NS/AR counts written instead of the true ones. */
  counts: [number, number, number, number] | null;
  /** Where the answer records end and authority begins, and authority and additional. */
  split: [number, number];
  trailing: Buffer;
}

const LABELS = [
  'local', '_tcp', '_udp', '_http', '_axis-video', '_rtsp', '_services', '_dns-sd', '_googlecast', '_sub',
  'AXIS M5014 - ACCC8E3C0419', 'axis-accc8e3c0419', 'in-addr', 'arpa', '11', '0', '66', '10', 'Virtual.with.dots',
  'Cam\u001b[2J', '\u202eevil\u202c', 'a\u061cb', 'z\u200bw', 'nul\u0000byte', 'c1\u009bcsi',
];

const label: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...LABELS).map((s) => Buffer.from(s)) },
  { weight: 2, arbitrary: hostileString.map((s) => Buffer.from(s, 'utf8').subarray(0, 40)) },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(63, 0x61)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)) },
);

const RAW_NAME_BYTES = [[0x40, 0x01], [0x80, 0x00], [0xc0], [0x3f], [0xff, 0xff], [0x01]].map((b) => Buffer.from(b));

const nameSpec: fc.Arbitrary<NameSpec> = fc.record({
  raw: rarely(fc.constantFrom(...RAW_NAME_BYTES), 30),
  labels: fc.array(label, { maxLength: 4 }),
  pointer: rarely(fc.record({ valid: fc.boolean(), to: fc.nat({ max: 0xffff }) }), 4),
});

const TYPES = [1, 12, 16, 28, 33, 47, 13, 41, 255];

const rdataFor = (type: number): fc.Arbitrary<RdataSpec> => {
  const bytes = (n: number): fc.Arbitrary<RdataSpec> =>
    fc.oneof(
      { weight: 4, arbitrary: fc.uint8Array({ minLength: n, maxLength: n }).map((a): RdataSpec => ({ kind: 'bytes', bytes: Buffer.from(a) })) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((a): RdataSpec => ({ kind: 'bytes', bytes: Buffer.from(a) })) },
    );
  switch (type) {
    case 1:
      // Often the replying host's own address (10.66.0.11), so services count as its own.
      return fc.oneof(fc.constant<RdataSpec>({ kind: 'bytes', bytes: Buffer.from([10, 66, 0, 11]) }), bytes(4));
    case 28:
      return bytes(16);
    case 12:
      return nameSpec.map((name): RdataSpec => ({ kind: 'name', name }));
    case 33:
      return fc
        .record({ priority: fc.nat({ max: 0xffff }), weight: fc.nat({ max: 0xffff }), port: fc.constantFrom(0, 80, 554, 8009, 65_535), target: nameSpec })
        .map((s): RdataSpec => ({ kind: 'srv', ...s }));
    case 16:
      return fc
        .record({
          strings: fc.array(
            fc.oneof(
              fc.constantFrom('macaddress=ACCC8E3C0419', 'md=Google Home', 'fn=Living Room', 'rs=', 'flag', '=novalue', 'MAC_Address=00-1f-54-aa-bb-cc', '').map((s) => Buffer.from(s)),
              fc.tuple(fc.nat({ max: 299 }), hostileString).map(([k, s]) => Buffer.from(`k${k}=${s}`, 'utf8').subarray(0, 255)),
              fc.uint8Array({ maxLength: 255 }).map((a) => Buffer.from(a)),
            ),
            { maxLength: 80 },
          ),
          lie: rarely(fc.nat({ max: 255 }), 8),
        })
        .map((t): RdataSpec => ({ kind: 'txt', ...t }));
    default:
      return bytes(8);
  }
};

const recordSpec: fc.Arbitrary<RecordSpec> = fc
  .oneof({ weight: 5, arbitrary: fc.constantFrom(...TYPES) }, { weight: 1, arbitrary: fc.nat({ max: 0xffff }) })
  .chain((type) =>
    fc.record({
      name: nameSpec,
      type: fc.constant(type),
      cls: fc.constantFrom(1, 0x8001, 0xff, 0),
      ttl: fc.constantFrom(0, 120, 4500, 0xffffffff),
      rdata: rdataFor(type),
      rdlength: rarely(fc.nat({ max: 0xffff }), 20),
    }),
  );

export const dnsMessageSpec: fc.Arbitrary<DnsMessageSpec> = fc.record({
  id: fc.nat({ max: 0xffff }),
  flags: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(0x8400, 0x8000, 0x8600, 0x0000) }, { weight: 1, arbitrary: fc.nat({ max: 0xffff }) }),
  questions: fc.array(fc.record({ name: nameSpec, qtype: fc.constantFrom(12, 255, 33), qclass: fc.constantFrom(1, 0x8001) }), { maxLength: 2 }),
  records: fc.array(recordSpec, { maxLength: 24 }),
  counts: rarely(fc.tuple(fc.nat({ max: 0xffff }), fc.nat({ max: 0xffff }), fc.nat({ max: 0xffff }), fc.nat({ max: 0xffff })), 10),
  split: fc.tuple(fc.nat({ max: 24 }), fc.nat({ max: 24 })),
  trailing: fc.oneof(fc.constant(Buffer.alloc(0)), fc.uint8Array({ maxLength: 16 }).map((a) => Buffer.from(a))),
});

class Writer {
  private readonly parts: number[] = [];
  private readonly names: number[] = [];

  get offset(): number {
    return this.parts.length;
  }

  u8(n: number): void {
    this.parts.push(n & 0xff);
  }

  u16(n: number): void {
    this.u8(n >> 8);
    this.u8(n);
  }

  u32(n: number): void {
    this.u16(Math.floor(n / 0x10000));
    this.u16(n);
  }

  bytes(b: Buffer): void {
    for (const x of b) this.parts.push(x);
  }

  set16(at: number, n: number): void {
    this.parts[at] = (n >> 8) & 0xff;
    this.parts[at + 1] = n & 0xff;
  }

  name(spec: NameSpec): void {
    const start = this.offset;
    if (spec.raw !== null) this.bytes(spec.raw);
    for (const l of spec.labels) {
      this.u8(l.length);
      this.bytes(l);
    }
    const p = spec.pointer;
    if (p === null || (p.valid && this.names.length === 0)) this.u8(0);
    else if (p.valid) this.u16(0xc000 | this.names[p.to % this.names.length]!);
    else this.u16(0xc000 | (p.to % (this.offset + 32)));
    if (spec.raw === null) this.names.push(start);
  }

  done(): Buffer {
    return Buffer.from(this.parts);
  }
}

/** The bytes of a message spec. */
export function encodeDns(spec: DnsMessageSpec): Buffer {
  const w = new Writer();
  const n = spec.records.length;
  const an = Math.min(spec.split[0], n);
  const ns = Math.min(spec.split[1], n - an);
  const counts = spec.counts ?? [spec.questions.length, an, ns, n - an - ns];
  w.u16(spec.id);
  w.u16(spec.flags);
  for (const c of counts) w.u16(c);
  for (const q of spec.questions) {
    w.name(q.name);
    w.u16(q.qtype);
    w.u16(q.qclass);
  }
  for (const r of spec.records) {
    w.name(r.name);
    w.u16(r.type);
    w.u16(r.cls);
    w.u32(r.ttl);
    const lengthAt = w.offset;
    w.u16(0);
    const start = w.offset;
    const rd = r.rdata;
    if (rd.kind === 'name') w.name(rd.name);
    else if (rd.kind === 'srv') {
      w.u16(rd.priority);
      w.u16(rd.weight);
      w.u16(rd.port);
      w.name(rd.target);
    } else if (rd.kind === 'txt') {
      rd.strings.forEach((s, i) => {
        w.u8(i === 0 && rd.lie !== null ? rd.lie : s.length);
        w.bytes(s);
      });
    } else w.bytes(rd.bytes);
    w.set16(lengthAt, r.rdlength ?? w.offset - start);
  }
  w.bytes(spec.trailing);
  return w.done();
}

const honestName = (n: NameSpec): NameSpec => ({ raw: null, labels: n.labels, pointer: n.pointer && { valid: true, to: n.pointer.to } });

/** The same message without lies: every name well formed, true counts and lengths (reaches the records). */
function honest(spec: DnsMessageSpec): DnsMessageSpec {
  return {
    ...spec,
    flags: 0x8400,
    counts: null,
    questions: spec.questions.map((q) => ({ ...q, name: honestName(q.name) })),
    records: spec.records.map((r) => {
      const rd = r.rdata;
      const rdata: RdataSpec =
        rd.kind === 'name' ? { kind: 'name', name: honestName(rd.name) } : rd.kind === 'srv' ? { ...rd, target: honestName(rd.target) } : rd.kind === 'txt' ? { ...rd, lie: null } : rd;
      return { ...r, name: honestName(r.name), rdata, rdlength: null };
    }),
  };
}

/** Whole DNS messages as bytes: half of them honest, half lying somewhere. */
export const dnsMessage: fc.Arbitrary<Buffer> = fc.oneof(dnsMessageSpec.map(encodeDns), dnsMessageSpec.map((s) => encodeDns(honest(s))));
