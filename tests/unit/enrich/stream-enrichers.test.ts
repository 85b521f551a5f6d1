import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../src/domain/audit.ts';
import { faviconEnricher, httpFavicon } from '../../../src/enrich/favicon.ts';
import { optionsRequest, rtspEnricher, rtspOptions } from '../../../src/enrich/rtsp.ts';
import { tlsCertificate, tlsEnricher } from '../../../src/enrich/tls.ts';
import type { EnrichContext } from '../../../src/enrich/types.ts';
import { auditStream } from '../../../src/sweep/audit-hooks.ts';
import type { HttpClient } from '../../../src/util/http.ts';
import { silentLogger } from '../../../src/util/log.ts';
import { faviconHash } from '../../../src/util/murmur3.ts';
import { boundedStream } from '../../../src/util/stream.ts';

/**
 * The read-only identity queries added by issue 11, against real servers on loopback (this
 * runs inside the private namespace): RTSP OPTIONS on 554's stand-in, a TLS handshake that
 * reads the certificate and sends nothing, and the favicon through a fake HTTP client.
 */

function context(over: Partial<EnrichContext> = {}): EnrichContext {
  return {
    signal: new AbortController().signal,
    http: async () => ({ status: 404, headers: {}, body: Buffer.alloc(0), truncated: false }),
    log: silentLogger(),
    requestTimeoutMs: 1500,
    maxBodyBytes: 256 * 1024,
    now: () => new Date('2026-01-01T00:00:00Z'),
    stream: boundedStream,
    ...over,
  };
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

describe('RTSP OPTIONS', () => {
  const received: string[] = [];
  let port = 0;
  const server = net.createServer((socket) => {
    socket.once('data', (d) => {
      received.push(d.toString('latin1'));
      // corpus dahua/ci9185467836-4m0747epaa1d284.rtsp-options-401.txt's form
      socket.end('RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\nServer: Dahua Rtsp Server\r\nWWW-Authenticate: Digest realm="Login to 4M0747EPAA1D284", nonce="x"\r\n\r\n');
    });
  });
  beforeAll(async () => {
    port = await listen(server);
  });
  afterAll(() => server.close());

  it('sends one OPTIONS without credentials and records the server and realm', async () => {
    const r = await rtspOptions({ ip: '127.0.0.1', port }, context());
    expect(r.errors).toEqual([]);
    expect(received).toEqual([optionsRequest('127.0.0.1', port).toString('latin1')]);
    expect(received[0]).not.toMatch(/Authorization/iu);
    const fields = Object.fromEntries(r.observations[0]!.evidence.map((e) => [e.field, e.value]));
    expect(fields).toMatchObject({ 'rtsp.status': '401', 'rtsp.server': 'Dahua Rtsp Server', 'rtsp.realm': 'Login to 4M0747EPAA1D284', 'rtsp.authScheme': 'Digest' });
  });

  it('a closed port is an answer: nothing recorded', async () => {
    const closed = net.createServer();
    const p = await listen(closed);
    closed.close();
    expect(await rtspOptions({ ip: '127.0.0.1', port: p }, context())).toEqual({ observations: [], errors: [] });
  });

  it('a silent or endless peer is cut at the deadline or the cap, never held', async () => {
    const silent = net.createServer(() => undefined);
    const endless = net.createServer((s) => {
      const chunk = Buffer.alloc(4096, 0x41);
      const pump = (): void => {
        while (s.write(chunk));
      };
      s.on('drain', pump);
      s.on('error', () => undefined);
      pump();
    });
    const [ps, pe] = [await listen(silent), await listen(endless)];
    const started = performance.now();
    const a = await rtspOptions({ ip: '127.0.0.1', port: ps }, context({ requestTimeoutMs: 300 }));
    expect(a.errors.map((e) => e.code)).toEqual(['RTSP_TIMEOUT']);
    const b = await rtspOptions({ ip: '127.0.0.1', port: pe }, context({ requestTimeoutMs: 2000 }));
    expect(b.errors.map((e) => e.code)).toEqual(['RTSP_INVALID']);
    expect(performance.now() - started).toBeLessThan(10_000);
    silent.close();
    endless.close();
  });

  it('is planned once per IPv4 host, never for an IPv6 link-local one', () => {
    const plan = (ip: string) => rtspEnricher().plan({ protocol: 'wsd', ip, evidence: [] });
    expect(plan('10.66.0.11').map((t) => t.key)).toEqual(['554']);
    expect(plan('fe80::1%eth0')).toEqual([]);
  });
});

describe('TLS certificate', () => {
  let dir = '';
  let port = 0;
  let server: tls.Server;
  let gotData = false;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-tls-enrich-'));
    const r = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '2', '-subj', '/C=CN/O=HIKVISION/CN=DS-2CD2142FWD-I'],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    server = tls.createServer({ key: readFileSync(path.join(dir, 'k.pem')), cert: readFileSync(path.join(dir, 'c.pem')) }, (s) => {
      s.on('data', () => {
        gotData = true;
      });
      s.on('error', () => undefined);
    });
    port = await listen(server);
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the subject and issuer of a certificate it does not trust, and sends nothing', async () => {
    const r = await tlsCertificate({ ip: '127.0.0.1', port }, context());
    expect(r.errors).toEqual([]);
    const fields = r.observations[0]!.evidence.map((e) => `${e.field}=${e.value}`);
    expect(fields).toEqual(expect.arrayContaining(['tls.subject.o=HIKVISION', 'tls.subject.cn=DS-2CD2142FWD-I', 'tls.issuer.o=HIKVISION', 'tls.selfSigned=true']));
    await new Promise((r2) => setTimeout(r2, 50));
    expect(gotData).toBe(false);
  });

  it('is audited as a handshake, with its destination', async () => {
    const entries: AuditEntry[] = [];
    const audited = auditStream((e) => entries.push(e), () => new Date('2026-01-01T00:00:00Z'), 'tls', boundedStream);
    await tlsCertificate({ ip: '127.0.0.1', port }, context({ stream: audited }));
    expect(entries).toMatchObject([{ transport: 'tcp', protocol: 'tls', destination: '127.0.0.1', port, message: 'TLS handshake (certificate only)', bytes: 0 }]);
  });

  it('refuses a host name: only IP literals are contacted', async () => {
    await expect(boundedStream({ host: 'camera.example', port: 443, tls: true, timeoutMs: 500, maxBytes: 0 })).rejects.toMatchObject({ code: 'HTTP_NOT_IP' });
    expect(tlsEnricher().plan({ protocol: 'ssdp', ip: '10.66.0.11', evidence: [] }).map((t) => t.key)).toEqual(['443']);
  });
});

