import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Request signatures: `X-Camsweep-Signature: t=<unix seconds>,n=<nonce>,v1=<hex HMAC-SHA256>`,
 * computed over `<t>.<n>.` followed by the exact bytes of the request body as sent (after gzip
 * when the body is compressed), so a receiver checks the signature before it decompresses or
 * parses anything. Replays are refused: a receiver refuses a timestamp outside its window and
 * remembers the signatures it accepted within the window. Every attempt has a fresh nonce, so
 * an agent re-sending the same report within the same second is not mistaken for a replay.
 */

export const SIGNATURE_HEADER = 'x-camsweep-signature';
export const DEFAULT_REPLAY_WINDOW_MS = 5 * 60 * 1000;

export function signatureOf(secret: string, timestamp: number, nonce: string, body: Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.${nonce}.`).update(body).digest('hex');
}

/** The header value for a body sent at `nowMs` (nonce: 16 random bytes, hex, unless given). */
export function signBody(secret: string, body: Buffer, nowMs: number, nonce: string = randomBytes(16).toString('hex')): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},n=${nonce},v1=${signatureOf(secret, t, nonce, body)}`;
}

export interface ParsedSignature {
  t: number;
  n: string;
  v1: string[];
}

/** Parses `t=...,n=...,v1=...[,v1=...]`; unknown schemes are ignored (for rotation); undefined if malformed. */
export function parseSignatureHeader(value: string | undefined): ParsedSignature | undefined {
  if (value === undefined || value.length > 1024) return undefined;
  let t: number | undefined;
  let n: string | undefined;
  const v1: string[] = [];
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === 't') {
      if (!/^\d{1,12}$/u.test(v) || t !== undefined) return undefined;
      t = Number(v);
    } else if (k === 'n') {
      if (!/^[0-9a-f]{16,64}$/u.test(v) || n !== undefined) return undefined;
      n = v;
    } else if (k === 'v1') {
      if (!/^[0-9a-f]{64}$/u.test(v)) return undefined;
      v1.push(v);
    }
  }
  if (t === undefined || n === undefined || v1.length === 0) return undefined;
  return { t, n, v1 };
}

export type SignatureCheck =
  | { ok: true; t: number; signature: string }
  | { ok: false; reason: 'missing' | 'malformed' | 'expired' | 'mismatch' };

/** Checks a signature header against the raw body, in constant time per candidate. */
export function verifySignature(header: string | undefined, body: Buffer, secret: string, nowMs: number, windowMs = DEFAULT_REPLAY_WINDOW_MS): SignatureCheck {
  if (header === undefined || header === '') return { ok: false, reason: 'missing' };
  const parsed = parseSignatureHeader(header);
  if (!parsed) return { ok: false, reason: 'malformed' };
  if (Math.abs(nowMs - parsed.t * 1000) > windowMs) return { ok: false, reason: 'expired' };
  const expected = Buffer.from(signatureOf(secret, parsed.t, parsed.n, body), 'hex');
  for (const candidate of parsed.v1) {
    if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) return { ok: true, t: parsed.t, signature: candidate };
  }
  return { ok: false, reason: 'mismatch' };
}
