import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { gzipSync } from 'node:zlib';
import { isReviewDate, reviewProblem, ROLE_CAN_REVIEW } from '../central/api.ts';
import { verifyPassword } from '../central/auth.ts';
import { readBody, pathOf } from '../central/http-util.ts';
import type { CentralStore } from '../central/store/store.ts';
import { CONSOLE_SORTS, DEVICE_STATUSES, REVIEW_STATES, type ConsoleQuery, type ConsoleSort, type DeviceStatus, type OverviewCounts, type ReviewState } from '../central/types.ts';
import { CamsweepError, errorMessage } from '../domain/errors.ts';
import { cleanText } from '../util/text.ts';
import type { Logger } from '../util/log.ts';
import { ASSETS } from './assets.ts';
import { csvChunks, jsonChunks } from './export.ts';
import { LoginLimiter } from './login-limit.ts';
import { devicePage } from './pages/device.ts';
import { devicesPage } from './pages/devices.ts';
import type { Viewer } from './pages/layout.ts';
import { loginPage } from './pages/login.ts';
import { overviewPage } from './pages/overview.ts';
import { problemPage } from './pages/problem.ts';
import { htmlToPdf, serialised } from './pdf.ts';
import { renderReport, reportData } from './report.ts';
import { clearCookie, crossSite, csrfMatches, newSecret, parseCookies, Sessions, setCookie, type Session } from './session.ts';
import { EXPIRING_DAYS, series, summarise } from './summary.ts';

/**
 * The review console, served at `/` of the central listener (issue 13): server-rendered pages,
 * a stylesheet and a small script of its own, nothing from elsewhere.
 *
 *   GET  /login, POST /login, POST /logout       sign in (username, password) and out
 *   GET  /                                       overview (?site=)
 *   GET  /devices                                the list (filters, search, sort, pages)
 *   GET  /devices.csv, /devices.json             the list's current view, every page
 *   GET  /devices/{id}                           one device
 *   POST /devices/{id}/review                    a decision (reviewer, admin; a viewer gets 403)
 *   GET  /report, /report.pdf                    the compliance report (?site=)
 *   GET  /assets/...                             the stylesheet, script and icon
 *
 * Every response carries a strict Content-Security-Policy (same-origin scripts and styles only;
 * the report's own styles by nonce), and the session is looked up before a body is read.
 */

export interface ConsoleOptions {
  store: CentralStore;
  now: () => number;
  log: Logger;
  /** The listener speaks TLS: cookies are Secure and `__Host-` prefixed. */
  secure: boolean;
  version: string;
  /** How long the overview's counts are kept before being read again (default 30 s). */
  overviewTtlMs?: number;
  /** Rows of a list page (default 100). */
  pageSize?: number;
  env?: NodeJS.ProcessEnv;
  limiter?: LoginLimiter;
  /** Reports (HTML or PDF) made at once; more are answered 503 (default 2). */
  reportsAtOnce?: number;
  /**
   * Strict-Transport-Security max-age in seconds on every console answer, over TLS only
   * (central serve --hsts). Off by default: it binds the whole host name, every port, to HTTPS.
   */
  hstsMaxAgeS?: number;
}

export interface ConsoleResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: string | Buffer | AsyncIterable<string>;
}

const MAX_FORM = 16 * 1024;
const DEVICE_PATH = /^\/devices\/([0-9a-f]{16})$/u;
const REVIEW_PATH = /^\/devices\/([0-9a-f]{16})\/review$/u;

/** Is this request the console's? (GETs other than the API, health and metrics; its three POST forms.) */
export function isConsoleRequest(method: string, path: string): boolean {
  if (method === 'GET' || method === 'HEAD') return !path.startsWith('/api/') && path !== '/healthz' && path !== '/metrics' && path !== '/v1/reports';
  if (method === 'POST') return path === '/login' || path === '/logout' || REVIEW_PATH.test(path);
  return false;
}

const BASE_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
};

