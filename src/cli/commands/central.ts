import type { Command } from 'commander';
import { collect, type CommandModule } from '../context.ts';
import { LOG_LEVELS, choiceOption, numberFlag } from '../flags.ts';
import type { ServeOpts, StoreFlags } from '../run/central.ts';
import type { ReportOpts } from '../run/central-report.ts';

/**
 * `camsweep central serve | agents add|list|revoke | users add|token|list | report` (docs/central.md, docs/console.md).
 * Definitions only: the work is in ../run/central.ts, loaded by the action.
 */

const storeOptions = (cmd: Command): Command =>
  cmd
    .option('--database <url>', 'PostgreSQL: postgres://USER:PASS@HOST:PORT/DB (or $CAMSWEEP_CENTRAL_DATABASE); default: the embedded store in --data-dir')
    .option('--data-dir <dir>', 'directory of the embedded store, receiver.db (default: $CAMSWEEP_DATA_DIR, /var/lib/camsweep or ~/.local/state/camsweep)');

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
      .option('--max-body-bytes <n>', 'largest request body, compressed or not (default 1048576)', numberFlag(ctx.problems, '--max-body-bytes', { min: 1024, max: 256 * 1024 * 1024, integer: true }))
      .option('--max-connections <n>', 'most connections open at once (default 512)', numberFlag(ctx.problems, '--max-connections', { min: 1, max: 100_000, integer: true }))
      .option('--keep-reports <days>', 'days each device report and request receipt is kept (device state, history and reviews stay); 0 keeps them all (default 90)', numberFlag(ctx.problems, '--keep-reports', { min: 0, max: 36_500, integer: true }))
      .option('--forward-syslog <url>', 'forward events to syslog, tcp://HOST:PORT or tls://HOST:PORT (RFC 5424, CEF); repeatable', collect, [])
      .option('--forward-hec <url>', 'forward events to a Splunk HTTP Event Collector (https://HOST:8088/services/collector/event); repeatable', collect, [])
      .option('--forward-hec-token-file <file>', 'the HEC token (or $CAMSWEEP_FORWARD_HEC_TOKEN)')
      .option('--forward-webhook <url>', 'forward events to a webhook (signed like reports); repeatable', collect, [])
      .option('--forward-webhook-secret-file <file>', 'HMAC secret that signs webhook bodies (or $CAMSWEEP_FORWARD_WEBHOOK_SECRET)')
      .option('--forward-ca <file>', 'PEM CA bundle the TLS sinks are verified against (replaces the default roots)')
      .option('--console-url <url>', 'base URL of the console, for the device links in forwarded events')
      .option('--hsts <seconds>', 'send Strict-Transport-Security with this max-age on the console (TLS only; it binds the whole host name to HTTPS, every port)', numberFlag(ctx.problems, '--hsts', { min: 0, max: 63_072_000, integer: true }))
      .option('--metrics-token-file <file>', 'a token GET /metrics must present (Authorization: Bearer); without it /metrics is open to anyone who reaches the listener')
      .addOption(choiceOption(ctx.problems, '--log-level <level>', 'log level on stderr', LOG_LEVELS))
      .action(async (opts: ServeOpts) => {
        const { runServe } = await import('../run/central.ts');
        ctx.exit(await runServe(opts, ctx.io, ctx.problems));
      });

    const agents = central.command('agents').description('the agents allowed to report: one credential each');
    storeOptions(agents.command('add').description('register an agent; prints its token (once, alone on stdout)'))
      .argument('<id>', 'the agent id it reports with (report.agentId)')
      .requiredOption('--site <site>', 'the site the agent is in (its reports are filed under it)')
      .option('--cert-fingerprint <sha256>', 'bind the agent to the client certificate with this SHA-256 fingerprint (mutual TLS)')
      .action(async (id: string, opts: StoreFlags & { site: string; certFingerprint?: string }) => {
        const { runAgentsAdd } = await import('../run/central.ts');
        await runAgentsAdd(id, opts, ctx.io, ctx.problems);
      });
    storeOptions(agents.command('list').description('list the agents (never their credentials)'))
      .addOption(choiceOption(ctx.problems, '-f, --format <format>', 'output format', ['table', 'json']))
      .action(async (opts: StoreFlags & { format?: 'table' | 'json' }) => {
        const { runAgentsList } = await import('../run/central.ts');
        await runAgentsList(opts, ctx.io, ctx.problems);
      });
    storeOptions(agents.command('revoke').description('revoke an agent: its reports get 401 from now on'))
      .argument('<id>', 'agent id')
      .action(async (id: string, opts: StoreFlags) => {
        const { runAgentsRevoke } = await import('../run/central.ts');
        await runAgentsRevoke(id, opts, ctx.io, ctx.problems);
      });

    const users = central.command('users').description('the people who use the API and the console');
    storeOptions(users.command('add').description('add a user (viewer: reads; reviewer: also reviews; admin)'))
      .argument('<name>', 'user name')
      .requiredOption('--role <role>', 'viewer, reviewer or admin')
      .requiredOption('--password-file <file>', 'file holding the password (at least 12 characters)')
      .action(async (name: string, opts: StoreFlags & { role: string; passwordFile: string }) => {
        const { runUsersAdd } = await import('../run/central.ts');
        await runUsersAdd(name, opts, ctx.io, ctx.problems);
      });
    storeOptions(users.command('token').description('make an API token for a user; prints it (once, alone on stdout)'))
      .argument('<name>', 'user name')
      .action(async (name: string, opts: StoreFlags) => {
        const { runUsersToken } = await import('../run/central.ts');
        await runUsersToken(name, opts, ctx.io, ctx.problems);
      });
    storeOptions(users.command('list').description('list the users and their roles')).action(async (opts: StoreFlags) => {
      const { runUsersList } = await import('../run/central.ts');
      await runUsersList(opts, ctx.io, ctx.problems);
    });

    storeOptions(central.command('report').description('the compliance report of a site or of the whole estate, as HTML (print styles) or PDF (printed by Chromium)'))
      .option('--site <site>', 'the site to report on (default: the whole estate)')
      .addOption(choiceOption(ctx.problems, '-f, --format <format>', 'html or pdf (default: from the extension of --output, else html)', ['html', 'pdf']))
      .option('-o, --output <file>', 'write the report to this file (default: stdout)')
      .action(async (opts: ReportOpts) => {
        const { runReport } = await import('../run/central-report.ts');
        await runReport(opts, ctx.io, ctx.problems);
      });
  },
};
