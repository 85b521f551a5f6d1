import http from 'node:http';
import https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cefHeader, cefValue, toCef } from '../../../src/central/forward/cef.ts';
import { createHecSink, createWebhookSink } from '../../../src/central/forward/http-sinks.ts';
import { createSyslogSink, syslogMessage } from '../../../src/central/forward/syslog.ts';
import { startForwarder } from '../../../src/central/forward/worker.ts';
import type { Sink } from '../../../src/central/forward/sink.ts';
import { buildEvent, type CentralEvent } from '../../../src/central/events.ts';
import { openEmbeddedStore, type EmbeddedStore } from '../../../src/central/store/embedded.ts';
import type { StateRow } from '../../../src/central/device-state.ts';
import { verifySignature } from '../../../src/report/hmac.ts';
import { Secret } from '../../../src/report/secret.ts';
import { makeTlsMaterial, type TlsMaterial } from '../../lab/tls-certs.ts';
import { device, quiet, received } from './helpers.ts';

const row: StateRow = {
  id: '0123456789abcdef',
  site: 'HQ | Building=A',
  mac: '44:19:b6:21:42:0b',
  epr: null,
  udn: null,
  serial: null,
  ip: '10.66.0.11',
  manufacturer: 'Hikvision',
  brand: 'EVIL\\|brand=x\nCEF:0|forged|line',
  model: 'DS-2CD2142FWD-I',
  firmware: null,
  kind: 'camera',
  verdictStatus: 'restricted',
  status: 'restricted',
  pack: 'us-ndaa-889',
  rule: 'hikvision',
  reason: 'made by Hikvision',
  firstSeen: '2026-11-26T10:00:00.000Z',
  lastSeen: '2026-11-26T10:00:00.000Z',
  lastObserved: '2026-11-26T10:00:00.000Z',
  lastAgent: 'agent-01',
  reviewState: null,
  reviewUntil: null,
  reviewBy: null,
  reviewAt: null,
  document: '{}',
};
const event: CentralEvent = buildEvent({ key: 'restricted-new:0123456789abcdef', type: 'restricted-new' }, row, { at: '2026-11-26T10:00:05.000Z', agent: 'agent-01', consoleUrl: 'https://central.example' });

describe('CEF and RFC 5424', () => {
  it('escapes hostile strings so no field or line can be forged', () => {
    expect(cefHeader('a|b\\c\nd')).toBe('a\\|b\\\\c d');
    expect(cefValue('a=b\\c\nd\re\u0000f')).toBe('a\\=b\\\\c\\nd\\re' + 'f');
    const cef = toCef(event, '0.1.0');
    expect(cef.startsWith('CEF:0|camsweep|camsweep-central|0.1.0|restricted-new|New restricted device|8|')).toBe(true);
    expect(cef).not.toContain('\n');
    expect(cef).toContain('cs5=EVIL\\\\|brand\\=x\\nCEF:0|forged|line');
    expect(cef).toContain('cs1=HQ | Building\\=A');
    expect(cef).toContain('cs6=https://central.example/devices/0123456789abcdef');
    expect(cef).toContain('src=10.66.0.11 smac=44:19:b6:21:42:0b');
    const msg = syslogMessage(event, { facility: 10, hostname: 'central 1', version: '0.1.0', pid: 42 });
    expect(msg).toMatch(/^<84>1 2026-11-26T10:00:05\.000Z central1 camsweep 42 restricted-new \[camsweep@32473 eventId="[0-9a-f]{32}"\] CEF:0\|/u);
  });
});

