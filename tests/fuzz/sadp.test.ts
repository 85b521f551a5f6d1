/**
 * Hikvision SADP datagrams under hostile input: decodeSadp never throws, refuses DOCTYPEs,
 * and returns only cleaned, normalised values (MAC, IPv4, ports); sadpToObservation never
 * throws and gives a bounded observation.
 */
import { isIPv4 } from 'node:net';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { decodeSadp, SADP_LIMITS, sadpToObservation, type SadpProbeMatch } from '../../src/discovery/sadp/decode.ts';
import { MAX_EVIDENCE } from '../../src/domain/evidence.ts';
import { cleanText } from '../../src/util/text.ts';
import { check, checkClean, checkNoPollution, checkObservation, noThrow } from './shared/bounds.ts';
import { allCaptures, captures, uniqueCaptures } from './shared/captures.ts';
import { captureCases, inputFloorCase } from './shared/family.ts';
import { CASE_TIMEOUT_MS, fuzz, Tally } from './shared/run.ts';
import { hostileString, REAL_VALUES } from './shared/text-gen.ts';
import { xmlDocument } from './shared/xml-gen.ts';

const FROM = { ip: '10.66.0.11', iface: 'eth0' };
const FUNCTIONS = ['decodeSadp', 'sadpToObservation'] as const;
const tally = new Tally();

const PORT = /^[1-9]\d{0,4}$/u;

function checkMatch(m: SadpProbeMatch): void {
  for (const [key, value] of Object.entries(m)) checkClean(value, SADP_LIMITS.maxValue, `match.${key}`);
  if (m.mac !== undefined) check(/^(?:[0-9a-f]{2}:){5}[0-9a-f]{2}$/u.test(m.mac), () => `mac ${m.mac}`);
  if (m.ipv4 !== undefined) check(isIPv4(m.ipv4), () => `ipv4 ${m.ipv4}`);
  for (const port of [m.commandPort, m.httpPort]) {
    if (port !== undefined) check(PORT.test(port) && Number(port) <= 65_535, () => `port ${port}`);
  }
  for (const n of [m.analogChannels, m.digitalChannels]) if (n !== undefined) check(/^\d{1,4}$/u.test(n), () => `channels ${n}`);
  if (m.activated !== undefined) checkClean(m.activated, 32, 'activated');
}

function observe(match: SadpProbeMatch): void {
  const obs = tally.time('sadpToObservation', () => noThrow(() => sadpToObservation(match, FROM), 'sadpToObservation'));
  checkObservation(obs, MAX_EVIDENCE, 'sadp', FROM.ip, 'sadpToObservation');
}

/** One datagram through the path the SADP reply handler takes. */
function input(bytes: Buffer): void {
  const decoded = tally.time('decodeSadp', () => noThrow(() => decodeSadp(bytes), 'decodeSadp'), bytes.length);
  checkNoPollution('decodeSadp');
  if (decoded.kind === 'invalid') {
    checkClean(decoded.reason, 300, 'invalid reason');
    return;
  }
  check(decoded.kind === 'match' || decoded.kind === 'probe', () => `kind ${decoded.kind}`);
  if (decoded.kind !== 'match') return;
  check(Object.keys(decoded.match).some((k) => k !== 'uuid' && k !== 'types'), () => 'a match without device fields');
  checkMatch(decoded.match);
  observe(decoded.match);
}

const seeds = uniqueCaptures(captures('sadp'), captures('wsd', /ProbeMatches\.xml$/u));

const FIELDS = ['Uuid', 'Types', 'DeviceType', 'DeviceDescription', 'DeviceSN', 'CommandPort', 'HttpPort', 'MAC', 'IPv4Address', 'IPv4SubnetMask', 'SoftwareVersion', 'DSPVersion', 'Activated', 'OEMInfo', 'AnalogChannelNum', 'DigitalChannelNum', 'HCPlatformEnable'];
const VOCAB = {
  names: ['ProbeMatch', 'Probe', ...FIELDS],
  prefixes: [''],
  texts: ['inquiry', 'inquiry_v31', '44-19-B6-12-34-56', '192.168.1.64', '8000', '65536', '0', 'true', 'flase', 'V5.4.5build 170124', 'N/A', '99999', ...REAL_VALUES],
};

/** Flat ProbeMatch documents as devices send them, fields in any order, some cut or broken. */
const flatReply = fc
  .record({
    fields: fc.array(fc.tuple(fc.constantFrom(...FIELDS), fc.oneof(fc.constantFrom(...VOCAB.texts), hostileString)), { maxLength: 40 }),
    close: fc.constantFrom('</ProbeMatch>', '</ProbeMatch>', '', '</ProbeMatch >', '</Probe>'),
    cut: fc.nat(),
    whole: fc.boolean(),
  })
  .map(({ fields, close, cut, whole }) => {
    const doc = `<?xml version="1.0" encoding="utf-8"?><ProbeMatch>${fields.map(([k, v]) => `<${k}>${v}</${k}>`).join('\n')}${close}`;
    return Buffer.from(whole ? doc : doc.slice(0, cut % (doc.length + 1)), 'utf8');
  });

/** Matches as decodeSadp hands them over (values cleaned), otherwise arbitrary. */
const decodedMatch: fc.Arbitrary<SadpProbeMatch> = fc.dictionary(
  fc.constantFrom('uuid', 'types', 'deviceType', 'model', 'serial', 'firmware', 'dspVersion', 'activated', 'oemInfo'),
  hostileString.map((s) => cleanText(s, SADP_LIMITS.maxValue)).filter((s) => s !== ''),
  { maxKeys: 9 },
);

describe('fuzz: SADP decoding', { timeout: CASE_TIMEOUT_MS }, () => {
  captureCases({ family: 'sadp', areas: [{ area: 'sadp' }], seeds, pool: allCaptures(), mutants: 6000, input });

  it('survives generated XML documents', () => {
    fuzz('sadp generated documents', xmlDocument(VOCAB), (doc) => input(Buffer.from(doc, 'utf8')), 1500);
  });

  it('survives generated flat replies, whole or cut', () => {
    fuzz('sadp generated flat replies', flatReply, input, 4000);
  });

  it('turns any decoder-shaped match into a bounded observation', () => {
    fuzz('sadp decoded matches', decodedMatch, observe, 10_000);
  });

  inputFloorCase(tally, FUNCTIONS, 'sadp');
});
