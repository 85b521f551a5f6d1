import { afterEach, describe, expect, it } from 'vitest';
import { boundedRequest, USER_AGENT } from '../../../src/util/http.ts';
import { pumpEndlessly } from '../../helpers/endless-body.ts';
import { closeRawServers, rawServer } from '../../helpers/raw-server.ts';

/**
 * boundedRequest against real servers on 127.0.0.1 ephemeral ports. Raw TCP servers, so a
 * test controls every byte and every stall.
 */
afterEach(closeRawServers);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'resolved';
}

describe('boundedRequest', () => {
  it('returns status, lower-cased headers and body; sends our User-Agent and Connection: close', async () => {
    const srv = await rawServer((s) => s.end('HTTP/1.1 200 OK\r\nServer: Test-Webs\r\nContent-Length: 5\r\n\r\nhello'));
    const res = await boundedRequest({ url: `${srv.url}desc.xml?x=1`, timeoutMs: 2000, maxBytes: 1024 });
    expect(res).toEqual({ status: 200, headers: { server: 'Test-Webs', 'content-length': '5' }, body: Buffer.from('hello'), truncated: false });
    const request = srv.requests[0]!;
    expect(request.startsWith('GET /desc.xml?x=1 HTTP/1.1\r\n')).toBe(true);
    expect(request.toLowerCase()).toContain(`user-agent: ${USER_AGENT.toLowerCase()}\r\n`);
    expect(request.toLowerCase()).toContain('connection: close\r\n');
    expect(request.toLowerCase()).not.toContain('authorization');
  });

  it('opens a connection of its own for every request, never pooled or reused', async () => {
    // A keep-alive server: it would serve the next request on the same connection if asked.
    const srv = await rawServer((s) => s.write('HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok'));
    const requests = Array.from({ length: 4 }, () => boundedRequest({ url: srv.url, timeoutMs: 2000, maxBytes: 1024 }));
    expect((await Promise.all(requests)).map((r) => r.body.toString())).toEqual(['ok', 'ok', 'ok', 'ok']);
    await boundedRequest({ url: srv.url, timeoutMs: 2000, maxBytes: 1024 });
    expect(srv.connections).toBe(5);
    expect(srv.requests).toHaveLength(5);
  });

  it('POSTs a body with its Content-Length', async () => {
    let received = '';
    const srv = await rawServer((s, head) => {
      const length = Number(/content-length: (\d+)/iu.exec(head)?.[1]);
      let body = head.slice(head.indexOf('\r\n\r\n') + 4);
      const finish = (): void => {
        received = body;
        s.end('HTTP/1.1 204 No Content\r\n\r\n');
      };
      if (body.length >= length) finish();
      else
        s.on('data', (c: Buffer) => {
          body += c.toString('latin1');
          if (body.length >= length) finish();
        });
    });
    const res = await boundedRequest({ url: srv.url, method: 'POST', body: '<soap/>', headers: { 'content-type': 'application/soap+xml' }, timeoutMs: 2000, maxBytes: 1024 });
    expect(res.status).toBe(204);
    expect(received).toBe('<soap/>');
  });

  it('cuts an endless body at maxBytes and reports it truncated, without waiting for the deadline', async () => {
    const srv = await rawServer((s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><title>endless</title>');
      pumpEndlessly(s, Buffer.alloc(16 * 1024, 0x61));
    });
    const started = Date.now();
    const res = await boundedRequest({ url: srv.url, timeoutMs: 5000, maxBytes: 100_000 });
    expect(res.truncated).toBe(true);
    expect(res.body.length).toBe(100_000);
    expect(res.body.subarray(0, 28).toString()).toBe('<html><title>endless</title>');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a body of exactly maxBytes is complete, not truncated', async () => {
    const srv = await rawServer((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789'));
    const res = await boundedRequest({ url: srv.url, timeoutMs: 2000, maxBytes: 10 });
    expect(res.truncated).toBe(false);
    expect(res.body.toString()).toBe('0123456789');
    const over = await rawServer((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n0123456789X'));
    const cut = await boundedRequest({ url: over.url, timeoutMs: 2000, maxBytes: 10 });
    expect(cut.truncated).toBe(true);
    expect(cut.body.toString()).toBe('0123456789');
  });

  it('reports a connection closed mid-body as truncated', async () => {
    const srv = await rawServer((s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n<root><device>');
      setTimeout(() => s.destroy(), 50);
    });
    const res = await boundedRequest({ url: srv.url, timeoutMs: 2000, maxBytes: 10_000 });
    expect(res.truncated).toBe(true);
    expect(res.body.toString()).toBe('<root><device>');
  });

  it('gives up with HTTP_TIMEOUT on a server that never answers', async () => {
    const srv = await rawServer(() => undefined);
    const started = Date.now();
    expect(await codeOf(boundedRequest({ url: srv.url, timeoutMs: 300, maxBytes: 1024 }))).toBe('HTTP_TIMEOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('the deadline covers the body too: a trickling body times out', async () => {
    const srv = await rawServer((s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n');
      const timer = setInterval(() => (s.destroyed ? clearInterval(timer) : s.write('x')), 50);
      s.on('close', () => clearInterval(timer));
    });
    expect(await codeOf(boundedRequest({ url: srv.url, timeoutMs: 400, maxBytes: 100_000 }))).toBe('HTTP_TIMEOUT');
  });

  it('refuses a huge response header', async () => {
    const srv = await rawServer((s) => s.end(`HTTP/1.1 200 OK\r\nServer: ${'S'.repeat(64 * 1024)}\r\n\r\n`));
    expect(await codeOf(boundedRequest({ url: srv.url, timeoutMs: 2000, maxBytes: 1024 }))).toBe('HTTP_HPE_HEADER_OVERFLOW');
  });

  it('does not follow redirects', async () => {
    const target = await rawServer((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    const srv = await rawServer((s) => s.end(`HTTP/1.1 302 Found\r\nLocation: ${target.url}login\r\nContent-Length: 0\r\n\r\n`));
    const res = await boundedRequest({ url: srv.url, timeoutMs: 2000, maxBytes: 1024 });
    expect(res.status).toBe(302);
    expect(res.headers['location']).toBe(`${target.url}login`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(target.connections).toBe(0);
  });

  it('refuses host names, other schemes and bad URLs without connecting', async () => {
    const srv = await rawServer((s) => s.end('HTTP/1.1 200 OK\r\n\r\n'));
    expect(await codeOf(boundedRequest({ url: `http://localhost:${srv.port}/`, timeoutMs: 500, maxBytes: 10 }))).toBe('HTTP_NOT_IP');
    expect(await codeOf(boundedRequest({ url: `https://127.0.0.1:${srv.port}/`, timeoutMs: 500, maxBytes: 10 }))).toBe('HTTP_UNSUPPORTED_SCHEME');
    expect(await codeOf(boundedRequest({ url: 'not a url', timeoutMs: 500, maxBytes: 10 }))).toBe('HTTP_BAD_URL');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(srv.connections).toBe(0);
  });

  it('stops on abort, before or during the request', async () => {
    const srv = await rawServer(() => undefined);
    const early = new AbortController();
    early.abort();
    expect(await codeOf(boundedRequest({ url: srv.url, timeoutMs: 2000, maxBytes: 10, signal: early.signal }))).toBe('HTTP_ABORTED');
    expect(srv.connections).toBe(0);

    const late = new AbortController();
    setTimeout(() => late.abort(), 100);
    const started = Date.now();
    expect(await codeOf(boundedRequest({ url: srv.url, timeoutMs: 5000, maxBytes: 10, signal: late.signal }))).toBe('HTTP_ABORTED');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('reports a refused connection with the errno in the code', async () => {
    const srv = await rawServer(() => undefined);
    const { port } = srv;
    await srv.close();
    expect(await codeOf(boundedRequest({ url: `http://127.0.0.1:${port}/`, timeoutMs: 1000, maxBytes: 10 }))).toBe('HTTP_ECONNREFUSED');
  });
});
