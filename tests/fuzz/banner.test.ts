/**
 * HTTP banners under hostile input: bannerEvidence, parseWwwAuthenticate, extractTitle and
 * decodeEntities never throw; the evidence is bounded and clean, a title is at most
 * MAX_TITLE_LENGTH characters, challenges are capped, entities never lengthen a text.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { MAX_EVIDENCE } from '../../src/domain/evidence.ts';
import { bannerEvidence, decodeEntities, extractTitle, MAX_TITLE_LENGTH, parseWwwAuthenticate } from '../../src/enrich/banner.ts';
import type { HttpResponse } from '../../src/util/http.ts';
import { check, checkClean, checkEvidence, checkLength, checkNoPollution, noThrow } from './shared/bounds.ts';
import { allCaptures, captures, uniqueCaptures, type Capture } from './shared/captures.ts';
import { captureCases, inputFloorCase } from './shared/family.ts';
import { headerLine } from './shared/header-gen.ts';
import { CASE_TIMEOUT_MS, fuzz, Tally } from './shared/run.ts';
import { hostileBytes, hostileString, REAL_VALUES } from './shared/text-gen.ts';

const FUNCTIONS = ['bannerEvidence', 'parseWwwAuthenticate', 'extractTitle', 'decodeEntities'] as const;
const tally = new Tally();
const FIELDS = new Set(['http.port', 'http.status', 'http.server', 'http.authScheme', 'http.realm', 'http.location', 'http.title']);

function auth(value: string): void {
  const challenges = tally.time('parseWwwAuthenticate', () => noThrow(() => parseWwwAuthenticate(value), 'parseWwwAuthenticate'), value.length);
  check(challenges.length <= 8, () => `${challenges.length} challenges`);
  for (const c of challenges) {
    check(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,4096}$/u.test(c.scheme), () => `scheme ${JSON.stringify(c.scheme.slice(0, 80))}`);
    if (c.realm !== undefined) checkLength(c.realm, 4096, 'realm');
  }
}

function title(body: Buffer): void {
  const t = tally.time('extractTitle', () => noThrow(() => extractTitle(body), 'extractTitle'), body.length);
  if (t !== undefined) {
    checkClean(t, MAX_TITLE_LENGTH, 'title');
    check(t !== '', () => 'empty title');
  }
}

function entities(text: string): void {
  const out = tally.time('decodeEntities', () => noThrow(() => decodeEntities(text), 'decodeEntities'), text.length);
  check(out.length <= text.length, () => `decodeEntities made ${text.length} characters into ${out.length}`);
}

function banner(res: HttpResponse): void {
  const evidence = tally.time('bannerEvidence', () => noThrow(() => bannerEvidence(res, 8080), 'bannerEvidence'), res.body.length);
  checkEvidence(evidence, MAX_EVIDENCE, 'http', 'bannerEvidence');
  for (const e of evidence) check(FIELDS.has(e.field), () => `field ${e.field}`);
  checkNoPollution('bannerEvidence');
}

/**
 * Raw response bytes read the way boundedRequest hands them over: status from the first
 * line, header names lower-cased and repeats joined by ', ', the rest as the body.
 */
function response(bytes: Buffer): HttpResponse {
  let split = bytes.indexOf('\r\n\r\n');
  let sep = 4;
  if (split < 0) {
    split = bytes.indexOf('\n\n');
    sep = 2;
  }
  const head = (split < 0 ? bytes : bytes.subarray(0, split)).toString('latin1');
  const body = split < 0 ? Buffer.alloc(0) : bytes.subarray(split + sep);
  const [statusLine = '', ...lines] = head.split(/\r?\n/u);
  const status = Number(/^\S+\s+(\d{1,4})/u.exec(statusLine)?.[1] ?? 200);
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status, headers: { ...headers }, body, truncated: false };
}

/** One response: the banner of it, and its parts through each helper on their own. */
function input(bytes: Buffer): void {
  const res = response(bytes);
  banner(res);
  const text = bytes.toString('utf8');
  auth(res.headers['www-authenticate'] ?? text);
  title(bytes);
  entities(text);
}

interface HttpFixture {
  status: number;
  reason: string;
  headers: Array<[string, string]>;
  body: string;
}

