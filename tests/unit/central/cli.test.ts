import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { serializeReport } from '../../../src/report/payload.ts';
import { createReportTransport } from '../../../src/report/transport.ts';
import { captureIo } from '../../helpers/cli.ts';
import { binNodeFlags } from '../../helpers/node-flags.ts';
import { agentReports, freshPgDatabase, request } from './helpers.ts';

/** `camsweep central ...` and `camsweep receive --database`, through main() and as real processes. */

const CLI = new URL('../../../bin/camsweep.js', import.meta.url).pathname;
const transport = createReportTransport({ ca: null, cert: null, key: null });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-central-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo(env);
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

/** Starts `camsweep <args>` and resolves with the URL it prints. */
function serve(args: string[]): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [...binNodeFlags(), CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line: ${out} ${err}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/u.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}: ${err}`));
    });
  });
}

describe.each([
  { name: 'embedded', store: (): Promise<string[]> => Promise.resolve(['--data-dir', path.join(dir, 'central')]) },
  { name: 'postgres', store: async (): Promise<string[]> => ['--database', await freshPgDatabase()] },
])('camsweep central ($name)', ({ store }) => {
  it('agents add prints the token alone, list never shows credentials, revoke refuses twice', async () => {
    const where = await store();
    const added = await run(['central', 'agents', 'add', 'hq-a-1', '--site', 'HQ A', ...where]);
    expect(added.code).toBe(0);
    expect(added.out).toMatch(/^csa_[A-Za-z0-9_-]{43}\n$/u);
    expect((await run(['central', 'agents', 'add', 'hq-a-1', '--site', 'HQ A', ...where])).code).toBe(1);
    expect((await run(['central', 'agents', 'add', 'bad id', '--site', 'HQ', ...where])).code).toBe(2);
    const list = await run(['central', 'agents', 'list', '--format', 'json', ...where]);
    expect(JSON.parse(list.out)).toMatchObject({ agents: [{ id: 'hq-a-1', site: 'HQ A', revokedAt: null }] });
    expect(list.out).not.toContain(added.out.trim());
    expect(list.out).not.toMatch(/token/iu);
    expect((await run(['central', 'agents', 'revoke', 'hq-a-1', ...where])).code).toBe(0);
    expect((await run(['central', 'agents', 'revoke', 'hq-a-1', ...where])).code).toBe(2);
  });

  it('users add with a password file, users token prints an API token alone', async () => {
    const where = await store();
    const pw = path.join(dir, 'pw');
    writeFileSync(pw, 'a long enough password\n');
    writeFileSync(path.join(dir, 'short'), 'short\n');
    expect((await run(['central', 'users', 'add', 'rita', '--role', 'reviewer', '--password-file', pw, ...where])).code).toBe(0);
    expect((await run(['central', 'users', 'add', 'sam', '--role', 'reviewer', '--password-file', path.join(dir, 'short'), ...where])).code).toBe(2);
    expect((await run(['central', 'users', 'add', 'sam', '--role', 'boss', '--password-file', pw, ...where])).code).toBe(2);
    const token = await run(['central', 'users', 'token', 'rita', ...where]);
    expect(token.out).toMatch(/^csu_[A-Za-z0-9_-]{43}\n$/u);
    expect((await run(['central', 'users', 'token', 'nobody', ...where])).code).toBe(2);
    const users = JSON.parse((await run(['central', 'users', 'list', ...where])).out) as { users: Array<Record<string, unknown>> };
    expect(users.users).toEqual([{ name: 'rita', role: 'reviewer', createdAt: expect.any(String) as string }]);
  });

  it('serve: an agent reports with its token, a user reads the API, SIGTERM stops it; receive --list shows the latest state', async () => {
    const where = await store();
    const agentToken = (await run(['central', 'agents', 'add', 'agent-01', '--site', 'HQ', ...where])).out.trim();
    const pw = path.join(dir, 'pw');
    writeFileSync(pw, 'a long enough password\n');
    await run(['central', 'users', 'add', 'vic', '--role', 'viewer', '--password-file', pw, ...where]);
    const apiToken = (await run(['central', 'users', 'token', 'vic', ...where])).out.trim();
    const { child, url, exited } = await serve(['central', 'serve', '--listen', '127.0.0.1:0', '--log-level', 'warn', ...where]);
    try {
      for (const startedAt of ['2026-11-26T10:00:00.000Z', '2026-11-26T11:00:00.000Z']) {
        const [r] = agentReports({ startedAt });
        const res = await transport({ url, headers: { 'content-type': 'application/json', 'idempotency-key': r!.idempotencyKey, authorization: `Bearer ${agentToken}` }, body: Buffer.from(serializeReport(r!)), timeoutMs: 10_000 });
        expect(res.status).toBe(200);
      }
      const list = await request(new URL('/api/v1/devices?status=restricted', url).toString(), { method: 'GET', headers: { authorization: `Bearer ${apiToken}` } });
      expect(list.status).toBe(200);
      expect((JSON.parse(list.body) as { devices: unknown[] }).devices).toHaveLength(3);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const listed = await run(['receive', '--list', '--format', 'json', ...where]);
    const doc = JSON.parse(listed.out) as { counts: { devices: number; sweeps: number }; devices: Array<{ lastSeen: string; agents: string[] }> };
    expect(doc.counts).toMatchObject({ devices: 6, sweeps: 2 });
    expect(doc.devices).toHaveLength(3);
    expect(doc.devices.every((d) => d.lastSeen === '2026-11-26T11:00:00.000Z' && d.agents.join() === 'agent-01')).toBe(true);
  });
});

it('serve refuses bad options, every problem at once (exit 2)', async () => {
  const r = await run([
    'central', 'serve', '--listen', 'nowhere', '--database', 'mysql://x', '--forward-syslog', 'udp://1.2.3.4:514', '--forward-hec', 'https://127.0.0.1:8088/services/collector/event',
    '--metrics-token-file', '/nonexistent/metrics-token',
    '--hsts', '31536000',
  ]);
  expect(r.code).toBe(2);
  for (const word of ['--listen', '--database', '--forward-syslog', '--forward-hec', '--metrics-token-file', '--hsts']) expect(r.err).toContain(word);
});
