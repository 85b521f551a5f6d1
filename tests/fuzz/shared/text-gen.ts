/**
 * Values for generated messages: real-looking strings, any code points (controls, bidi,
 * lone surrogates), the hostile tokens, and mixtures of them.
 */
import fc from 'fast-check';
import { HOSTILE_TOKENS } from './hostile.ts';

/** Values seen in real captures (corpus), so generated messages also look like real ones. */
export const REAL_VALUES: readonly string[] = [
  'HIKVISION',
  'Dahua',
  'General',
  'Private',
  'DS-2CD2142FWD-I',
  'IPC-HFW2228M-I1-V2',
  'V5.4.5 build 170124',
  '2.800.0000000.5.R',
  'AXIS M2036-LE',
  'onvif://www.onvif.org/name/HIKVISION%20DS-2CD2142FWD-I',
  'onvif://www.onvif.org/MAC/44:19:b6:12:34:56',
  'urn:uuid:503b687a-1dd2-11b2-a105-F00000F6E8B5',
  'http://10.0.0.5/onvif/device_service',
  'Linux/3.8.8, UPnP/1.0, ZheJiang Dahua Technology CO.,LTD. Upnp SDK',
  'uuid:www.dahuatech.com.device_1-1L047ACPAW00037::upnp:rootdevice',
  'Digest realm="Login to 9L0123456789", nonce="abc", qop="auth"',
  'App-webs/',
  '44-19-B6-12-34-56',
  '00:1f:54:aa:bb:cc',
  '192.168.1.64',
  '8000',
  'true',
  'flase',
];

const tokenStrings = HOSTILE_TOKENS.map((t) => t.bytes.toString('utf8'));

/** One hostile or realistic string (usually short; sometimes a 70 KB token). */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...REAL_VALUES) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.constantFrom(...tokenStrings) },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom(...REAL_VALUES), fc.constantFrom(...tokenStrings), fc.string({ unit: 'binary', maxLength: 8 })), {
        minLength: 2,
        maxLength: 4,
      })
      .map((parts) => parts.join('')),
  },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 4000 }).map((n) => 'x'.repeat(n)) },
);

/** A hostile string, or an XML/HTML-safe one (no `<`, `&`): half of generated values parse. */
export const valueString: fc.Arbitrary<string> = fc.oneof(
  hostileString,
  hostileString.map((s) => s.replace(/[<&]/gu, '_')),
);

/** Raw bytes: random, or a hostile token (invalid UTF-8 included). */
export const hostileBytes: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
  fc.constantFrom(...HOSTILE_TOKENS.map((t) => t.bytes)),
  hostileString.map((s) => Buffer.from(s, 'utf8')),
);
