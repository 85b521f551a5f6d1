import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { postgresBinDir } from '../../scripts/system-deps.ts';

/**
 * A throwaway PostgreSQL cluster on 127.0.0.1 for the tests and the benchmark: initdb into a
 * temporary directory, `postgres` on a free port, torn down (and the directory removed) by
 * `stop()`. No mock: the central service's PostgreSQL store runs against a real server.
 *
 * PostgreSQL refuses to run as root, and the suite runs as uid 0 of the private namespace
 * (scripts/private-netns.sh). When we are uid 0, initdb and postgres run in a nested user
 * namespace where we are uid 1000 (`unshare --user --map-user=1000 --map-group=1000`, no new
 * network namespace, so the server listens on the same 127.0.0.1 as the tests); as a normal
 * user they run as they are. `setpriv --pdeathsig KILL` makes the server die with the process
 * that started it, even when that one is killed before its cleanup runs.
 */

export interface PgCluster {
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust authentication, loopback only). */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** The postmaster's process id (its backends are its children). */
  readonly pid: number;
  /** A fresh database in the cluster; returns its URL. */
  createDatabase(name?: string): Promise<string>;
  stop(): Promise<void>;
}

export interface PgClusterOptions {
  /** fsync off (tests: faster, and a crash of the test machine loses nothing we keep). Default true. */
  fast?: boolean;
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string>;
}

function wrap(cmd: string, args: string[]): [string, string[]] {
  const asRoot = process.geteuid?.() === 0;
  const inner = ['setpriv', '--pdeathsig', 'KILL', '--', cmd, ...args];
  return asRoot ? ['unshare', ['--user', '--map-user=1000', '--map-group=1000', '--', ...inner]] : [inner[0]!, inner.slice(1)];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited during start:\n${log()}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres not ready after ${timeoutMs} ms:\n${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function startPgCluster(options: PgClusterOptions = {}): Promise<PgCluster> {
  const bin = postgresBinDir();
  if (bin === null) throw new Error('no PostgreSQL 15+ server installed: run `node scripts/system-deps.ts` as root (Debian package postgresql)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-pg-'));
  const data = path.join(dir, 'data');
  const pwfile = path.join(dir, 'pw');
  writeFileSync(pwfile, 'postgres\n');
  const [initCmd, initArgs] = wrap(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status}): ${init.stderr}`);
  }
  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: dir,
    max_connections: '200',
    shared_buffers: '128MB',
    ...(options.fast === false ? {} : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }),
    ...options.settings,
  };
  const [cmd, args] = wrap(path.join(bin, 'postgres'), ['-D', data, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (log.length < 64 * 1024) log += chunk;
  });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitReady(url, child, () => log, 30_000);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let n = 0;
  return {
    url,
    port,
    dir,
    pid: child.pid!,
    async createDatabase(name) {
      n += 1;
      const db = name ?? `t_${process.pid}_${n}_${Math.random().toString(36).slice(2, 8)}`;
      if (!/^[a-z_][a-z0-9_]{0,62}$/u.test(db)) throw new Error(`bad database name ${db}`);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${db}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${db}`;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        // Fast shutdown (SIGINT): backends are ended, nothing is kept anyway.
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
