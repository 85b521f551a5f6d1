import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { excerpt, type RunningService, type SimContext } from './context.ts';
import type { RtspProfile, TlsProfile } from './profile.ts';

/**
 * RTSP and TLS for the simulator: an RTSP server that answers every request with the profile's
 * head (CSeq echoed), and a TLS server with a self-signed certificate made at start with the
 * profile's subject (openssl in a temp dir). Each request or handshake is a hit.
 */

function listen(server: net.Server, ip: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, ip, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

const closing = (server: net.Server) => (): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

export async function startRtspResponder(ctx: SimContext, profile: RtspProfile): Promise<RunningService> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      if (buffered.length > 8192) socket.destroy();
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const request = buffered.slice(0, end);
      buffered = buffered.slice(end + 4);
      const method = request.split(' ', 1)[0] ?? '';
      ctx.hits.record({ proto: 'rtsp', from: socket.remoteAddress ?? '', port: profile.port, kind: method, detail: excerpt(request.split('\r\n', 1)[0] ?? '') });
      const cseq = /^CSeq:\s*(\d{1,9})/imu.exec(request)?.[1] ?? '0';
      const lines = [`RTSP/1.0 ${profile.status} ${profile.reason}`, `CSeq: ${cseq}`, ...profile.headers.map(([k, v]) => `${k}: ${v}`)];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
  });
  await listen(server, ctx.ip, profile.port);
  return { name: 'rtsp', ports: [profile.port], close: closing(server) };
}

export async function startTlsResponder(ctx: SimContext, profile: TlsProfile): Promise<RunningService> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-sim-tls-'));
  try {
    const r = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '2', '-subj', profile.subject],
      { cwd: dir, encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
    const server = tls.createServer({ key: readFileSync(path.join(dir, 'k.pem')), cert: readFileSync(path.join(dir, 'c.pem')) }, (socket) => {
      socket.on('error', () => undefined);
      socket.on('data', (d: Buffer) => ctx.hits.record({ proto: 'tls', from: socket.remoteAddress ?? '', port: profile.port, kind: 'data', detail: excerpt(d) }));
    });
    server.on('secureConnection', (socket) => ctx.hits.record({ proto: 'tls', from: socket.remoteAddress ?? '', port: profile.port, kind: 'handshake' }));
    server.on('tlsClientError', () => undefined);
    await listen(server, ctx.ip, profile.port);
    return { name: 'tls', ports: [profile.port], close: closing(server) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
