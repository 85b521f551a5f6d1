import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { secretsEqual } from '../central/auth.ts';
import { sessionHash } from '../central/store/console-queries.ts';
import type { CentralStore } from '../central/store/store.ts';
import type { SessionRecord } from '../central/types.ts';

/**
 * The console's sessions: a cookie holding 256 random bits (the store keeps their SHA-256, so
 * a copy of the database opens no session), HttpOnly, SameSite=Lax, Secure with the `__Host-`
 * prefix when the listener speaks TLS; 2 hours idle or 12 hours in all, whichever comes first.
 * Sessions live in the store, so several `central serve` processes share them.
 *
 * CSRF: every session has its own token, put in every form (`_csrf`) and checked on every POST,
 * in constant time; a POST whose Origin (or Sec-Fetch-Site) says another site is refused
 * before that. The login form, having no session yet, uses a double-submit cookie.
 */

export const IDLE_MS = 2 * 3600_000;
export const MAX_MS = 12 * 3600_000;
/** A session's expiry is moved on at most this often (one write per user per five minutes). */
const TOUCH_EVERY_MS = 5 * 60_000;

export interface Session extends SessionRecord {
  idHash: string;
}

export const newSecret = (): string => randomBytes(32).toString('base64url');

export function cookieNames(secure: boolean): { session: string; login: string } {
  return secure ? { session: '__Host-camsweep_session', login: '__Host-camsweep_login' } : { session: 'camsweep_session', login: 'camsweep_login' };
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!out.has(name) && /^[A-Za-z0-9_-]{1,100}$/u.test(value)) out.set(name, value);
  }
  return out;
}

export function setCookie(name: string, value: string, o: { secure: boolean; maxAgeS?: number }): string {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (o.secure) parts.push('Secure');
  if (o.maxAgeS !== undefined) parts.push(`Max-Age=${o.maxAgeS}`);
  return parts.join('; ');
}

export const clearCookie = (name: string, secure: boolean): string => setCookie(name, '', { secure, maxAgeS: 0 });

export class Sessions {
  private readonly store: CentralStore;
  private readonly now: () => number;
  readonly secure: boolean;
  constructor(store: CentralStore, now: () => number, secure: boolean) {
    this.store = store;
    this.now = now;
    this.secure = secure;
  }

  get names(): { session: string; login: string } {
    return cookieNames(this.secure);
  }

  /** The session of this request, when its cookie names a live one. */
  async current(req: http.IncomingMessage): Promise<Session | undefined> {
    const token = parseCookies(req.headers.cookie).get(this.names.session);
    if (token === undefined) return undefined;
    const idHash = sessionHash(token);
    const now = this.now();
    const s = await this.store.console.session(idHash, now);
    if (s === undefined) return undefined;
    if (now - s.seenAt >= TOUCH_EVERY_MS) {
      const expiresAt = Math.min(s.createdAt + MAX_MS, now + IDLE_MS);
      await this.store.console.touchSession(idHash, now, expiresAt);
    }
    return { ...s, idHash };
  }

  /**
   * A new session for this user: the Set-Cookie header to send. A session this browser still
   * held (a sign-in while signed in, perhaps as someone else) ends here: its cookie is about to
   * be replaced, and it would otherwise stay valid in the store until it expired.
   */
  async open(user: string, req?: http.IncomingMessage): Promise<string> {
    const previous = req === undefined ? undefined : parseCookies(req.headers.cookie).get(this.names.session);
    if (previous !== undefined) await this.store.console.deleteSession(sessionHash(previous));
    const token = newSecret();
    const now = this.now();
    await this.store.console.createSession({ idHash: sessionHash(token), user, csrf: newSecret(), now, expiresAt: now + IDLE_MS });
    return setCookie(this.names.session, token, { secure: this.secure });
  }

  async close(s: Session): Promise<string> {
    await this.store.console.deleteSession(s.idHash);
    return clearCookie(this.names.session, this.secure);
  }
}

/** The CSRF token of a form matches the session's (constant time). */
export const csrfMatches = (expected: string, given: string | undefined): boolean => given !== undefined && secretsEqual(expected, given);

/**
 * A state-changing request that says it comes from another site: refused whatever its token.
 * Browsers send Origin on POST (and Sec-Fetch-Site); when neither is there, the token decides.
 */
export function crossSite(req: http.IncomingMessage, secure: boolean): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  const host = req.headers.host;
  return origin !== `${secure ? 'https' : 'http'}://${host ?? ''}`;
}
