import { readFileSync } from 'node:fs';
import type { LevelWithSilent } from 'pino';
import { UsageError } from '../../domain/errors.ts';
import { unknownVariableProblems } from '../../config/env.ts';
import { defaultDataDir, hostFacts } from '../../config/data-dir.ts';
import { addAgent, addUser, newUserToken } from '../../central/admin.ts';
import { formatAgentsTable } from '../../central/format.ts';
import { resolveServeSettings, type ServeFlags } from '../../central/settings.ts';
import { startService } from '../../central/service.ts';
import { openCentralStore, storeLocation } from '../../central/store/open.ts';
import type { CentralStore } from '../../central/store/store.ts';
import { cliLogger } from '../log.ts';
import { EXIT, type CliIo } from '../context.ts';
import { Problems } from '../problems.ts';
import { serveUntilSignal } from './serve.ts';

/** `camsweep central serve | agents add|list|revoke | users add|token|list`: the work, loaded by the actions. */

const read = (p: string): string => readFileSync(p, 'utf8');

export interface StoreFlags {
  database?: string;
  dataDir?: string;
}

export type ServeOpts = ServeFlags & { logLevel?: LevelWithSilent };

export async function withStore<T>(flags: StoreFlags, io: CliIo, problems: Problems, fn: (store: CentralStore) => Promise<T>): Promise<T> {
  problems.add(...unknownVariableProblems(io.env));
  const location = problems.check(() => storeLocation({ database: flags.database, dataDir: flags.dataDir ?? defaultDataDir(io.env, hostFacts()) }, io.env));
  problems.throwIfAny();
  const store = await openCentralStore(location!);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export async function runServe(opts: ServeOpts, io: CliIo, problems: Problems = new Problems()): Promise<number> {
  const s = problems.check(() => resolveServeSettings(opts, io.env, read));
  problems.add(...unknownVariableProblems(io.env));
  problems.throwIfAny();
  const log = cliLogger(opts.logLevel ?? 'info', io);
  const service = await startService({ ...s!, log, env: io.env });
  if (s!.sharedToken === null) log.info('no shared token: agents report with the tokens of `camsweep central agents add`');
  await serveUntilSignal(service, io, 'camsweep central');
  return EXIT.ok;
}

export async function runAgentsAdd(id: string, opts: StoreFlags & { site: string; certFingerprint?: string }, io: CliIo, problems: Problems): Promise<void> {
  const token = await withStore(opts, io, problems, (store) => addAgent(store, { id, site: opts.site, certFingerprint: opts.certFingerprint, now: new Date() }));
  io.stdout(`${token}\n`);
}

export async function runAgentsList(opts: StoreFlags & { format?: 'table' | 'json' }, io: CliIo, problems: Problems): Promise<void> {
  const list = await withStore(opts, io, problems, (store) => store.listAgents());
  const format = opts.format ?? (io.isTty ? 'table' : 'json');
  io.stdout(format === 'json' ? `${JSON.stringify({ agents: list }, null, 2)}\n` : formatAgentsTable(list));
}

export async function runAgentsRevoke(id: string, opts: StoreFlags, io: CliIo, problems: Problems): Promise<void> {
  const done = await withStore(opts, io, problems, (store) => store.revokeAgent(id, new Date().toISOString()));
  if (!done) throw new UsageError(`no active agent ${id} (see \`camsweep central agents list\`)`);
  io.stdout(`agent ${id} revoked\n`);
}

export async function runUsersAdd(name: string, opts: StoreFlags & { role: string; passwordFile: string }, io: CliIo, problems: Problems): Promise<void> {
  let password: string;
  try {
    password = read(opts.passwordFile).replace(/\r?\n$/u, '');
  } catch (err) {
    throw new UsageError(`--password-file: cannot read ${opts.passwordFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  await withStore(opts, io, problems, (store) => addUser(store, { name, role: opts.role, password, now: new Date() }));
  io.stdout(`user ${name} added (${opts.role})\n`);
}

export async function runUsersToken(name: string, opts: StoreFlags, io: CliIo, problems: Problems): Promise<void> {
  const token = await withStore(opts, io, problems, (store) => newUserToken(store, name, new Date()));
  io.stdout(`${token}\n`);
}

export async function runUsersList(opts: StoreFlags, io: CliIo, problems: Problems): Promise<void> {
  const list = await withStore(opts, io, problems, (store) => store.listUsers());
  io.stdout(`${JSON.stringify({ users: list.map((u) => ({ name: u.name, role: u.role, createdAt: u.createdAt })) }, null, 2)}\n`);
}
