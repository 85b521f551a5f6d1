import { UsageError } from '../domain/errors.ts';
import { AGENT_TOKEN_PREFIX, API_TOKEN_PREFIX, hashPassword, hashToken, newToken, normaliseFingerprint } from './auth.ts';
import type { CentralStore } from './store/store.ts';
import { ROLES, type Role } from './types.ts';

/**
 * What `camsweep central agents ...` and `camsweep central users ...` do, on a store. A
 * credential is made here and returned once; only its hash is stored.
 */

export const AGENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/u;
export const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/u;
export const MIN_PASSWORD = 12;

export async function addAgent(store: CentralStore, a: { id: string; site: string; certFingerprint?: string | undefined; now: Date }): Promise<string> {
  const problems: string[] = [];
  if (!AGENT_ID.test(a.id)) problems.push(`agent id: 1-128 of A-Z a-z 0-9 . _ : @ - (got ${JSON.stringify(a.id.slice(0, 140))})`);
  if (!/^[\x20-\x7e\u00a0-\uffff]{1,200}$/u.test(a.site) || a.site.trim() === '') problems.push('--site: 1-200 printable characters');
  let fingerprint: string | null = null;
  if (a.certFingerprint !== undefined) {
    fingerprint = normaliseFingerprint(a.certFingerprint) ?? null;
    if (fingerprint === null) problems.push('--cert-fingerprint: a SHA-256 fingerprint, 64 hex digits (colons allowed)');
  }
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  const token = newToken(AGENT_TOKEN_PREFIX);
  await store.addAgent({ id: a.id, site: a.site.trim(), tokenHash: hashToken(token), certFingerprint: fingerprint, at: a.now.toISOString() });
  return token;
}

export async function addUser(store: CentralStore, u: { name: string; role: string; password: string; now: Date }): Promise<void> {
  const problems: string[] = [];
  if (!USER_NAME.test(u.name)) problems.push('user name: 1-64 of A-Z a-z 0-9 . _ @ -');
  if (!(ROLES as readonly string[]).includes(u.role)) problems.push(`--role: one of ${ROLES.join(', ')}`);
  if (u.password.length < MIN_PASSWORD) problems.push(`password: at least ${MIN_PASSWORD} characters`);
  if (u.password.length > 1024) problems.push('password: at most 1024 characters');
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  await store.addUser({ name: u.name, role: u.role as Role, passwordHash: await hashPassword(u.password), at: u.now.toISOString() });
}

export async function newUserToken(store: CentralStore, name: string, now: Date): Promise<string> {
  if ((await store.getUser(name)) === undefined) throw new UsageError(`no user ${name}: add it with \`camsweep central users add ${name} --role ROLE --password-file F\``);
  const token = newToken(API_TOKEN_PREFIX);
  await store.addApiToken({ user: name, tokenHash: hashToken(token), at: now.toISOString() });
  return token;
}