export function contentSecurityPolicy(styleNonce?: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    styleNonce === undefined ? "style-src 'self'" : `style-src 'nonce-${styleNonce}'`,
    "img-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/**
 * A local path to go back to after signing in (never another origin). Printable ASCII only: a
 * browser sends its paths percent-encoded, and anything else cannot go in a Location header
 * (Node refuses to write it, and the sign-in would fail for good).
 */
export function safeNext(value: string | null | undefined): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.includes('\\') || value.length > 2000 || !/^[\x21-\x7e]*$/u.test(value)) return '/';
  if (value.startsWith('/login') || value.startsWith('/logout')) return '/';
  return value;
}

type ParsedList = { ok: true; query: Omit<ConsoleQuery, 'limit'> } | { ok: false; problems: string[] };

export function parseListQuery(p: URLSearchParams): ParsedList {
  const problems: string[] = [];
  const one = (name: string, max: number): string | undefined => {
    const v = p.get(name);
    if (v === null || v === '') return undefined;
    if (v.length > max) {
      problems.push(`${name}: at most ${max} characters`);
      return undefined;
    }
    return v;
  };
  const status = one('status', 32);
  if (status !== undefined && !(DEVICE_STATUSES as readonly string[]).includes(status)) problems.push(`status: one of ${DEVICE_STATUSES.join(', ')}`);
  const sort = one('sort', 32) ?? 'site';
  if (!(CONSOLE_SORTS as readonly string[]).includes(sort)) problems.push(`sort: one of ${CONSOLE_SORTS.join(', ')}`);
  const review = one('review', 32);
  if (review !== undefined && review !== 'none' && !(REVIEW_STATES as readonly string[]).includes(review)) problems.push(`review: one of ${REVIEW_STATES.join(', ')}, none`);
  const fields = { site: one('site', 200), maker: one('maker', 200), brand: one('brand', 200), kind: one('kind', 32), agent: one('agent', 128), q: one('q', 200), cursor: one('cursor', 4096) };
  if (problems.length > 0) return { ok: false, problems };
  const query: Omit<ConsoleQuery, 'limit'> = { sort: sort as ConsoleSort };
  if (status !== undefined) query.status = status as DeviceStatus;
  if (review !== undefined) query.review = review as ReviewState | 'none';
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) (query as Record<string, unknown>)[k] = k === 'q' ? v.trim().toLowerCase() : v;
  return { ok: true, query };
}