/** A syslog receiver on loopback (TCP or TLS) that parses octet-counted frames. */
function syslogServer(tlsMaterial?: TlsMaterial): Promise<{ port: number; messages: string[]; close: () => Promise<void> }> {
  const messages: string[] = [];
  const onSocket = (s: net.Socket): void => {
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const sp = buf.indexOf(0x20);
        if (sp < 0) return;
        const len = Number(buf.subarray(0, sp).toString());
        if (buf.length < sp + 1 + len) return;
        messages.push(buf.subarray(sp + 1, sp + 1 + len).toString('utf8'));
        buf = buf.subarray(sp + 1 + len);
      }
    });
    s.on('error', () => undefined);
  };
  const server = tlsMaterial ? tls.createServer({ cert: tlsMaterial.server.cert, key: tlsMaterial.server.key }, onSocket) : net.createServer(onSocket);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const sockets = new Set<net.Socket>();
      server.on(tlsMaterial ? 'secureConnection' : 'connection', (s: net.Socket) => sockets.add(s));
      resolve({
        port: (server.address() as net.AddressInfo).port,
        messages,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** An HTTP(S) server on loopback answering each request with `answer` (and recording it). */
function httpServer(answer: (req: http.IncomingMessage, body: string) => number, tlsMaterial?: TlsMaterial) {
  const got: Array<{ headers: http.IncomingHttpHeaders; body: string; url: string }> = [];
  const handler: http.RequestListener = (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body, url: req.url ?? '' });
      const status = answer(req, body);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 200 ? '{"text":"Success","code":0}' : '{"text":"nope","code":6}');
    });
  };
  const server = tlsMaterial ? https.createServer({ cert: tlsMaterial.server.cert, key: tlsMaterial.server.key }, handler) : http.createServer(handler);
  return new Promise<{ url: (p: string) => string; got: typeof got; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        url: (p) => `${tlsMaterial ? 'https' : 'http'}://127.0.0.1:${port}${p}`,
        got,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

describe('forwarding through the queue to real listeners', () => {
  let dir: string;
  let store: EmbeddedStore;
  let material: TlsMaterial;
  let clock: number;
  beforeAll(() => {
    material = makeTlsMaterial(['127.0.0.1']);
  });
  afterAll(() => rmSync(material.dir, { recursive: true, force: true }));
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-fwd-'));
    clock = Date.UTC(2026, 10, 26, 11, 0, 0);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const open = (sinks: Sink[]): EmbeddedStore => {
    store = openEmbeddedStore(dir, { forward: { sinks: sinks.map((s) => s.id), consoleUrl: 'https://central.example' } });
    return store;
  };
  const ingestRestricted = async (startedAt = '2026-11-26T10:00:00.000Z'): Promise<void> => {
    await store.ingest(received({ startedAt, devices: [device(), device({ ip: '10.66.0.12', addresses: ['10.66.0.12'], mac: '44:19:b6:21:42:0c' })] }), { receivedAt: clock, bytes: 1, remote: null });
  };
  const drain = async (sinks: Sink[], passes = 1): Promise<number> => {
    const fwd = startForwarder({ store, sinks, log: quiet, now: () => clock, start: false, backoff: { baseMs: 1000, maxMs: 1000 } });
    let n = 0;
    try {
      for (let i = 0; i < passes; i += 1) n += await fwd.runOnce();
    } finally {
      await fwd.close();
    }
    return n;
  };

  it('syslog over TCP and over TLS: RFC 5424 frames with CEF bodies, each event once', async () => {
    const plain = await syslogServer();
    const secure = await syslogServer(material);
    const sinks = [
      createSyslogSink({ url: `tcp://127.0.0.1:${plain.port}`, version: '0.1.0' }),
      createSyslogSink({ url: `tls://127.0.0.1:${secure.port}`, ca: material.ca.cert, version: '0.1.0' }),
    ];
    open(sinks);
    try {
      await ingestRestricted();
      await ingestRestricted(); // a repeat: nothing new to forward
      expect(await drain(sinks)).toBe(4);
      await new Promise((r) => setTimeout(r, 200));
      for (const server of [plain, secure]) {
        expect(server.messages).toHaveLength(2);
        expect(server.messages[0]).toMatch(/^<84>1 \S+ \S+ camsweep \d+ restricted-new \[camsweep@32473 eventId="[0-9a-f]{32}"\] CEF:0\|camsweep\|camsweep-central\|/u);
        expect(server.messages.join('\n')).toContain('cs3=us-ndaa-889/hikvision');
      }
      expect(await store.stats()).toMatchObject({ forwardPending: 0, forwardDead: 0 });
    } finally {
      await plain.close();
      await secure.close();
    }
  });

  it('Splunk HEC: the event with its token; a listener that is down is retried with backoff, then delivered once', async () => {
    const hec = await httpServer((req) => (req.headers.authorization === 'Splunk hec-token-1' ? 200 : 403), material);
    const sink = createHecSink({ url: hec.url('/services/collector/event'), token: new Secret('hec-token-1'), ca: material.ca.cert, version: '0.1.0' });
    const down = createHecSink({ url: 'http://127.0.0.1:9/services/collector/event', token: new Secret('x'), version: '0.1.0' });
    open([sink, down]);
    try {
      await ingestRestricted();
      expect(await drain([sink, down])).toBe(4);
      expect(hec.got).toHaveLength(2);
      const first = JSON.parse(hec.got[0]!.body) as { sourcetype: string; event: CentralEvent };
      expect(first.sourcetype).toBe('camsweep:event');
      expect(first.event).toMatchObject({ type: 'restricted-new', site: 'HQ', maker: 'Hikvision', rule: 'hikvision', pack: 'us-ndaa-889', agent: 'agent-01' });
      expect(first.event.link).toMatch(/^https:\/\/central\.example\/devices\//u);
      // The sink that is down keeps its two events, due again after the backoff.
      expect((await store.stats()).forwardPending).toBe(2);
      expect(await drain([sink, down])).toBe(0);
      clock += 5000;
      expect(await drain([sink, down])).toBe(2);
      expect(hec.got).toHaveLength(2);
    } finally {
      await hec.close();
    }
  });

  it('webhook: signed like reports, Idempotency-Key is the event id; a 4xx is a dead letter, a 503 a retry', async () => {
    let answer = 503;
    const hook = await httpServer(() => answer);
    const sink = createWebhookSink({ url: hook.url('/hook'), secret: new Secret('webhook-secret-0001'), version: '0.1.0', now: () => clock });
    open([sink]);
    try {
      await ingestRestricted();
      expect(await drain([sink])).toBe(2);
      expect((await store.stats()).forwardPending).toBe(2);
      answer = 200;
      clock += 5000;
      expect(await drain([sink])).toBe(2);
      const last = hook.got[hook.got.length - 1]!;
      const check = verifySignature(last.headers['x-camsweep-signature'] as string, Buffer.from(last.body), 'webhook-secret-0001', clock);
      expect(check.ok).toBe(true);
      expect(last.headers['idempotency-key']).toBe((JSON.parse(last.body) as CentralEvent).id);
      // A review is forwarded too; a 400 sends it to the dead letters.
      const [d] = (await store.listDevicePage({ limit: 1 })).devices;
      await store.review(d!.id, { state: 'confirmed', note: 'seen on site', until: null, by: 'rita', at: new Date(clock).toISOString() });
      answer = 400;
      expect(await drain([sink])).toBe(1);
      expect(await store.stats()).toMatchObject({ forwardPending: 0, forwardDead: 1 });
      expect(JSON.parse(hook.got[hook.got.length - 1]!.body)).toMatchObject({ type: 'review', review: { state: 'confirmed', by: 'rita' } });
    } finally {
      await hook.close();
    }
  });
});
