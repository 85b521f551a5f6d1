import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../src/cli/main.ts';
import { signBody } from '../../src/report/hmac.ts';
import { serializeReport, type ReportV1 } from '../../src/report/payload.ts';
import { createReportTransport } from '../../src/report/transport.ts';
import { captureIo } from './cli.ts';
import { binNodeFlags } from './node-flags.ts';

/**
 * A real `camsweep central serve` for the console's browser tests, screenshots and benchmark:
 * users and agents made with the CLI as an operator makes them, the service started as a
 * process, and reports posted the way agents post them (their own token, signed with the HMAC
 * secret), all on 127.0.0.1.
 */

const CLI = new URL('../../bin/camsweep.js', import.meta.url).pathname;
export const PASSWORD = 'a long enough password';
export const HMAC_SECRET = 'console-hmac-secret-0001';

export async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo(env);
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

async function must(args: string[]): Promise<string> {
  const r = await cli(args);
  if (r.code !== 0) throw new Error(`camsweep ${args.join(' ')}: exit ${r.code}: ${r.err}`);
  return r.out;
}

export interface Operator {
  store: string[];
  dir: string;
}

/** `central users add` for each (name, role) with the shared test password; returns nothing but the users exist. */
export async function addUsers(op: Operator, users: ReadonlyArray<[string, 'viewer' | 'reviewer' | 'admin']>): Promise<void> {
  const pw = path.join(op.dir, 'password');
  writeFileSync(pw, `${PASSWORD}\n`, { mode: 0o600 });
  for (const [name, role] of users) await must(['central', 'users', 'add', name, '--role', role, '--password-file', pw, ...op.store]);
}

export const addAgent = async (op: Operator, id: string, site: string): Promise<string> => (await must(['central', 'agents', 'add', id, '--site', site, ...op.store])).trim();
export const userToken = async (op: Operator, name: string): Promise<string> => (await must(['central', 'users', 'token', name, ...op.store])).trim();

export interface Served {
  child: ChildProcess;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** Where agents post: origin + /v1/reports */
  reports: string;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

export function serve(op: Operator, extra: string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<Served> {
  const secret = path.join(op.dir, 'hmac');
  writeFileSync(secret, `${HMAC_SECRET}\n`, { mode: 0o600 });
  const child = spawn(process.execPath, [...binNodeFlags(), CLI, 'central', 'serve', '--listen', '127.0.0.1:0', '--hmac-secret-file', secret, '--log-level', 'warn', ...op.store, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`central serve printed no listening line: ${out} ${err}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/u.exec(out);
      if (m) {
        clearTimeout(timer);
        const reports = m[1]!;
        resolve({
          child,
          origin: new URL(reports).origin,
          reports,
          exited,
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`central serve exited ${code}: ${err}`));
    });
  });
}

const transport = createReportTransport({ ca: null, cert: null, key: null });

/** Posts a report as an agent does: its own token, the body signed with the HMAC secret. */
export async function postReport(url: string, token: string, report: ReportV1): Promise<void> {
  const body = Buffer.from(serializeReport(report));
  const res = await transport({
    url,
    headers: {
      'content-type': 'application/json',
      'idempotency-key': report.idempotencyKey,
      authorization: `Bearer ${token}`,
      'x-camsweep-signature': signBody(HMAC_SECRET, body, Date.now()),
    },
    body,
    timeoutMs: 30_000,
  });
  if (res.status !== 200) throw new Error(`report refused: ${res.status} ${res.body}`);
}
