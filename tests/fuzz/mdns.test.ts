/**
 * mDNS under hostile input: decodeMdnsResponse never throws (lying counts, overrunning
 * RDLENGTHs, compression pointers forward, to themselves or past the end); parseTxt keeps
 * its entry cap and makes every value printable-safe; mdnsToObservations never throws and
 * gives at most one bounded observation about the replying host.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { decodeMdnsResponse, MAX_RECORDS, type MdnsRecord, type MdnsRecords } from '../../src/discovery/mdns/decode.ts';
import { cleanName } from '../../src/discovery/mdns/names.ts';
import { mdnsToObservations } from '../../src/discovery/mdns/observations.ts';
import { MAX_TXT_ENTRIES, parseTxt } from '../../src/discovery/mdns/txt.ts';
import { MAX_EVIDENCE } from '../../src/domain/evidence.ts';
import { check, checkClean, checkNoPollution, checkObservation, checkTree, noThrow } from './shared/bounds.ts';
import { allCaptures, captures, uniqueCaptures } from './shared/captures.ts';
import { dnsMessage } from './shared/dns-gen.ts';
import { captureCases, inputFloorCase } from './shared/family.ts';
import { CASE_TIMEOUT_MS, fuzz, Tally } from './shared/run.ts';
import { hostileString } from './shared/text-gen.ts';

const FROM = { ip: '10.66.0.11', iface: 'eth0' };
const FUNCTIONS = ['decodeMdnsResponse', 'parseTxt', 'mdnsToObservations'] as const;
const tally = new Tally();

/** TXT rdata split into character-strings the way a DNS decoder does (stops at an overrun). */
function splitRdata(wire: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < wire.length && out.length < 1024) {
    const len = wire[at]!;
    out.push(wire.subarray(at + 1, Math.min(wire.length, at + 1 + len)));
    at += 1 + len;
  }
  return out;
}

function txt(strings: readonly Buffer[]): void {
  const entries = tally.time('parseTxt', () => noThrow(() => parseTxt(strings), 'parseTxt'));
  check(entries.length <= MAX_TXT_ENTRIES, () => `${entries.length} TXT entries`);
  const keys = new Set<string>();
  for (const { key, value } of entries) {
    check(/^[\x20-\x3c\x3e-\x7e]{1,255}$/u.test(key) && key === key.toLowerCase(), () => `TXT key ${JSON.stringify(key)}`);
    check(!keys.has(key), () => `TXT key ${key} twice`);
    keys.add(key);
    // A value is at most 254 bytes, each escaped as at most 4 characters (\xNN).
    if (value !== null) checkClean(value, 254 * 4, `TXT value of ${key}`);
  }
}

function observe(records: MdnsRecords | readonly MdnsRecord[]): void {
  const observations = tally.time('mdnsToObservations', () => noThrow(() => mdnsToObservations(records, FROM), 'mdnsToObservations'));
  check(observations.length <= 1, () => `${observations.length} observations`);
  for (const obs of observations) checkObservation(obs, MAX_EVIDENCE, 'mdns', FROM.ip, 'mdnsToObservations');
}

/** One datagram through the mDNS session's path; the same bytes also as TXT rdata. */
function input(bytes: Buffer): void {
  const decoded = tally.time('decodeMdnsResponse', () => noThrow(() => decodeMdnsResponse(bytes), 'decodeMdnsResponse'), bytes.length);
  checkNoPollution('decodeMdnsResponse');
  check(['response', 'query', 'ignored', 'invalid'].includes(decoded.kind), () => `kind ${decoded.kind}`);
  check(decoded.records.length <= MAX_RECORDS, () => `${decoded.records.length} records`);
  check(decoded.kind === 'response' || decoded.records.length === 0, () => `${decoded.kind} with records`);
  check(decoded.problems.length <= MAX_RECORDS + 1, () => `${decoded.problems.length} problems`);
  checkTree(decoded, { maxString: 1024, maxNodes: 200_000 }, 'decodeMdnsResponse');
  for (const r of decoded.records) if (r.type === 'TXT') txt(r.data);
  observe(decoded);
  txt(splitRdata(bytes));
}

