import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseSignatureHeader, signatureOf, signBody, verifySignature } from '../../../src/report/hmac.ts';

/**
 * Vectors computed independently with OpenSSL:
 *   N=00112233445566778899aabbccddeeff
 *   printf "1764151200.$N."'{"schema":"camsweep.report/v1"}' | openssl dgst -sha256 -hmac 'camsweep-shared-secret-0001'
 *   printf "1764151200.$N." > v.bin; printf '\x1f\x8b\x08\x00\xff' >> v.bin; openssl dgst -sha256 -hmac 'camsweep-shared-secret-0001' v.bin
 * and RFC 4231 test case 2 for the primitive.
 */
const SECRET = 'camsweep-shared-secret-0001';
const T = 1764151200;
const N = '00112233445566778899aabbccddeeff';
const BODY = Buffer.from('{"schema":"camsweep.report/v1"}');
const VECTOR = '7df66f242e819987b9c5d328702b5074e52083b0b9e568b4ae0ee79d7655b763';
const BINARY = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff]);
const BINARY_VECTOR = '8c5103767d1cb1b92f24a84b954a285d285f7f989eded865a2653fbfbdcfec84';
const HEADER = `t=${T},n=${N},v1=${VECTOR}`;

describe('HMAC-SHA256 request signature', () => {
  it('matches the OpenSSL vectors over "<t>.<nonce>." + the exact body bytes (text and binary/gzip)', () => {
    expect(signatureOf(SECRET, T, N, BODY)).toBe(VECTOR);
    expect(signatureOf(SECRET, T, N, BINARY)).toBe(BINARY_VECTOR);
  });

  it('uses the HMAC-SHA256 primitive of RFC 4231 (test case 2)', () => {
    expect(createHmac('sha256', 'Jefe').update('what do ya want for nothing?').digest('hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('signBody gives t=<seconds>,n=<nonce>,v1=<hex>, with a fresh nonce each time', () => {
    expect(signBody(SECRET, BODY, T * 1000 + 999, N)).toBe(HEADER);
    const a = signBody(SECRET, BODY, T * 1000);
    const b = signBody(SECRET, BODY, T * 1000);
    expect(a).toMatch(/^t=1764151200,n=[0-9a-f]{32},v1=[0-9a-f]{64}$/u);
    // Same body, same second: still two different signatures (a re-send is not a replay).
    expect(a).not.toBe(b);
    expect(verifySignature(a, BODY, SECRET, T * 1000).ok).toBe(true);
  });

  it('verifies a good signature within the window', () => {
    expect(verifySignature(HEADER, BODY, SECRET, T * 1000 + 60_000)).toEqual({ ok: true, t: T, signature: VECTOR });
    // Clock skew the other way (receiver behind the agent) is tolerated too.
    expect(verifySignature(HEADER, BODY, SECRET, T * 1000 - 60_000).ok).toBe(true);
  });

  it('refuses a changed body, nonce or timestamp, a wrong secret, an old or future timestamp, garbage', () => {
    expect(verifySignature(HEADER, Buffer.from('{"schema":"camsweep.report/v2"}'), SECRET, T * 1000)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(HEADER, BODY, 'another-secret-of-16+', T * 1000)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(HEADER, BODY, SECRET, (T + 301) * 1000)).toEqual({ ok: false, reason: 'expired' });
    expect(verifySignature(HEADER, BODY, SECRET, (T - 301) * 1000)).toEqual({ ok: false, reason: 'expired' });
    // Changing the timestamp or the nonce invalidates the signature: the window cannot be stretched.
    expect(verifySignature(`t=${T + 100},n=${N},v1=${VECTOR}`, BODY, SECRET, T * 1000)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(`t=${T},n=${'f'.repeat(32)},v1=${VECTOR}`, BODY, SECRET, T * 1000)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(undefined, BODY, SECRET, T * 1000)).toEqual({ ok: false, reason: 'missing' });
    for (const bad of [`n=${N},v1=${VECTOR}`, `t=${T},v1=${VECTOR}`, `t=${T},n=${N}`, `t=abc,n=${N},v1=${VECTOR}`, `t=${T},n=xyz,v1=${VECTOR}`, `t=${T},n=${N},v1=XYZ`, `t=${T},t=${T},n=${N},v1=${VECTOR}`, 'x'.repeat(2000), 'garbage']) {
      expect(verifySignature(bad, BODY, SECRET, T * 1000)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('accepts any of several v1 signatures (secret rotation) and ignores unknown schemes', () => {
    const other = signatureOf('old-secret-0123456789', T, N, BODY);
    expect(verifySignature(`t=${T},n=${N},v1=${other},v1=${VECTOR},v0=zzz`, BODY, SECRET, T * 1000).ok).toBe(true);
    expect(parseSignatureHeader(`t=${T}, n=${N}, v1=${VECTOR}`)).toEqual({ t: T, n: N, v1: [VECTOR] });
  });
});
