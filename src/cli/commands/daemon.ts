import { type Command } from 'commander';
import { type CommandModule } from '../context.ts';
import { LOG_LEVELS, choiceOption, numberFlag } from '../flags.ts';
import type { DaemonCliOptions, HealthCliOptions } from '../run/daemon.ts';

export type { DaemonCliOptions, HealthCliOptions } from '../run/daemon.ts';

/** The configuration file: --config, else $CAMSWEEP_CONFIG (containers: the daemon and its HEALTHCHECK read the same file). */
export function configFile(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (flag !== undefined) return flag;
  const fromEnv = env.CAMSWEEP_CONFIG;
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}

export const daemonCommand: CommandModule = {
  register(program: Command, ctx) {
    program
      .command('daemon')
      .description('sweep on a schedule, keep the inventory, report changes; /healthz and /metrics on 127.0.0.1:9464 (SIGHUP reloads the configuration)')
      .option('-c, --config <file>', 'YAML configuration file (default: $CAMSWEEP_CONFIG; CAMSWEEP_<SECTION>_<KEY> variables override it)')
      .option('--once', 'one sweep now: record it, report it (delivering for report.deliverFor), exit')
      .addOption(choiceOption(ctx.problems, '--log-level <level>', 'log level on stderr (default: log.level)', LOG_LEVELS))
      .action(async (opts: DaemonCliOptions) => {
        const { runDaemonCommand } = await import('../run/daemon.ts');
        ctx.exit(await runDaemonCommand(opts, ctx.io, undefined, ctx.problems));
      });
    program
      .command('health')
      .description('ask a running daemon\'s /healthz: exit 0 when healthy, 1 otherwise (for HEALTHCHECK and monitors)')
      .option('-c, --config <file>', 'YAML configuration file, for its daemon.http.listen (default: $CAMSWEEP_CONFIG)')
      .option('--url <url>', 'the /healthz URL or HOST:PORT of the listener (default: from the configuration)')
      .option('--timeout <seconds>', 'how long to wait for the answer (default 3)', numberFlag(ctx.problems, '--timeout', { min: 0.1, max: 60, unit: 'seconds' }))
      .action(async (opts: HealthCliOptions) => {
        const { runHealthCommand } = await import('../run/daemon.ts');
        ctx.exit(await runHealthCommand(opts, ctx.io, undefined, ctx.problems));
      });
  },
};
