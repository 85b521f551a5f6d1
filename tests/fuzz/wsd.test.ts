/**
 * WS-Discovery (ProbeMatches / Hello) under hostile input: decodeProbeMatches throws only
 * WSD_INVALID, probeMatchToObservation never throws, and both outputs stay within the
 * documented limits with every string clean.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { decodeProbeMatches, probeMatchToObservation, WSD_LIMITS, type DecodedWsd, type ProbeMatch } from '../../src/discovery/wsd/decode.ts';
import { MAX_EVIDENCE } from '../../src/domain/evidence.ts';
import { cleanText } from '../../src/util/text.ts';
import { xmlNamespaces } from '../../src/util/xml.ts';
import { allowCodes, check, checkClean, checkLength, checkNoPollution, checkObservation, noThrow } from './shared/bounds.ts';
import { allCaptures, captures, uniqueCaptures } from './shared/captures.ts';
import { captureCases, inputFloorCase } from './shared/family.ts';
import { CASE_TIMEOUT_MS, fuzz, Tally } from './shared/run.ts';
import { hostileString, REAL_VALUES } from './shared/text-gen.ts';
import { xmlDocument } from './shared/xml-gen.ts';

const FROM = { ip: '10.66.0.11', iface: 'eth0' };
const FUNCTIONS = ['decodeProbeMatches', 'probeMatchToObservation'] as const;
const tally = new Tally();

function checkMatch(m: ProbeMatch, where: string): void {
  checkClean(m.epr, 512, `${where} epr`);
  check(m.types.length <= WSD_LIMITS.maxTypes, () => `${where}: ${m.types.length} types`);
  check(m.scopes.length <= WSD_LIMITS.maxScopes, () => `${where}: ${m.scopes.length} scopes`);
  check(m.xaddrs.length <= WSD_LIMITS.maxXaddrs, () => `${where}: ${m.xaddrs.length} xaddrs`);
  for (const list of [m.types, m.scopes, m.xaddrs]) {
    for (const item of list) {
      checkClean(item, 512, `${where} list item`);
      check(item !== '', () => `${where}: empty list item`);
    }
  }
  if (m.metadataVersion !== undefined) checkClean(m.metadataVersion, 32, `${where} metadataVersion`);
}

function checkDecoded(d: DecodedWsd): void {
  check(['ProbeMatches', 'Hello', 'other'].includes(d.kind), () => `kind ${d.kind}`);
  check(d.matches.length <= WSD_LIMITS.maxMatches, () => `${d.matches.length} matches`);
  for (const m of d.matches) checkMatch(m, 'match');
  for (const key of ['relatesTo', 'action', 'messageId'] as const) {
    const v = d[key];
    if (v !== undefined) checkClean(v, 256, key);
  }
}

function observe(match: ProbeMatch, namespaces: ReadonlyArray<{ prefix: string; uri: string }>): void {
  const obs = tally.time('probeMatchToObservation', () => noThrow(() => probeMatchToObservation(match, FROM, namespaces), 'probeMatchToObservation'));
  checkObservation(obs, MAX_EVIDENCE, 'wsd', FROM.ip, 'probeMatchToObservation');
}

/** One datagram through the path the socket code takes (replies.ts). */
function input(bytes: Buffer): void {
  const text = bytes.toString('utf8');
  const decoded = tally.time('decodeProbeMatches', () => allowCodes(() => decodeProbeMatches(text), ['WSD_INVALID'], 'decodeProbeMatches'), bytes.length);
  checkNoPollution('decodeProbeMatches');
  if (decoded === undefined) return;
  checkDecoded(decoded);
  const namespaces = xmlNamespaces(text);
  check(namespaces.length <= 64, () => `${namespaces.length} namespaces`);
  for (const ns of namespaces) {
    checkLength(ns.prefix, 64, 'namespace prefix');
    checkLength(ns.uri, 1024, 'namespace uri'); // 512 code points: up to 1024 UTF-16 units
  }
  for (const match of decoded.matches) observe(match, namespaces);
}

