import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeEntities, extractTitle, httpBanner, parseWwwAuthenticate } from '../../../src/enrich/banner.ts';
import { boundedRequest } from '../../../src/util/http.ts';
import { enrichContext, evidenceValues, fakeHttp } from '../../helpers/enrich.ts';
import { pumpEndlessly } from '../../helpers/endless-body.ts';
import { closeRawServers, rawServer } from '../../helpers/raw-server.ts';

interface BannerFixture {
  source: string;
  status: number;
  reason: string;
  headers: Array<[string, string]>;
  body: string;
  expect: Record<string, string>;
}

const FIXTURES = new URL('../../fixtures/http/', import.meta.url);

afterEach(closeRawServers);

const values = (result: Awaited<ReturnType<typeof httpBanner>>, field: string): string[] => evidenceValues(result.observations[0], field);

describe('httpBanner on real banner values (composed responses, see tests/fixtures/http/README.md)', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));

  it('has fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
  });

  it.each(files)('%s', async (file) => {
    const fx = JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')) as BannerFixture;
    const srv = await rawServer((socket) => {
      const head = [`HTTP/1.1 ${fx.status} ${fx.reason}`, ...fx.headers.map(([k, v]) => `${k}: ${v}`)].join('\r\n');
      socket.end(`${head}\r\n\r\n${fx.body}`);
    });
    const result = await httpBanner({ ip: '127.0.0.1', port: srv.port }, enrichContext(boundedRequest));
    expect(result.errors).toEqual([]);
    expect(result.observations).toHaveLength(1);
    expect(result.observations[0]).toMatchObject({ protocol: 'http', ip: '127.0.0.1', endpoints: { httpPorts: [srv.port] } });
    expect(values(result, 'http.port')).toEqual([String(srv.port)]);
    for (const [field, value] of Object.entries(fx.expect)) expect(values(result, field), field).toEqual([value]);
    for (const e of result.observations[0]!.evidence) expect(e.protocol).toBe('http');
  });
});

