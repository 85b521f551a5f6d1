import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { configFile } from '../../../src/cli/commands/daemon.ts';
import { healthUrl } from '../../../src/daemon/health-check.ts';
import { captureIo } from '../../helpers/cli.ts';

const io = captureIo;

let dir: string;
let server: http.Server;
let port: number;
let answer = { status: 200, body: '{"status":"ok"}' };

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-daemon-cli-'));
  server = http.createServer((req, res) => {
    if (req.url !== '/healthz') {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('camsweep daemon', () => {
  it('exits 2 on a bad configuration, listing every problem (file and environment) at once', async () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'daemon:\n  schedule: { cron: "61 * * * *", interval: 5 }\n  http: { listen: "nowhere" }\n');
    const s = io({ CAMSWEEP_SWEEP_TIMEOUT: 'soon' });
    expect(await main(['daemon', '--config', file], s)).toBe(2);
    expect(s.err).toMatch(/^camsweep: 4 problems:\n/u);
    for (const p of [`${file}: daemon.schedule.interval`, `${file}: daemon.schedule.cron`, `${file}: daemon.http.listen`, '  - sweep.timeout (from $CAMSWEEP_SWEEP_TIMEOUT)']) expect(s.err).toContain(p);
  });

  it('reads $CAMSWEEP_CONFIG when --config is not given', async () => {
    expect(configFile(undefined, { CAMSWEEP_CONFIG: '/etc/camsweep/camsweep.yaml' })).toBe('/etc/camsweep/camsweep.yaml');
    expect(configFile('a.yaml', { CAMSWEEP_CONFIG: 'b.yaml' })).toBe('a.yaml');
    expect(configFile(undefined, { CAMSWEEP_CONFIG: '' })).toBeUndefined();
    const s = io({ CAMSWEEP_CONFIG: path.join(dir, 'missing.yaml') });
    expect(await main(['daemon'], s)).toBe(2);
    expect(s.err).toContain('cannot read config file');
  });

  it('exits 1 before any sweep when there is no interface to probe from (this namespace has only lo)', async () => {
    const s = io({ CAMSWEEP_DATA_DIR: path.join(dir, 'data'), CAMSWEEP_DAEMON_HTTP_LISTEN: 'false' });
    expect(await main(['daemon', '--log-level', 'silent'], s)).toBe(1);
    expect(s.err).toMatch(/no up, non-loopback interface .*\[NO_INTERFACE\]/u);
  });
});

describe('camsweep health', () => {
  it('exits 0 and prints the body when /healthz answers 200', async () => {
    answer = { status: 200, body: '{"status":"ok","sweeps":{}}' };
    const s = io();
    expect(await main(['health', '--url', `127.0.0.1:${port}`], s)).toBe(0);
    expect(s.out).toBe('200 {"status":"ok","sweeps":{}}\n');
    // A URL without a path asks /healthz.
    expect(await main(['health', '--url', `http://127.0.0.1:${port}`], io())).toBe(0);
  });

  it('exits 1 when unhealthy (503) or unreachable', async () => {
    answer = { status: 503, body: '{"status":"stale"}' };
    const s = io();
    expect(await main(['health', '--url', `127.0.0.1:${port}`], s)).toBe(1);
    expect(s.err).toBe('503 {"status":"stale"}\n');
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const dead = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const u = io();
    expect(await main(['health', '--url', `127.0.0.1:${dead}`, '--timeout', '1'], u)).toBe(1);
    expect(u.err).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:\d+\/healthz: /u);
  });

  it('finds the listener from the configuration and its environment overrides', async () => {
    answer = { status: 200, body: '{"status":"ok"}' };
    expect(await main(['health'], io({ CAMSWEEP_DAEMON_HTTP_LISTEN: `127.0.0.1:${port}` }))).toBe(0);
    const file = path.join(dir, 'listen.yaml');
    writeFileSync(file, `daemon:\n  http: { listen: "0.0.0.0:${port}" }\n`);
    expect(await main(['health', '--config', file], io())).toBe(0);
    expect(await main(['health'], io({ CAMSWEEP_CONFIG: file }))).toBe(0);
    const off = io({ CAMSWEEP_DAEMON_HTTP_LISTEN: 'false' });
    expect(await main(['health'], off)).toBe(2);
    expect(off.err).toContain('daemon.http.listen is false');
    expect(await main(['health', '--url', 'nowhere'], io())).toBe(2);
  });

  it('asks a wildcard listener on loopback', () => {
    expect(healthUrl({ host: '0.0.0.0', port: 9464 })).toBe('http://127.0.0.1:9464/healthz');
    expect(healthUrl({ host: '::', port: 9464 })).toBe('http://[::1]:9464/healthz');
    expect(healthUrl({ host: 'localhost', port: 1 })).toBe('http://127.0.0.1:1/healthz');
    expect(healthUrl({ host: '10.0.0.5', port: 80 })).toBe('http://10.0.0.5:80/healthz');
  });
});