const seeds = uniqueCaptures(captures('mdns'), captures('corpus', /mdns/u));

const name = fc.oneof(
  fc.constantFrom('_http._tcp.local', '_axis-video._tcp.local', 'AXIS M5014 - ACCC8E3C0419._axis-video._tcp.local', 'axis-accc8e3c0419.local', '_services._dns-sd._udp.local', '11.0.66.10.in-addr.arpa', 'Virtual.with.dots._http._tcp.local', '_printer._sub._http._tcp.local'),
  hostileString.map((s) => `${s}._http._tcp.local`),
  hostileString,
);
const txtStrings = fc.array(
  fc.oneof(
    fc.constantFrom('macaddress=ACCC8E3C0419', 'mac_address=00-1f-54-aa-bb-cc|junk', 'md=Google Home', 'flag', '=x', '').map((s) => Buffer.from(s)),
    fc.tuple(fc.nat({ max: 299 }), hostileString).map(([k, s]) => Buffer.from(`k${k}=${s}`, 'utf8').subarray(0, 255)),
    fc.uint8Array({ maxLength: 255 }).map((a) => Buffer.from(a)),
  ),
  { maxLength: 100, size: 'medium' },
);

/** Records as decodeMdnsResponse hands them over (names cleaned), otherwise arbitrary. */
const decodedRecord: fc.Arbitrary<MdnsRecord> = fc.oneof(
  fc.record({ section: fc.constant('answer' as const), name, ttl: fc.nat(), type: fc.constant('PTR' as const), data: name }),
  fc.record({ section: fc.constant('answer' as const), name, ttl: fc.nat(), type: fc.constant('TXT' as const), data: txtStrings }),
  fc.record({
    section: fc.constant('additional' as const),
    name,
    ttl: fc.nat(),
    type: fc.constant('SRV' as const),
    data: fc.record({ target: name, port: fc.nat({ max: 65_535 }), priority: fc.nat({ max: 65_535 }), weight: fc.nat({ max: 65_535 }) }),
  }),
  fc.record({ section: fc.constant('additional' as const), name, ttl: fc.nat(), type: fc.constant('A' as const), data: fc.constantFrom('10.66.0.11', '10.66.0.12', '240.0.0.1') }),
  fc.record({ section: fc.constant('additional' as const), name, ttl: fc.nat(), type: fc.constant('AAAA' as const), data: fc.constantFrom('fe80::1', '::') }),
).map((r) => ({ ...r, name: cleanName(r.name) }) as MdnsRecord);

describe('fuzz: mDNS decoding', { timeout: CASE_TIMEOUT_MS }, () => {
  captureCases({ family: 'mdns', areas: [{ area: 'mdns' }], seeds, pool: allCaptures(), mutants: 6000, input });

  it('survives generated DNS messages (lying counts and lengths, wild compression pointers)', () => {
    fuzz('mdns generated messages', dnsMessage, input, 6000);
  });

  it('parses any TXT rdata', () => {
    fuzz('mdns generated TXT strings', txtStrings, txt, 4000);
  });

  it('turns any decoder-shaped record list into at most one bounded observation', () => {
    // Small lists mostly; some long enough to flood the evidence cap.
    const records = fc.oneof(
      { weight: 4, arbitrary: fc.array(decodedRecord, { maxLength: MAX_RECORDS }) },
      { weight: 1, arbitrary: fc.array(decodedRecord, { minLength: 20, maxLength: 60, size: 'max' }) },
    );
    fuzz('mdns decoded records', records, observe, 3000);
  });

  inputFloorCase(tally, FUNCTIONS, 'mdns');
});