export function createConsole(o: ConsoleOptions): { handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<number> } {
  const log = o.log.child({ module: 'console' });
  const sessions = new Sessions(o.store, o.now, o.secure);
  // The sign-in limits are kept in the store too: every process on it counts the same attempts.
  const limiter =
    o.limiter ??
    new LoginLimiter({
      now: o.now,
      shared: o.store.console,
      onSharedError: (err) => log.warn({ error: { message: errorMessage(err) } }, 'sign-in attempts could not be counted in the store: this process\'s limits hold alone'),
    });
  const pageSize = o.pageSize ?? 100;
  const ttl = o.overviewTtlMs ?? 30_000;
  const pdf = serialised((text: string) => htmlToPdf(text, { ...(o.env === undefined ? {} : { env: o.env }) }));
  const reportsAtOnce = o.reportsAtOnce ?? 2;
  let reportsBuilding = 0;
  // The overview's counts, read at most once per `ttl` (one covering-index scan and a few small
  // queries), with what every list page needs from them (the makers, brands and kinds to filter by).
  interface Counts {
    counts: OverviewCounts;
    options: { makers: string[]; brands: string[]; kinds: string[] };
  }
  let overviewCache: { at: number; value: Promise<Counts> } | undefined;
  const overview = (): Promise<Counts> => {
    const now = o.now();
    if (overviewCache === undefined || now - overviewCache.at >= ttl) {
      const value = o.store.console.overview().then((counts) => {
        const all = summarise(counts, null, now);
        const named = (rows: Array<{ name: string }>): string[] => rows.map((m) => m.name).filter((n) => n !== '(unknown)');
        return { counts, options: { makers: named(all.byMaker), brands: named(all.byBrand), kinds: all.kinds } };
      });
      overviewCache = { at: now, value };
      value.catch(() => {
        overviewCache = undefined;
      });
    }
    return overviewCache.value;
  };
  const asOf = (): string => new Date(overviewCache?.at ?? o.now()).toISOString();

  const htmlResponse = (req: http.IncomingMessage, status: number, text: string, extra: Record<string, string | string[]> = {}, nonce?: string): ConsoleResponse => {
    const gzip = /\bgzip\b/u.test(String(req.headers['accept-encoding'] ?? '')) && text.length > 1024;
    return {
      status,
      headers: {
        ...BASE_HEADERS,
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': contentSecurityPolicy(nonce),
        vary: 'Accept-Encoding',
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
        ...extra,
      },
      body: gzip ? gzipSync(text, { level: 6 }) : text,
    };
  };
  const redirect = (location: string, extra: Record<string, string | string[]> = {}): ConsoleResponse => ({
    status: 303,
    headers: { ...BASE_HEADERS, location, 'cache-control': 'no-store', 'content-security-policy': contentSecurityPolicy(), ...extra },
    body: '',
  });
  const viewerOf = (s: Session): Viewer => ({ name: s.user.name, role: s.user.role, csrf: s.csrf });
  const problem = (req: http.IncomingMessage, s: Session | undefined, status: number, title: string, message: string, extra: Record<string, string> = {}): ConsoleResponse =>
    htmlResponse(req, status, problemPage(s === undefined ? undefined : viewerOf(s), title, message), extra);

  async function form(req: http.IncomingMessage): Promise<URLSearchParams | undefined> {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') return undefined;
    const { body, tooLarge } = await readBody(req, MAX_FORM);
    if (tooLarge) return undefined;
    return new URLSearchParams(body.toString('utf8'));
  }

  function asset(req: http.IncomingMessage, path: string): ConsoleResponse | undefined {
    const a = ASSETS.byPath.get(path);
    if (a === undefined) return undefined;
    const gzip = /\bgzip\b/u.test(String(req.headers['accept-encoding'] ?? ''));
    if (req.headers['if-none-match'] === a.etag) return { status: 304, headers: { ...BASE_HEADERS, etag: a.etag, 'cache-control': 'public, max-age=31536000, immutable' }, body: '' };
    return {
      status: 200,
      headers: {
        ...BASE_HEADERS,
        'content-type': a.type,
        'cache-control': 'public, max-age=31536000, immutable',
        etag: a.etag,
        vary: 'Accept-Encoding',
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      },
      body: gzip ? a.gzip : a.body,
    };
  }

  function showLogin(req: http.IncomingMessage, status: number, next: string, error?: string, username?: string): ConsoleResponse {
    const token = newSecret();
    return htmlResponse(req, status, loginPage({ csrf: token, next, ...(error === undefined ? {} : { error }), ...(username === undefined ? {} : { username }) }), {
      'set-cookie': setCookie(sessions.names.login, token, { secure: o.secure, maxAgeS: 3600 }),
    });
  }

  async function login(req: http.IncomingMessage): Promise<ConsoleResponse> {
    if (crossSite(req, o.secure)) return problem(req, undefined, 403, 'Refused', 'A sign-in from another site.');
    const f = await form(req);
    if (f === undefined) return problem(req, undefined, 400, 'Bad request', 'A sign-in is a form of at most 16 KiB.');
    const next = safeNext(f.get('next'));
    const cookie = parseCookies(req.headers.cookie).get(sessions.names.login);
    if (cookie === undefined || !csrfMatches(cookie, f.get('_csrf') ?? undefined)) return showLogin(req, 403, next, 'The sign-in form had expired: try again.');
    const username = (f.get('username') ?? '').slice(0, 64);
    const password = f.get('password') ?? '';
    const address = req.socket.remoteAddress ?? 'unknown';
    const gate = await limiter.begin(address, username);
    if (!gate.ok) {
      log.warn({ login: { address, reason: gate.why } }, 'sign-in attempts rate limited');
      return htmlResponse(req, 429, loginPage({ csrf: cookie, next, error: `Too many attempts: try again in ${gate.retryAfterS} s.`, username }), { 'retry-after': String(gate.retryAfterS) });
    }
    let user;
    let ok = false;
    try {
      user = await o.store.getUser(username);
      // Without such a user, a hash is still checked: the answer takes as long either way.
      ok = await verifyPassword(password.slice(0, 1024), user?.passwordHash ?? DUMMY_HASH);
    } finally {
      gate.release();
    }
    if (user === undefined || !ok) {
      limiter.failed(address, username);
      log.info({ login: { address, user: cleanText(username, 64) } }, 'sign-in refused: wrong user name or password');
      return showLogin(req, 401, next, 'Wrong user name or password.', username);
    }
    await limiter.succeeded(username, gate.attempt);
    log.info({ login: { address, user: user.name } }, 'signed in');
    return redirect(next, { 'set-cookie': [await sessions.open(user.name, req), clearCookie(sessions.names.login, o.secure)] });
  }

  async function listPage(req: http.IncomingMessage, s: Session, query: URLSearchParams): Promise<ConsoleResponse> {
    const parsed = parseListQuery(query);
    if (!parsed.ok) return problem(req, s, 400, 'Bad filter', parsed.problems.join('; '));
    const [page, counts] = await Promise.all([o.store.console.devicePage({ ...parsed.query, limit: pageSize }), overview()]);
    return htmlResponse(req, 200, devicesPage(viewerOf(s), { query: parsed.query, devices: page.devices, nextCursor: page.nextCursor, ...counts.options }));
  }

  function exportView(s: Session, query: URLSearchParams, format: 'csv' | 'json'): ConsoleResponse | { bad: string } {
    const parsed = parseListQuery(query);
    if (!parsed.ok) return { bad: parsed.problems.join('; ') };
    const { cursor: _cursor, ...view } = parsed.query;
    const pages = o.store.console.devices(view);
    log.info({ export: { user: s.user.name, format } }, 'device list exported');
    const stamp = new Date(o.now()).toISOString().slice(0, 10);
    return {
      status: 200,
      headers: {
        ...BASE_HEADERS,
        'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
        'content-disposition': `attachment; filename="camsweep-devices-${stamp}.${format}"`,
        'cache-control': 'no-store',
        'content-security-policy': contentSecurityPolicy(),
      },
      body: format === 'csv' ? csvChunks(pages) : jsonChunks(pages, view),
    };
  }

  async function overviewRoute(req: http.IncomingMessage, s: Session, query: URLSearchParams): Promise<ConsoleResponse> {
    const site = query.get('site');
    if (site !== null && site.length > 200) return problem(req, s, 400, 'Bad site', 'A site name has at most 200 characters.');
    const now = o.now();
    const today = new Date(now).toISOString().slice(0, 10);
    const from = new Date(now - 89 * 86_400_000).toISOString().slice(0, 10);
    const soon = new Date(now + EXPIRING_DAYS * 86_400_000).toISOString().slice(0, 10);
    const [{ counts }, expiring, daily] = await Promise.all([
      overview(),
      o.store.console.exceptions({ ...(site === null ? {} : { site }), until: soon, limit: 100 }),
      o.store.console.dailyCounts(site ?? undefined, from),
    ]);
    const summary = summarise(counts, site, now);
    return htmlResponse(req, 200, overviewPage(viewerOf(s), { summary, expiring, series: series(daily, from, today), asOf: asOf(), siteRows: 100 }));
  }

  async function deviceRoute(req: http.IncomingMessage, s: Session, id: string, query: URLSearchParams): Promise<ConsoleResponse> {
    const d = await o.store.getDevice(id);
    if (d === undefined) return problem(req, s, 404, 'No such device', `There is no device ${id}.`);
    return htmlResponse(req, 200, devicePage(viewerOf(s), d, query.get('reviewed') === '1' ? { notice: 'Your decision was recorded.' } : {}));
  }

  async function reviewRoute(req: http.IncomingMessage, s: Session, id: string): Promise<ConsoleResponse> {
    if (!ROLE_CAN_REVIEW.has(s.user.role)) return problem(req, s, 403, 'Not allowed', `You are signed in as a ${s.user.role}: reviewing needs the reviewer or admin role.`);
    const f = await form(req);
    if (f === undefined) return problem(req, s, 400, 'Bad request', 'A review is a form of at most 16 KiB.');
    if (!csrfMatches(s.csrf, f.get('_csrf') ?? undefined)) return problem(req, s, 403, 'Refused', 'The form did not carry this session\'s token: reload the page and try again.');
    const state = f.get('state') ?? '';
    const note = (f.get('note') ?? '').slice(0, 2000);
    const untilText = (f.get('until') ?? '').trim();
    const d = await o.store.getDevice(id);
    if (d === undefined) return problem(req, s, 404, 'No such device', `There is no device ${id}.`);
    const fail = (message: string): ConsoleResponse => htmlResponse(req, 400, devicePage(viewerOf(s), d, { error: message }));
    if (!(REVIEW_STATES as readonly string[]).includes(state)) return fail(`Choose a decision: ${REVIEW_STATES.join(', ')}.`);
    const until = state === 'exception' && untilText !== '' ? untilText : null;
    if (until !== null && !isReviewDate(until)) return fail('The end date must be a date, YYYY-MM-DD.');
    const now = o.now();
    const wrong = reviewProblem({ state: state as ReviewState, note, until }, now);
    if (wrong !== undefined) return fail(`Not recorded: ${wrong}.`);
    const review = await o.store.review(id, { state: state as ReviewState, note: cleanText(note, 2000), until, by: s.user.name, at: new Date(now).toISOString() });
    if (review === undefined) return problem(req, s, 404, 'No such device', `There is no device ${id}.`);
    log.info({ review: { user: s.user.name, device: id, state } }, 'review recorded from the console');
    return redirect(`/devices/${id}?reviewed=1`);
  }

  async function reportRoute(req: http.IncomingMessage, s: Session, query: URLSearchParams, format: 'html' | 'pdf'): Promise<ConsoleResponse> {
    const site = query.get('site');
    if (site !== null && (site.length > 200 || site === '')) return problem(req, s, 400, 'Bad site', 'Name a site (at most 200 characters), or none for the whole estate.');
    // A report holds every restricted device with its document in memory (and a PDF waits for
    // Chromium holding it): a few at once, not as many as requests can be sent.
    if (reportsBuilding >= reportsAtOnce) return problem(req, s, 503, 'Busy', 'Other reports are being made: try again in a few seconds.', { 'retry-after': '5' });
    reportsBuilding += 1;
    try {
      return await buildReport(req, s, site, format);
    } finally {
      reportsBuilding -= 1;
    }
  }

  async function buildReport(req: http.IncomingMessage, s: Session, site: string | null, format: 'html' | 'pdf'): Promise<ConsoleResponse> {
    const data = await reportData(o.store, site, o.now(), o.version);
    const nonce = randomBytes(16).toString('base64url');
    if (format === 'html') return htmlResponse(req, 200, renderReport(data, { nonce, served: true }), {}, nonce);
    let bytes: Buffer;
    try {
      bytes = await pdf(renderReport(data));
    } catch (err) {
      if (err instanceof CamsweepError) {
        log.error({ error: { code: err.code, message: err.message } }, 'report PDF failed');
        return problem(req, s, 503, 'No PDF', `${err.message}. The HTML report prints to PDF from the browser.`);
      }
      throw err;
    }
    return {
      status: 200,
      headers: {
        ...BASE_HEADERS,
        'content-type': 'application/pdf',
        'content-disposition': `attachment; filename="camsweep-report-${site === null ? 'estate' : 'site'}-${new Date(o.now()).toISOString().slice(0, 10)}.pdf"`,
        'cache-control': 'no-store',
        'content-security-policy': contentSecurityPolicy(),
      },
      body: bytes,
    };
  }

  async function route(req: http.IncomingMessage): Promise<ConsoleResponse> {
    const { path, query } = pathOf(req);
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    if (path.startsWith('/assets/')) return asset(req, path) ?? problem(req, undefined, 404, 'Not found', 'No such file.');
    if (path === '/favicon.ico') return redirect(ASSETS.icon.path);
    const s = await sessions.current(req);
    if (path === '/login') {
      if (method === 'POST') return login(req);
      return s !== undefined ? redirect('/') : showLogin(req, 200, safeNext(query.get('next')));
    }
    if (s === undefined) {
      if (method !== 'GET') return problem(req, undefined, 401, 'Signed out', 'Your session has ended: sign in again.');
      return redirect(`/login?next=${encodeURIComponent(safeNext(req.url))}`);
    }
    // Signing out and reviewing change state: POST only (a GET or HEAD is never a form of ours).
    if (method !== 'POST' && (path === '/logout' || REVIEW_PATH.test(path))) return problem(req, s, 405, 'Not allowed', 'This is a form\'s address: send the form.', { allow: 'POST' });
    if (method === 'POST' && crossSite(req, o.secure)) return problem(req, s, 403, 'Refused', 'A form sent from another site.');
    if (path === '/logout') {
      const f = await form(req);
      if (f === undefined || !csrfMatches(s.csrf, f.get('_csrf') ?? undefined)) return problem(req, s, 403, 'Refused', 'The form did not carry this session\'s token.');
      return redirect('/login', { 'set-cookie': await sessions.close(s) });
    }
    const review = REVIEW_PATH.exec(path);
    if (review !== null) return reviewRoute(req, s, review[1]!);
    if (path === '/') return overviewRoute(req, s, query);
    if (path === '/devices') return listPage(req, s, query);
    if (path === '/devices.csv' || path === '/devices.json') {
      const r = exportView(s, query, path.endsWith('.csv') ? 'csv' : 'json');
      return 'bad' in r ? problem(req, s, 400, 'Bad filter', r.bad) : r;
    }
    const device = DEVICE_PATH.exec(path);
    if (device !== null) return deviceRoute(req, s, device[1]!, query);
    if (path === '/report') return reportRoute(req, s, query, 'html');
    if (path === '/report.pdf') return reportRoute(req, s, query, 'pdf');
    return problem(req, s, 404, 'Not found', 'There is no such page.');
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<number> {
    let r: ConsoleResponse;
    const started = performance.now();
    try {
      r = await route(req);
      // The time this took in the service (Server-Timing: browsers' tools and the benchmark read it).
      r.headers['server-timing'] = `app;dur=${(performance.now() - started).toFixed(1)}`;
    } catch (err) {
      log.error({ error: { message: errorMessage(err) } }, 'console failed to answer a request');
      r = problem(req, undefined, 500, 'Something went wrong', 'The console could not answer: see the service log.');
    }
    if (res.headersSent) return r.status;
    // Answered before the body was read (signed out, a viewer's review, a form too large...): the
    // connection is closed, so the rest of the body is never read (as the intake does).
    if (!req.complete) r.headers.connection = 'close';
    if (o.secure && o.hstsMaxAgeS !== undefined) r.headers['strict-transport-security'] = `max-age=${o.hstsMaxAgeS}`;
    res.writeHead(r.status, r.headers);
    if (typeof r.body === 'string' || Buffer.isBuffer(r.body)) {
      res.end(r.body);
      return r.status;
    }
    // A streamed export: each chunk waits for the socket to drain.
    try {
      for await (const chunk of r.body) {
        if (res.destroyed) break;
        if (!res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
      }
      res.end();
    } catch (err) {
      log.error({ error: { message: errorMessage(err) } }, 'export failed midway; the connection is cut');
      res.destroy();
    }
    return r.status;
  }

  return { handle };
}

/** A valid scrypt string of no password anyone has: checked when the user does not exist, so both answers take as long. */
const DUMMY_HASH = `scrypt$32768$8$1$${Buffer.alloc(16, 1).toString('base64url')}$${Buffer.alloc(64, 2).toString('base64url')}`;
