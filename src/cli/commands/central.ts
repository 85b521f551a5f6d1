import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { LevelWithSilent } from 'pino';
import { UsageError } from '../../domain/errors.ts';
import { createLogger } from '../../util/log.ts';
import { addAgent, addUser, newUserToken } from '../../central/admin.ts';
import { formatAgentsTable } from '../../central/format.ts';
import { resolveServeSettings, type ServeFlags } from '../../central/settings.ts';
import { startService } from '../../central/service.ts';
import { serveUntilSignal } from '../run/serve.ts';
import { openCentralStore, storeLocation } from '../../central/store/open.ts';
import type { CentralStore } from '../../central/store/store.ts';
import { defaultDataDir, hostFacts } from '../../config/data-dir.ts';
import { collect, EXIT, type CliIo, type CommandModule } from '../context.ts';

/**
 * `camsweep central serve | agents add|list|revoke | users add|token|list`. Thin: options in,
 * src/central does the work.
 */

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const read = (p: string): string => readFileSync(p, 'utf8');

interface StoreFlags {
  database?: string;
  dataDir?: string;
}

async function withStore<T>(flags: StoreFlags, io: CliIo, fn: (store: CentralStore) => Promise<T>): Promise<T> {
  const store = await openCentralStore(storeLocation({ database: flags.database, dataDir: flags.dataDir ?? defaultDataDir(io.env, hostFacts()) }, io.env));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const storeOptions = (cmd: Command): Command =>
  cmd
    .option('--database <url>', 'PostgreSQL: postgres://USER:PASS@HOST:PORT/DB (or $CAMSWEEP_CENTRAL_DATABASE); default: the embedded store in --data-dir')
    .option('--data-dir <dir>', 'directory of the embedded store, receiver.db (default: $CAMSWEEP_DATA_DIR, /var/lib/camsweep or ~/.local/state/camsweep)');

function count(flag: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max} (got ${value})`);
    return n;
  };
}

type ServeOpts = ServeFlags & { logLevel?: LevelWithSilent };

export const centralCommand: CommandModule = {
  register(program, ctx) {
    const central = program.command('central').description('the central service: agents report to it, people review through its API (docs/central.md)');

    storeOptions(central.command('serve').description('run the central service: report intake, device state, API, forwarding'))
      .requiredOption('--listen <host:port>', 'address to listen on, e.g. 0.0.0.0:8443 or [::]:8443 (port 0: any free port)')
      .option('--token-file <file>', 'a shared token every agent may use (or $CAMSWEEP_RECEIVER_TOKEN); per-agent tokens come from `central agents add`')
      .option('--hmac-secret-file <file>', 'HMAC secret: signed requests only (or $CAMSWEEP_RECEIVER_HMAC_SECRET)')
      .option('--tls-cert <file>', 'PEM certificate (chain) to serve HTTPS')
      .option('--tls-key <file>', 'PEM private key of --tls-cert')
      .option('--tls-client-ca <file>', 'require client certificates signed by this CA (mutual TLS)')
      .addOption(new Option('--max-body-bytes <n>', 'largest request body, compressed or not (default 1048576)').argParser(count('--max-body-bytes', 1024, 256 * 1024 * 1024)))
      .addOption(new Option('--max-connections <n>', 'most connections open at once (default 512)').argParser(count('--max-connections', 1, 100_000)))
      .option('--forward-syslog <url>', 'forward events to syslog, tcp://HOST:PORT or tls://HOST:PORT (RFC 5424, CEF); repeatable', collect, [])
      .option('--forward-hec <url>', 'forward events to a Splunk HTTP Event Collector (https://HOST:8088/services/collector/event); repeatable', collect, [])
      .option('--forward-hec-token-file <file>', 'the HEC token (or $CAMSWEEP_FORWARD_HEC_TOKEN)')
      .option('--forward-webhook <url>', 'forward events to a webhook (signed like reports); repeatable', collect, [])
      .option('--forward-webhook-secret-file <file>', 'HMAC secret that signs webhook bodies (or $CAMSWEEP_FORWARD_WEBHOOK_SECRET)')
      .option('--forward-ca <file>', 'PEM CA bundle the TLS sinks are verified against (replaces the default roots)')
      .option('--console-url <url>', 'base URL of the console, for the device links in forwarded events')
      .addOption(new Option('--log-level <level>', 'log level on stderr').choices(LOG_LEVELS))
      .action(async (opts: ServeOpts) => {
        const s = resolveServeSettings(opts, ctx.io.env, read);
        const log = createLogger({ level: opts.logLevel ?? 'info' });
        const service = await startService({ ...s, log });
        if (s.sharedToken === null) log.info('no shared token: agents report with the tokens of `camsweep central agents add`');
        await serveUntilSignal(service, ctx.io, 'camsweep central');
        ctx.exit(EXIT.ok);
      });

    const agents = central.command('agents').description('the agents allowed to report: one credential each');
    storeOptions(agents.command('add').description('register an agent; prints its token (once, alone on stdout)'))
      .argument('<id>', 'the agent id it reports with (report.agentId)')
      .requiredOption('--site <site>', 'the site the agent is in (its reports are filed under it)')
      .option('--cert-fingerprint <sha256>', 'bind the agent to the client certificate with this SHA-256 fingerprint (mutual TLS)')
      .action(async (id: string, opts: StoreFlags & { site: string; certFingerprint?: string }) => {
        const token = await withStore(opts, ctx.io, (store) => addAgent(store, { id, site: opts.site, certFingerprint: opts.certFingerprint, now: new Date() }));
        ctx.io.stdout(`${token}\n`);
      });
    storeOptions(agents.command('list').description('list the agents (never their credentials)'))
      .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']))
      .action(async (opts: StoreFlags & { format?: 'table' | 'json' }) => {
        const list = await withStore(opts, ctx.io, (store) => store.listAgents());
        const format = opts.format ?? (ctx.io.isTty ? 'table' : 'json');
        ctx.io.stdout(format === 'json' ? `${JSON.stringify({ agents: list }, null, 2)}\n` : formatAgentsTable(list));
      });
    storeOptions(agents.command('revoke').description('revoke an agent: its reports get 401 from now on'))
      .argument('<id>', 'agent id')
      .action(async (id: string, opts: StoreFlags) => {
        const done = await withStore(opts, ctx.io, (store) => store.revokeAgent(id, new Date().toISOString()));
        if (!done) throw new UsageError(`no active agent ${id} (see \`camsweep central agents list\`)`);
        ctx.io.stdout(`agent ${id} revoked\n`);
      });

    const users = central.command('users').description('the people who use the API and the console');
    storeOptions(users.command('add').description('add a user (viewer: reads; reviewer: also reviews; admin)'))
      .argument('<name>', 'user name')
      .requiredOption('--role <role>', 'viewer, reviewer or admin')
      .requiredOption('--password-file <file>', 'file holding the password (at least 12 characters)')
      .action(async (name: string, opts: StoreFlags & { role: string; passwordFile: string }) => {
        let password: string;
        try {
          password = read(opts.passwordFile).replace(/\r?\n$/u, '');
        } catch (err) {
          throw new UsageError(`--password-file: cannot read ${opts.passwordFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
        }
        await withStore(opts, ctx.io, (store) => addUser(store, { name, role: opts.role, password, now: new Date() }));
        ctx.io.stdout(`user ${name} added (${opts.role})\n`);
      });
    storeOptions(users.command('token').description("make an API token for a user; prints it (once, alone on stdout)"))
      .argument('<name>', 'user name')
      .action(async (name: string, opts: StoreFlags) => {
        const token = await withStore(opts, ctx.io, (store) => newUserToken(store, name, new Date()));
        ctx.io.stdout(`${token}\n`);
      });
    storeOptions(users.command('list').description('list the users and their roles'))
      .action(async (opts: StoreFlags) => {
        const list = await withStore(opts, ctx.io, (store) => store.listUsers());
        ctx.io.stdout(`${JSON.stringify({ users: list.map((u) => ({ name: u.name, role: u.role, createdAt: u.createdAt })) }, null, 2)}\n`);
      });
  },
};