const seeds = uniqueCaptures(
  captures('wsd'),
  captures('corpus', /wsdd|zmonvif|ProbeMatch/u),
  captures('sadp'), // the other ProbeMatch on the wire
);

const VOCAB = {
  names: ['Envelope', 'Header', 'Body', 'ProbeMatches', 'ProbeMatch', 'Hello', 'EndpointReference', 'Address', 'Types', 'Scopes', 'XAddrs', 'MetadataVersion', 'RelatesTo', 'MessageID', 'Action', 'AppSequence', 'Fault'],
  prefixes: ['s', 'SOAP-ENV', 'env', 'd', 'wsdd', 'a', 'wsa', 'dn', 'tds'],
  texts: [
    'dn:NetworkVideoTransmitter tds:Device',
    'onvif://www.onvif.org/name/HIKVISION%20DS-2CD2142FWD-I onvif://www.onvif.org/hardware/DS-2CD2142FWD-I onvif://www.onvif.org/location/city/hangzhou',
    'onvif://www.onvif.org/MAC/44:19:b6:12:34:56 onvif://www.onvif.org/Name/IPCAM onvif://www.onvif.org/%E4%B8 onvif://www.onvif.org//x',
    'http://10.66.0.11/onvif/device_service http://[fe80::1]:8080/onvif http://10.66.0.11:99999/ SERVICE_URI',
    'urn:uuid:503b687a-1dd2-11b2-a105-F00000F6E8B5',
    '1',
    ...REAL_VALUES,
  ],
};

/** ProbeMatch values as the decoder hands them over (cleaned, split), but otherwise arbitrary. */
const listItem = hostileString.map((s) => cleanText(s).split(' ')[0] ?? '').filter((s) => s !== '');
const syntheticMatch: fc.Arbitrary<ProbeMatch> = fc
  .record({
    epr: hostileString.map((s) => cleanText(s)),
    types: fc.array(listItem, { maxLength: WSD_LIMITS.maxTypes }),
    scopes: fc.array(fc.oneof(listItem, fc.constantFrom(...VOCAB.texts.flatMap((t) => t.split(' ')))), { maxLength: WSD_LIMITS.maxScopes }),
    xaddrs: fc.array(fc.oneof(listItem, fc.constantFrom('http://10.66.0.11/onvif/device_service', 'http://10.66.0.11:0/', 'https://10.66.0.11/', 'http://[::ffff:10.66.0.11]/')), { maxLength: WSD_LIMITS.maxXaddrs }),
    metadataVersion: fc.option(hostileString.map((s) => cleanText(s, 32)), { nil: undefined }),
  })
  .map(({ metadataVersion, ...rest }): ProbeMatch => (metadataVersion === undefined || metadataVersion === '' ? rest : { ...rest, metadataVersion }));

describe('fuzz: WS-Discovery decoding', { timeout: CASE_TIMEOUT_MS }, () => {
  captureCases({
    family: 'wsd',
    areas: [{ area: 'wsd' }, { area: 'sadp' }],
    seeds,
    // SADP's ProbeMatch is mutated here as foreign input; its cuts are the SADP family's.
    cut: (seed) => !seed.name.startsWith('sadp/'),
    pool: allCaptures(),
    mutants: 6000,
    input,
  });

  it('survives generated SOAP envelopes', () => {
    fuzz('wsd generated envelopes', xmlDocument(VOCAB), (doc) => input(Buffer.from(doc, 'utf8')), 4000);
  });

  it('turns any decoder-shaped ProbeMatch into a bounded observation', () => {
    const namespaces = fc.array(fc.record({ prefix: fc.string({ maxLength: 64 }), uri: hostileString.map((s) => s.slice(0, 512)) }), { maxLength: 64 });
    fuzz('wsd synthetic matches', fc.tuple(syntheticMatch, namespaces), ([m, ns]) => observe(m, ns), 10_000);
  });

  inputFloorCase(tally, FUNCTIONS, 'wsd');
});
