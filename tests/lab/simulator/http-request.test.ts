import { describe, expect, it } from 'vitest';
import { MAX_HEAD_BYTES, parseHttpRequest, serialiseResponse } from './http-request.ts';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('parseHttpRequest', () => {
  it('parses a GET and strips the query from the path', () => {
    const r = parseHttpRequest(b('GET /a/b?x=1 HTTP/1.1\r\nHost: h\r\nX-Twice: 1\r\nx-twice: 2\r\n\r\n'));
    expect(r.state).toBe('done');
    if (r.state !== 'done') return;
    expect(r.request.path).toBe('/a/b');
    expect(r.request.target).toBe('/a/b?x=1');
    expect(r.request.headers.get('x-twice')).toBe('1, 2');
  });

  it('waits for the whole Content-Length body, and decodes chunked bodies', () => {
    const head = 'POST /onvif/device_service HTTP/1.1\r\nContent-Length: 10\r\n\r\n';
    expect(parseHttpRequest(b(`${head}12345`)).state).toBe('incomplete');
    const done = parseHttpRequest(b(`${head}1234567890`));
    expect(done.state === 'done' && done.request.body.toString()).toBe('1234567890');
    const chunked = 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n';
    const c = parseHttpRequest(b(chunked));
    expect(c.state === 'done' && c.request.body.toString()).toBe('hello world');
    expect(parseHttpRequest(b(chunked.slice(0, 60))).state).toBe('incomplete');
  });

  it('rejects bad request lines, bad lengths and oversized heads', () => {
    expect(parseHttpRequest(b('\u0000\u0001junk\r\n\r\n')).state).toBe('error');
    expect(parseHttpRequest(b('GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n')).state).toBe('error');
    expect(parseHttpRequest(b(`GET / HTTP/1.1\r\nX: ${'a'.repeat(MAX_HEAD_BYTES)}`)).state).toBe('error');
  });
});

describe('serialiseResponse', () => {
  it('keeps header names as written and adds Content-Length and Connection when absent', () => {
    const text = serialiseResponse(
      { httpVersion: '1.0', status: 200, reason: 'OK', headers: [['Server', 'App-webs/'], ['Date', '{date}']], body: 'héllo' },
      new Date('2020-01-01T00:00:00Z'),
    ).toString('utf8');
    expect(text).toBe('HTTP/1.0 200 OK\r\nServer: App-webs/\r\nDate: Wed, 01 Jan 2020 00:00:00 GMT\r\nContent-Length: 6\r\nConnection: close\r\n\r\nhéllo');
  });

  it('fills {length} in a header the profile spells its own way', () => {
    const text = serialiseResponse(
      { httpVersion: '1.1', status: 200, reason: 'OK', headers: [['CONNECTION', 'close'], ['CONTENT-LENGTH', '{length}']], body: 'abc' },
      new Date(),
    ).toString('utf8');
    expect(text).toBe('HTTP/1.1 200 OK\r\nCONNECTION: close\r\nCONTENT-LENGTH: 3\r\n\r\nabc');
  });
});