describe('httpBanner against hostile servers', () => {
  it('records a redirect target without following it', async () => {
    const target = await rawServer((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    const srv = await rawServer((s) => s.end(`HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:${target.port}/doc/page/login.asp\r\nContent-Length: 0\r\n\r\n`));
    const result = await httpBanner({ ip: '127.0.0.1', port: srv.port }, enrichContext(boundedRequest));
    expect(values(result, 'http.status')).toEqual(['302']);
    expect(values(result, 'http.location')).toEqual([`http://127.0.0.1:${target.port}/doc/page/login.asp`]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(target.connections).toBe(0);
  });

  it('an endless body does not hang: the banner comes from the first part', async () => {
    const srv = await rawServer((s) => {
      s.write('HTTP/1.1 200 OK\r\nServer: Endless/1.0\r\nContent-Type: text/html\r\n\r\n<html><head><title>Live &amp; Endless</title></head><body>');
      pumpEndlessly(s, Buffer.alloc(16 * 1024, 0x20));
    });
    const started = Date.now();
    const result = await httpBanner({ ip: '127.0.0.1', port: srv.port }, enrichContext(boundedRequest, { requestTimeoutMs: 5000 }));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.errors).toEqual([]);
    expect(values(result, 'http.server')).toEqual(['Endless/1.0']);
    expect(values(result, 'http.title')).toEqual(['Live & Endless']);
  });

  it('a server that never answers ends as HTTP_TIMEOUT', async () => {
    const srv = await rawServer(() => undefined);
    const started = Date.now();
    const result = await httpBanner({ ip: '127.0.0.1', port: srv.port }, enrichContext(boundedRequest, { requestTimeoutMs: 300 }));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(result).toEqual({ observations: [], errors: [{ code: 'HTTP_TIMEOUT', message: expect.any(String), protocol: 'http', ip: '127.0.0.1' }] });
  });

  it('a huge header is refused, not buffered', async () => {
    const srv = await rawServer((s) => s.end(`HTTP/1.1 200 OK\r\nServer: ${'S'.repeat(1024 * 1024)}\r\n\r\n`));
    const result = await httpBanner({ ip: '127.0.0.1', port: srv.port }, enrichContext(boundedRequest));
    expect(result.observations).toEqual([]);
    expect(result.errors.map((e) => e.code)).toEqual(['HTTP_HPE_HEADER_OVERFLOW']);
  });

  it('strips control characters and ANSI escapes from the title', async () => {
    const body = '<title>\u001b[31mred\u0007&#27;&#x7;</title>';
    const srv = await rawServer((s) => s.end(`HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`));
    const result = await httpBanner({ ip: '127.0.0.1', port: srv.port }, enrichContext(boundedRequest));
    expect(result.observations).toHaveLength(1);
    for (const e of result.observations[0]!.evidence) {
      // eslint-disable-next-line no-control-regex
      expect(e.value).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/u);
    }
    expect(values(result, 'http.title')).toEqual(["[31mred"]);
  });

  it('a control character in a header is read leniently and cleaned, never stored raw', async () => {
    const srv = await rawServer((s) => s.end('HTTP/1.1 200 OK\r\nServer: Evil\u001b[2JWebs\r\nContent-Length: 0\r\n\r\n'));
    const result = await httpBanner({ ip: '127.0.0.1', port: srv.port }, enrichContext(boundedRequest));
    expect(result.errors).toEqual([]);
    expect(values(result, 'http.server')).toEqual(['Evil [2JWebs']);
  });

  it('an LF-only response (common on embedded web servers) still gives its banner', async () => {
    const srv = await rawServer((s) => s.end('HTTP/1.0 401 Unauthorized\nServer: App-webs/\nWWW-Authenticate: Digest realm="IP Camera(C1234)", nonce="abc"\nContent-Length: 0\n\n'));
    const result = await httpBanner({ ip: '127.0.0.1', port: srv.port }, enrichContext(boundedRequest));
    expect(result.errors).toEqual([]);
    expect(values(result, 'http.server')).toEqual(['App-webs/']);
    expect(values(result, 'http.realm')).toEqual(['IP Camera(C1234)']);
  });

  it('a closed port is no error and no observation', async () => {
    const srv = await rawServer(() => undefined);
    const { port } = srv;
    await srv.close();
    expect(await httpBanner({ ip: '127.0.0.1', port }, enrichContext(boundedRequest))).toEqual({ observations: [], errors: [] });
  });
});

describe('httpBanner never sends credentials', () => {
  it('sends no Authorization even when the operator configured credentials', async () => {
    const client = fakeHttp(() => ({ status: 401, headers: { 'www-authenticate': 'Digest realm="x", nonce="y"' }, body: Buffer.alloc(0), truncated: false }));
    const { calls } = client;
    const ctx = enrichContext(client, { credentials: { username: 'admin', password: 'secret' } });
    const result = await httpBanner({ ip: '10.0.0.7', port: 8080 }, ctx);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('http://10.0.0.7:8080/');
    expect(calls[0]!.method).toBe('GET');
    expect(JSON.stringify(calls[0]!.headers ?? {}).toLowerCase()).not.toContain('authorization');
    expect(JSON.stringify(calls[0])).not.toContain('secret');
    expect(values(result, 'http.realm')).toEqual(['x']);
  });

  it('on the wire too', async () => {
    const srv = await rawServer((s) => s.end('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="r"\r\nContent-Length: 0\r\n\r\n'));
    await httpBanner({ ip: '127.0.0.1', port: srv.port }, enrichContext(boundedRequest, { credentials: { username: 'admin', password: 'secret' } }));
    expect(srv.requests).toHaveLength(1);
    expect(srv.requests[0]!.startsWith('GET / HTTP/1.1\r\n')).toBe(true);
    expect(srv.requests[0]!.toLowerCase()).not.toContain('authorization');
    expect(srv.requests[0]).not.toContain('secret');
  });

  it('brackets an IPv6 address and refuses a port that is not one', async () => {
    const client = fakeHttp(() => ({ status: 200, headers: {}, body: Buffer.alloc(0), truncated: false }));
    const { calls } = client;
    await httpBanner({ ip: 'fd00::7', port: 80 }, enrichContext(client));
    expect(calls[0]!.url).toBe('http://[fd00::7]:80/');
    const bad = await httpBanner({ ip: '10.0.0.7', port: 70_000 }, enrichContext(client));
    expect(bad.errors.map((e) => e.code)).toEqual(['HTTP_BAD_PORT']);
    expect(calls).toHaveLength(1);
  });
});

describe('parseWwwAuthenticate', () => {
  it.each<[string, Array<{ scheme: string; realm?: string }>]>([
    ['Basic realm="hikvision"', [{ scheme: 'Basic', realm: 'hikvision' }]],
    ['Basic realm=device', [{ scheme: 'Basic', realm: 'device' }]],
    ['Digest realm="Login to ND011811000000", nonce="ec3682ef24b2cd9cedefe5cc26110000"', [{ scheme: 'Digest', realm: 'Login to ND011811000000' }]],
    ['Digest realm="Use \'live\' as User Name",nonce="18e6",opaque="",stale=FALSE,algorithm=MD5', [{ scheme: 'Digest', realm: "Use 'live' as User Name" }]],
    ['Digest qop="auth", realm="a, b", nonce="n"', [{ scheme: 'Digest', realm: 'a, b' }]],
    ['Basic realm="a", Digest realm="b", nonce="n"', [{ scheme: 'Basic', realm: 'a' }, { scheme: 'Digest', realm: 'b' }]],
    ['Basic realm="say \\"hi\\""', [{ scheme: 'Basic', realm: 'say "hi"' }]],
    ['Basic realm=""', [{ scheme: 'Basic', realm: '' }]],
    ['Negotiate YIIBhwYGKwYBBQUCoIIBezCCAXeg==, Basic realm="x"', [{ scheme: 'Negotiate' }, { scheme: 'Basic', realm: 'x' }]],
    ['NTLM', [{ scheme: 'NTLM' }]],
    ['Basic realm="unterminated', [{ scheme: 'Basic', realm: 'unterminated' }]],
    ['realm="no scheme"', []],
    ['', []],
    ['\u0000\u0001;;;', []],
  ])('%s', (header, want) => {
    expect(parseWwwAuthenticate(header)).toEqual(want);
  });

  it('is bounded on a huge header', () => {
    const started = Date.now();
    const out = parseWwwAuthenticate(`${'Basic realm="x", '.repeat(100_000)}`);
    expect(out.length).toBeLessThanOrEqual(8);
    expect(Date.now() - started).toBeLessThan(500);
  });
});

describe('extractTitle and decodeEntities', () => {
  const title = (html: string): string | undefined => extractTitle(Buffer.from(html));

  it('finds the first title in any case, with attributes, decoding the common entities', () => {
    expect(title('<HTML><HEAD><TITLE>WV-NS202A Network Camera</TITLE>')).toBe('WV-NS202A Network Camera');
    expect(title('<title id="t">A &amp; B &lt;1&gt; &quot;q&quot; &#39;s&#x41;&nbsp;Z</title>')).toBe('A & B <1> "q" \'sA Z');
    expect(title('<title>\r\n   Document Error: Unauthorized\r\n</title><title>second</title>')).toBe('Document Error: Unauthorized');
    expect(title('<title><span>in</span> tags</title>')).toBe('in tags');
    expect(title('<title>  </title>')).toBeUndefined();
    expect(title('<html>no title</html>')).toBeUndefined();
    expect(title('<titles>not it</titles>')).toBeUndefined();
  });

  it('is bounded: an unclosed or huge title, a title past the scanned part, many open tags', () => {
    expect(title(`<title>${'x'.repeat(10_000)}`)!.length).toBeLessThanOrEqual(512);
    expect(title(`<title>${'y'.repeat(10_000)}</title>`)!.length).toBeLessThanOrEqual(256);
    expect(title(`${' '.repeat(70 * 1024)}<title>late</title>`)).toBeUndefined();
    const started = Date.now();
    expect(title('<title'.repeat(10_000))).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('leaves unknown or invalid entities as written', () => {
    expect(decodeEntities('&copy; &#xD800; &#9999999; &bogus;')).toBe('&copy; &#xD800; &#9999999; &bogus;');
    expect(decodeEntities('&AMP;')).toBe('&');
  });
});
