import { type Command } from 'commander';
import { type CommandModule } from '../context.ts';
import { LOG_LEVELS, choiceOption, colorOption, numberFlag } from '../flags.ts';
import type { Problems } from '../problems.ts';
import type { OutboxFlags } from '../run/outbox.ts';
import type { ColorMode } from '../../output/color.ts';
import type { ReceiveOpts } from '../run/receive.ts';

/**
 * `camsweep outbox list|send|retry|purge` (the agent's queue of reports) and
 * `camsweep receive` (the reference endpoint). Definitions only: the work is in ../run/outbox.ts
 * and ../run/receive.ts, loaded by the action.
 */

const commonOptions = (cmd: Command): Command =>
  cmd.option('-c, --config <file>', 'YAML configuration file (its report: section and dataDir)').option('--data-dir <dir>', 'data directory holding outbox.db (default: dataDir from the config)');

const sendOptions = (cmd: Command, problems: Problems): Command =>
  cmd
    .option('--report-to <url>', 'endpoint URL (default: report.endpoint)')
    .option('--report-token-file <file>', 'file holding the bearer token (default: report.tokenFile, or $CAMSWEEP_REPORT_TOKEN)')
    .option('--for <seconds>', 'stop delivering after this long; the rest stays queued (default: report.deliverFor)', numberFlag(problems, '--for', { min: 0, max: 86400, unit: 'seconds' }))
    .addOption(choiceOption(problems, '--log-level <level>', 'log level on stderr', LOG_LEVELS));

export const outboxCommand: CommandModule = {
  register(program, ctx) {
    const outbox = program.command('outbox').description('the queue of reports waiting for the central endpoint: list, send, retry, purge');

    commonOptions(outbox.command('list').description('list pending reports and dead letters'))
      .option('--dead', 'only dead letters')
      .option('--pending', 'only pending reports')
      .addOption(choiceOption(ctx.problems, '-f, --format <format>', 'output format (json includes every body)', ['table', 'json']))
      .addOption(colorOption(ctx.problems))
      .action(async (opts: OutboxFlags & { dead?: boolean; pending?: boolean; format?: 'table' | 'json'; color?: ColorMode }) => {
        const { runOutboxList } = await import('../run/outbox.ts');
        runOutboxList(opts, ctx.io, ctx.problems);
      });

    sendOptions(commonOptions(outbox.command('send').description('deliver pending reports now')), ctx.problems).action(async (opts: OutboxFlags) => {
      const { runOutboxSend } = await import('../run/outbox.ts');
      ctx.exit(await runOutboxSend(opts, ctx.io, ctx.problems));
    });

    sendOptions(commonOptions(outbox.command('retry').description('move dead letters back to the queue and send them')), ctx.problems)
      .argument('[ids...]', 'dead-letter ids (see `camsweep outbox list --dead`)')
      .option('--all', 'every dead letter')
      .option('--no-send', 'only move them back; the next sweep or `outbox send` delivers them')
      .action(async (values: string[], opts: OutboxFlags & { all?: boolean; send: boolean }) => {
        const { runOutboxRetry } = await import('../run/outbox.ts');
        ctx.exit(await runOutboxRetry(values, opts, ctx.io, ctx.problems));
      });

    commonOptions(outbox.command('purge').description('delete dead letters (or, with --pending, queued reports) for good'))
      .argument('[ids...]', 'report ids')
      .option('--all', 'every dead letter (with --pending: every queued report)')
      .option('--pending', 'purge queued reports instead of dead letters: they will never be sent')
      .action(async (values: string[], opts: OutboxFlags & { all?: boolean; pending?: boolean }) => {
        const { runOutboxPurge } = await import('../run/outbox.ts');
        runOutboxPurge(values, opts, ctx.io, ctx.problems);
      });
  },
};

export const receiveCommand: CommandModule = {
  register(program, ctx) {
    program
      .command('receive')
      .description('the central service with the reference receiver\'s options: receive camsweep reports, de-duplicate them by key, keep each device\'s latest state (or --list them)')
      .option('--listen <host:port>', 'address to listen on, e.g. 127.0.0.1:8443 or [::]:8443 (port 0: any free port)')
      .option('--list', 'print every device received so far, its latest state, and exit')
      .option('--events', 'with --list: print the change events received from daemons instead of the devices')
      .option('--reports', 'with --list: one row per device report key received (every sweep), instead of the latest state per device')
      .option('--data-dir <dir>', 'directory of receiver.db (default: $CAMSWEEP_DATA_DIR, /var/lib/camsweep or ~/.local/state/camsweep)')
      .option('--database <url>', 'store in PostgreSQL: postgres://USER:PASS@HOST:PORT/DB (or $CAMSWEEP_CENTRAL_DATABASE)')
      .option('--token-file <file>', 'file holding the bearer token agents must send (or $CAMSWEEP_RECEIVER_TOKEN)')
      .option('--hmac-secret-file <file>', 'file holding the HMAC secret: signed requests only (or $CAMSWEEP_RECEIVER_HMAC_SECRET)')
      .option('--tls-cert <file>', 'PEM certificate (chain) to serve HTTPS')
      .option('--tls-key <file>', 'PEM private key of --tls-cert')
      .option('--tls-client-ca <file>', 'require client certificates signed by this CA (mutual TLS)')
      .option('--max-body-bytes <n>', 'largest request body, compressed or not (default 1048576)', numberFlag(ctx.problems, '--max-body-bytes', { min: 1024, max: 256 * 1024 * 1024, integer: true }))
      .option('--allow-anonymous', 'accept reports without a token (not recommended)')
      .addOption(choiceOption(ctx.problems, '-f, --format <format>', 'output format of --list', ['table', 'json']))
      .addOption(colorOption(ctx.problems))
      .addOption(choiceOption(ctx.problems, '--log-level <level>', 'log level on stderr', LOG_LEVELS))
      .action(async (opts: ReceiveOpts) => {
        const { runReceiver } = await import('../run/receive.ts');
        ctx.exit(await runReceiver(opts, ctx.io, ctx.problems));
      });
  },
};