describe('favicon', () => {
  const icon = Buffer.from('AAABAAEAEBAAAAEAIABoBAAAFgAAACgAAAAQAAAAIAAAAAEAIAAAAAAAAAQAABMLAAATCwAAAAAAAAAAAAA=', 'base64');
  const serving = (type: string, status = 200): HttpClient => async () => ({ status, headers: { 'content-type': type }, body: icon, truncated: false });

  it('records the MD5 (Recog) and the MurmurHash3 (Shodan) of the icon', async () => {
    const r = await httpFavicon({ ip: '10.66.0.11', port: 80 }, context({ http: serving('image/x-icon') }));
    const fields = Object.fromEntries(r.observations[0]!.evidence.map((e) => [e.field, e.value]));
    expect(fields['http.favicon.md5']).toMatch(/^[0-9a-f]{32}$/u);
    expect(fields['http.favicon.mmh3']).toBe(String(faviconHash(icon)));
  });

  it('a page served for every path, or no icon, is no answer', async () => {
    expect((await httpFavicon({ ip: '10.66.0.11', port: 80 }, context({ http: serving('text/html') }))).observations).toEqual([]);
    expect((await httpFavicon({ ip: '10.66.0.11', port: 80 }, context({ http: serving('image/x-icon', 404) }))).observations).toEqual([]);
    expect(faviconEnricher().plan({ protocol: 'ssdp', ip: '10.66.0.11', evidence: [] }).map((t) => t.key)).toEqual(['80']);
  });
});
