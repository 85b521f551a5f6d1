/**
 * SSDP datagrams under hostile input: parseSsdpMessage throws only SSDP_INVALID and keeps
 * its header, name and value limits; ssdpToObservation never throws and gives a bounded
 * observation whose HTTP port, if any, is a real port on the replying host.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { MAX_HEADERS, MAX_NAME_LENGTH, MAX_VALUE_LENGTH, parseSsdpMessage, ssdpToObservation, type SsdpMessage } from '../../src/discovery/ssdp/decode.ts';
import { MAX_EVIDENCE } from '../../src/domain/evidence.ts';
import { allowCodes, check, checkClean, checkNoPollution, checkObservation, noThrow } from './shared/bounds.ts';
import { allCaptures, captures, uniqueCaptures } from './shared/captures.ts';
import { captureCases, inputFloorCase } from './shared/family.ts';
import { headerBlock } from './shared/header-gen.ts';
import { CASE_TIMEOUT_MS, fuzz, Tally } from './shared/run.ts';
import { cleanText } from '../../src/util/text.ts';
import { hostileString, REAL_VALUES } from './shared/text-gen.ts';

const FROM = { ip: '10.66.0.11', iface: 'eth0' };
const FUNCTIONS = ['parseSsdpMessage', 'ssdpToObservation'] as const;
const tally = new Tally();

function checkMessage(msg: SsdpMessage): void {
  check(msg.kind === 'response' || msg.kind === 'notify', () => `kind ${msg.kind}`);
  if (msg.status !== undefined) check(Number.isInteger(msg.status) && msg.status >= 100 && msg.status <= 599, () => `status ${msg.status}`);
  check(msg.headers.length >= 1 && msg.headers.length <= MAX_HEADERS, () => `${msg.headers.length} headers`);
  check(Number.isInteger(msg.dropped) && msg.dropped >= 0, () => `dropped ${msg.dropped}`);
  for (const h of msg.headers) {
    checkClean(h.name, MAX_NAME_LENGTH, 'header name');
    check(/^[!#$%&'*+\-.^_`|~0-9a-z]+$/u.test(h.name), () => `header name ${JSON.stringify(h.name)} is not a lower-case token`);
    checkClean(h.value, MAX_VALUE_LENGTH, `header ${h.name}`);
  }
}

function observe(msg: SsdpMessage): void {
  const obs = tally.time('ssdpToObservation', () => noThrow(() => ssdpToObservation(msg, FROM), 'ssdpToObservation'));
  checkObservation(obs, MAX_EVIDENCE, 'ssdp', FROM.ip, 'ssdpToObservation');
}

/** One datagram through the path the SSDP discoverer takes. */
function input(bytes: Buffer): void {
  const msg = tally.time('parseSsdpMessage', () => allowCodes(() => parseSsdpMessage(bytes), ['SSDP_INVALID'], 'parseSsdpMessage'), bytes.length);
  checkNoPollution('parseSsdpMessage');
  if (msg === undefined) return;
  checkMessage(msg);
  observe(msg);
}

const seeds = uniqueCaptures(captures('ssdp'), captures('corpus', /ssdp/u));

const VOCAB = {
  startLines: ['HTTP/1.1 200 OK', 'NOTIFY * HTTP/1.1', 'HTTP / 1.1 200 OK', 'HTTP/1.0 200', 'HTTP/1.1 404 Not Found', 'HTTP/1.1 999 Odd', 'HTTP/1.1 099 Low', 'M-SEARCH * HTTP/1.1', 'NOTIFY * HTTP/2.0'],
  names: ['LOCATION', 'SERVER', 'USN', 'ST', 'NT', 'NTS', 'CACHE-CONTROL', 'CACHE - CONTROL', 'EXT', 'DATE', 'X-User-Agent', 'BOOTID.UPNP.ORG', 'CONFIGID.UPNP.ORG', 'Content-Length', 'HOST', 'lOCATION', 'OPT', '01-NLS'],
  values: [
    ...REAL_VALUES,
    'http://10.66.0.11:49152/rootDesc.xml',
    'http://10.66.0.11:0/',
    'http://10.66.0.11:65535/x',
    'http://[fe80::1]:8080/desc.xml',
    'https://10.66.0.11/desc.xml',
    'http://10.66.0.12/foreign.xml',
    'ftp://10.66.0.11/',
    'uuid:Upnp-BasicDevice-1_0-001122334455::upnp:rootdevice',
    'uuid:',
    'upnp:rootdevice',
    'ssdp:alive',
    'max-age=1800',
    '"http://schemas.upnp.org/upnp/1/0/"; ns=01',
  ],
};

/** Messages as parseSsdpMessage hands them over (token names, cleaned values), otherwise arbitrary. */
const decodedMessage: fc.Arbitrary<SsdpMessage> = fc
  .record({
    kind: fc.constantFrom('response' as const, 'notify' as const),
    headers: fc.array(
      fc.record({
        name: fc.oneof(fc.constantFrom('location', 'server', 'usn', 'st', 'nt', 'date', 'x-user-agent', 'ext'), fc.stringMatching(/^[a-z0-9!#$%&'*+.^_`|~-]{1,64}$/u)),
        value: fc.oneof(fc.constantFrom(...VOCAB.values), hostileString).map((v) => cleanText(v, MAX_VALUE_LENGTH)),
      }),
      { minLength: 1, maxLength: MAX_HEADERS },
    ),
  })
  .map(({ kind, headers }): SsdpMessage => (kind === 'response' ? { kind, status: 200, headers, dropped: 0 } : { kind, headers, dropped: 0 }));

describe('fuzz: SSDP decoding', { timeout: CASE_TIMEOUT_MS }, () => {
  captureCases({ family: 'ssdp', areas: [{ area: 'ssdp' }], seeds, pool: allCaptures(), mutants: 6000, input });

  it('survives generated header blocks', () => {
    fuzz('ssdp generated header blocks', headerBlock(VOCAB), input, 6000);
  });

  it('turns any decoder-shaped message into a bounded observation', () => {
    fuzz('ssdp decoded messages', decodedMessage, observe, 10_000);
  });

  inputFloorCase(tally, FUNCTIONS, 'ssdp');
});
