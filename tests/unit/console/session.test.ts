import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, isConsoleRequest, parseListQuery, safeNext } from '../../../src/console/handler.ts';
import { addressKey, LoginLimiter } from '../../../src/console/login-limit.ts';
import { cookieNames, crossSite, csrfMatches, parseCookies, setCookie } from '../../../src/console/session.ts';

const req = (headers: Record<string, string>): http.IncomingMessage => ({ headers }) as unknown as http.IncomingMessage;

describe('sessions, cookies and CSRF', () => {
  it('sets HttpOnly SameSite cookies, Secure and __Host- prefixed on TLS', () => {
    expect(setCookie(cookieNames(false).session, 'abc', { secure: false })).toBe('camsweep_session=abc; Path=/; HttpOnly; SameSite=Lax');
    expect(setCookie(cookieNames(true).session, 'abc', { secure: true, maxAgeS: 0 })).toBe('__Host-camsweep_session=abc; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=0');
  });

  it('reads cookies, the first of a name, only token-shaped values', () => {
    const c = parseCookies('a=1; camsweep_session=tok_EN-1; camsweep_session=second; bad=x y; junk');
    expect(c.get('camsweep_session')).toBe('tok_EN-1');
    expect(c.has('bad')).toBe(false);
    expect(parseCookies(undefined).size).toBe(0);
  });

  it('refuses a state change that says it comes from another site', () => {
    expect(crossSite(req({ host: '127.0.0.1:8443', origin: 'http://127.0.0.1:8443' }), false)).toBe(false);
    expect(crossSite(req({ host: '127.0.0.1:8443', origin: 'https://127.0.0.1:8443' }), true)).toBe(false);
    expect(crossSite(req({ host: '127.0.0.1:8443', origin: 'http://evil.example' }), false)).toBe(true);
    expect(crossSite(req({ host: '127.0.0.1:8443', origin: 'http://127.0.0.1:8443' }), true)).toBe(true);
    expect(crossSite(req({ host: 'h', 'sec-fetch-site': 'cross-site' }), false)).toBe(true);
    expect(crossSite(req({ host: 'h', 'sec-fetch-site': 'same-site' }), false)).toBe(true);
    expect(crossSite(req({ host: 'h' }), false)).toBe(false);
    expect(csrfMatches('token', 'token')).toBe(true);
    expect(csrfMatches('token', 'tokeN')).toBe(false);
    expect(csrfMatches('token', undefined)).toBe(false);
  });

  it('goes back after sign-in only to a path of its own', () => {
    expect(safeNext('/devices?status=restricted')).toBe('/devices?status=restricted');
    for (const bad of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'devices', '/login?next=/x', `/x\n`, null, undefined]) expect(safeNext(bad)).toBe('/');
  });

  it('goes back only to a path a Location header can carry: printable ASCII, as browsers send their paths', () => {
    expect(safeNext('/devices?site=Z%C3%BCrich%20A')).toBe('/devices?site=Z%C3%BCrich%20A');
    for (const bad of ['/devices?site=\u20ac', '/x\u007f', '/\u00fc', '/a b', '/\u2215evil.example']) expect(safeNext(bad), JSON.stringify(bad)).toBe('/');
  });

  it('routes to the console only GETs outside the API and its three forms: agents still POST to /', () => {
    expect(isConsoleRequest('GET', '/')).toBe(true);
    expect(isConsoleRequest('POST', '/')).toBe(false);
    expect(isConsoleRequest('POST', '/v1/reports')).toBe(false);
    expect(isConsoleRequest('GET', '/api/v1/devices')).toBe(false);
    expect(isConsoleRequest('GET', '/healthz')).toBe(false);
    expect(isConsoleRequest('GET', '/metrics')).toBe(false);
    expect(isConsoleRequest('POST', '/login')).toBe(true);
    expect(isConsoleRequest('POST', '/devices/0123456789abcdef/review')).toBe(true);
    expect(isConsoleRequest('PUT', '/devices')).toBe(false);
  });

  it('states a strict policy: nothing from elsewhere, no inline script, the report\'s styles by nonce', () => {
    expect(contentSecurityPolicy()).toBe("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    expect(contentSecurityPolicy('n0nce')).toContain("style-src 'nonce-n0nce'");
    expect(contentSecurityPolicy('n0nce')).not.toContain('unsafe');
  });

  it('checks the list\'s filters, every problem at once', () => {
    const ok = parseListQuery(new URLSearchParams('status=restricted&site=HQ&q=%2010.1%20&sort=maker&review=none'));
    expect(ok).toEqual({ ok: true, query: { sort: 'maker', status: 'restricted', review: 'none', site: 'HQ', q: '10.1' } });
    const bad = parseListQuery(new URLSearchParams(`status=gone&sort=last-seen&review=maybe&site=${'x'.repeat(300)}`));
    expect(bad.ok).toBe(false);
    expect(bad.ok ? [] : bad.problems).toHaveLength(4);
  });
});