/** A fixture (status, headers, body as JSON) as the bytes a server sends. */
function wire(c: Capture): Capture {
  const f = JSON.parse(c.bytes.toString('utf8')) as HttpFixture;
  const head = [`HTTP/1.1 ${f.status} ${f.reason}`, ...f.headers.map(([k, v]) => `${k}: ${v}`)].join('\r\n');
  return { name: c.name, bytes: Buffer.from(`${head}\r\n\r\n${f.body}`, 'utf8') };
}

const seeds = uniqueCaptures(
  captures('http').map(wire),
  captures('onvif', /\.html$/u),
  captures('corpus', /http|recog-banners|magicbox|reolink/u),
);

const VOCAB = {
  startLines: ['HTTP/1.1 200 OK', 'HTTP/1.1 401 Unauthorized', 'HTTP/1.1 302 Found', 'HTTP/1.0 301', 'HTTP/1.1 999 X', 'HTTP/1.1 -1'],
  names: ['Server', 'WWW-Authenticate', 'Location', 'Content-Type', 'Set-Cookie', 'X-Frame-Options'],
  values: [
    ...REAL_VALUES,
    'Basic realm="hikvision"',
    'Digest realm="Login to ND011811000000", nonce="ec36", qop="auth"',
    'Basic realm=device, Digest realm="a\\"b", NTLM TlRMTVNTUAABAAAAB4IIog==',
    'Negotiate, ,,, realm=',
    'Basic realm="unterminated',
    'DNVRS-Webs',
    'App-webs/',
    'http://10.66.0.11/doc/page/login.asp?_1',
  ],
};

const html = fc
  .record({
    before: fc.oneof(fc.constant('<html><head>'), hostileString),
    open: fc.constantFrom('<title>', '<TITLE>', '<title lang="en">', `<title ${'a'.repeat(600)}>`, '<title', '<titlex>'),
    inner: fc.array(fc.oneof(hostileString, fc.constantFrom('&amp;', '&#x1b;', '&#0;', '&#xD800;', '&#1114111;', '&nbsp;', '&bogus;', '<b>', '<', '</title', '&#99999999;')), { maxLength: 8 }),
    close: fc.constantFrom('</title>', '</TITLE >', '', '</title'),
    repeat: fc.nat({ max: 3 }),
  })
  .map(({ before, open, inner, close, repeat }) => Buffer.from(`${before}${`${open}${inner.join('')}${close}`.repeat(repeat + 1)}</head></html>`, 'utf8'));

const generatedResponse: fc.Arbitrary<HttpResponse> = fc
  .record({
    status: fc.oneof(fc.constantFrom(200, 301, 302, 307, 401, 403, 404, 500), fc.integer({ min: -1000, max: 1000 })),
    lines: fc.array(headerLine(VOCAB), { maxLength: 12 }),
    body: fc.oneof(html, hostileBytes),
    truncated: fc.boolean(),
  })
  .map(({ status, lines, body, truncated }) => {
    const res = response(Buffer.from(`HTTP/1.1 ${status} X\r\n${lines.join('\r\n')}\r\n\r\n`, 'utf8'));
    return { ...res, status, body, truncated };
  });

const challengeList = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constantFrom('Basic', 'Digest', 'Negotiate', 'NTLM', 'Bearer', ''), hostileString),
      fc.array(fc.tuple(fc.constantFrom('realm', 'nonce', 'qop', 'REALM', 'x'), fc.oneof(hostileString.map((s) => `"${s}"`), hostileString)), { maxLength: 4 }),
    ),
    { maxLength: 12 },
  )
  .map((challenges) => challenges.map(([scheme, params]) => `${scheme} ${params.map(([k, v]) => `${k}=${v}`).join(', ')}`).join(', '));

describe('fuzz: HTTP banner parsing', { timeout: CASE_TIMEOUT_MS }, () => {
  captureCases({ family: 'http', areas: [{ area: 'http' }], seeds, pool: allCaptures(), mutants: 5000, input });

  it('survives generated responses', () => {
    fuzz('http generated responses', generatedResponse, (res) => {
      banner(res);
      title(res.body);
    }, 4000);
  });

  it('survives generated WWW-Authenticate values', () => {
    fuzz('http generated challenges', challengeList, auth, 4000);
  });

  it('survives generated titles and entities', () => {
    fuzz('http generated titles', html, (body) => {
      title(body);
      entities(body.toString('utf8'));
    }, 4000);
  });

  inputFloorCase(tally, FUNCTIONS, 'banner');
});
