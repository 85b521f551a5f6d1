import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Credentials of the central service.
 *
 * - Agent and API tokens are 256 random bits (printable, no spaces: they fit a header line).
 *   Only their SHA-256 is stored: with that much entropy a fast hash is enough (nothing to
 *   brute-force), and it lets the intake find the agent by an indexed lookup before it reads
 *   a byte of the body.
 * - Passwords (the console's users) are people's choices: hashed with scrypt, a memory-hard
 *   KDF (N=2^15, r=8, p=1: 32 MiB and ~100 ms per hash here), with a random salt, in a
 *   self-describing string `scrypt$N$r$p$salt$hash` so the cost can be raised later.
 */

export const AGENT_TOKEN_PREFIX = 'csa_';
export const API_TOKEN_PREFIX = 'csu_';

export function newToken(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(`camsweep.token\u0000${token}`).digest('hex');
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer ([\x21-\x7e]{1,4096})$/u.exec(header ?? '');
  return m?.[1];
}

/** Constant-time comparison of two secrets of any length (both hashed first). */
export function secretsEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db) && a.length > 0;
}

const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keyLength: 64 };

function scryptAsync(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

const maxmem = (N: number, r: number): number => 128 * N * r * 2;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: maxmem(SCRYPT.N, SCRYPT.r) });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = /^scrypt\$(\d{1,8})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9_-]{16,64})\$([A-Za-z0-9_-]{16,200})$/u.exec(stored);
  if (!m) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (N > 2 ** 20 || r > 32 || p > 16) return false;
  const expected = Buffer.from(m[5]!, 'base64url');
  const key = await scryptAsync(password, Buffer.from(m[4]!, 'base64url'), expected.length, { N, r, p, maxmem: maxmem(N, r) });
  return timingSafeEqual(key, expected);
}

/** A certificate fingerprint as stored: SHA-256, lower-case hex without colons. */
export function normaliseFingerprint(value: string): string | undefined {
  const hex = value.trim().toLowerCase().replace(/^sha256:/u, '').replace(/:/gu, '');
  return /^[0-9a-f]{64}$/u.test(hex) ? hex : undefined;
}