describe('sign-in rate limit', () => {
  it('counts failures per user and per address over a window, and bounds checks at once', async () => {
    let now = 0;
    const l = new LoginLimiter({ now: () => now, perUser: { max: 3, windowMs: 60_000 }, perAddress: { max: 5, windowMs: 60_000 }, concurrent: 2 });
    for (let i = 0; i < 3; i += 1) {
      const g = await l.begin('10.0.0.1', 'Rita');
      expect(g.ok).toBe(true);
      if (g.ok) g.release();
      l.failed('10.0.0.1', 'Rita');
    }
    const refused = await l.begin('10.0.0.9', 'rita');
    expect(refused).toMatchObject({ ok: false, why: 'user', retryAfterS: 60 });
    expect((await l.begin('10.0.0.1', 'sam')).ok).toBe(true);
    now = 61_000;
    const again = await l.begin('10.0.0.9', 'rita');
    expect(again.ok).toBe(true);
    // Another address spraying names.
    for (let i = 0; i < 5; i += 1) l.failed('10.0.0.7', `user${i}`);
    expect(await l.begin('10.0.0.7', 'fresh')).toMatchObject({ ok: false, why: 'address' });
    // Two checks at once at most (one is still held from above: sam's), then busy.
    const busy = new LoginLimiter({ now: () => 0, concurrent: 1 });
    const first = await busy.begin('a', 'x');
    expect(await busy.begin('b', 'y')).toMatchObject({ ok: false, why: 'busy' });
    if (first.ok) first.release();
    expect((await busy.begin('b', 'y')).ok).toBe(true);
    await l.succeeded('RITA');
  });

  it('counts attempts still being checked: several sent at once get no more tries than one after another', async () => {
    const l = new LoginLimiter({ now: () => 0, perUser: { max: 2, windowMs: 60_000 }, perAddress: { max: 3, windowMs: 60_000 }, concurrent: 4 });
    const a = await l.begin('10.0.0.1', 'rita');
    const b = await l.begin('10.0.0.2', 'rita');
    expect(a.ok && b.ok).toBe(true);
    expect(await l.begin('10.0.0.3', 'rita')).toMatchObject({ ok: false, why: 'user', retryAfterS: 1 });
    if (a.ok) a.release();
    l.failed('10.0.0.1', 'rita');
    if (b.ok) b.release();
    l.failed('10.0.0.2', 'rita');
    expect(await l.begin('10.0.0.3', 'rita')).toMatchObject({ ok: false, why: 'user', retryAfterS: 60 });
    // Per address alike.
    const held = [await l.begin('10.0.0.9', 'u1'), await l.begin('10.0.0.9', 'u2'), await l.begin('10.0.0.9', 'u3')];
    expect(held.every((g) => g.ok)).toBe(true);
    expect(await l.begin('10.0.0.9', 'u4')).toMatchObject({ ok: false, why: 'address' });
    for (const g of held) if (g.ok) g.release();
    expect((await l.begin('10.0.0.9', 'u4')).ok).toBe(true);
  });

  it('counts an IPv6 client by its /64 (it could take a new address for each try), an IPv4-mapped one by its IPv4 address', async () => {
    expect(addressKey('2001:db8:1:2::1')).toBe(addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('::ffff:10.0.0.1')).toBe(addressKey('10.0.0.1'));
    expect(addressKey('::ffff:10.0.0.1')).not.toBe(addressKey('::ffff:10.0.0.2'));
    expect(addressKey('unknown')).toBe('unknown');
    const l = new LoginLimiter({ now: () => 0, perAddress: { max: 3, windowMs: 60_000 } });
    for (let i = 1; i <= 3; i += 1) l.failed(`2001:db8:1:2::${i}`, `user${i}`);
    expect(await l.begin('2001:db8:1:2:aaaa:bbbb:cccc:dddd', 'fresh')).toMatchObject({ ok: false, why: 'address' });
    expect((await l.begin('2001:db8:1:3::1', 'fresh')).ok).toBe(true);
    for (let i = 1; i <= 3; i += 1) l.failed(`::ffff:10.1.0.${i}`, `user${i}`);
    expect((await l.begin('::ffff:10.1.0.4', 'fresh')).ok).toBe(true);
  });
});
