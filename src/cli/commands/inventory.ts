import { type Command } from 'commander';
import type { DeviceKind, DeviceStatus } from '../../domain/types.ts';
import { DEVICE_KINDS, DEVICE_STATUSES } from '../../domain/kinds.ts';
import type { CommandContext, CommandModule } from '../context.ts';
import { choiceList, choiceOption, colorOption } from '../flags.ts';
import type { CommonFlags, DevicesFlags, ListFormat, ShowFormat } from '../run/inventory.ts';

/**
 * The review commands over the inventory: `camsweep devices`, `show`, `sweeps`, `diff`
 * (the work is in ../run/inventory.ts). Exit codes: 0 done; 1 when a device or sweep named does
 * not exist (not a usage error: the reference is well-formed, the inventory just has nothing
 * by that name); 2 for bad flags, a data directory that does not exist, a bad environment.
 */

const STATUSES: readonly DeviceStatus[] = DEVICE_STATUSES;
const KINDS: readonly DeviceKind[] = DEVICE_KINDS;

function limit(ctx: CommandContext) {
  return (value: string): number | undefined => {
    if (/^\d{1,6}$/u.test(value) && Number(value) >= 1) return Number(value);
    ctx.problems.add(`--limit must be a whole number from 1 to 999999 (got ${value})`);
    return undefined;
  };
}

const common = (cmd: Command, ctx: CommandContext): Command =>
  cmd
    .addOption(colorOption(ctx.problems))
    .option('-c, --config <file>', 'YAML configuration file (its dataDir)')
    .option('--data-dir <dir>', 'data directory holding inventory.db (default: dataDir from the config, $CAMSWEEP_DATA_DIR, /var/lib/camsweep or ~/.local/state/camsweep)');

const listFormat = (ctx: CommandContext) => choiceOption<ListFormat>(ctx.problems, '-f, --format <format>', 'output format (default: table on a terminal, json otherwise)', ['table', 'json', 'csv']);

export const devicesCommand: CommandModule = {
  register(program, ctx) {
    common(program.command('devices').description('list every device the inventory holds across sweeps, with filters'), ctx)
      .option('--status <status>', `only these statuses (${STATUSES.join(', ')}; repeatable or comma-separated)`, choiceList(ctx.problems, '--status', STATUSES))
      .option('--manufacturer <name>', 'only devices with this manufacturer of record or brand (case-insensitive)')
      .option('--kind <kind>', `only these kinds (${KINDS.join(', ')}; repeatable or comma-separated)`, choiceList(ctx.problems, '--kind', KINDS))
      .option('--since <when>', 'only devices last seen since an ISO time or an age (7d, 24h, 30m)')
      .option('--network <net>', 'only devices on this interface (eth0) or IPv4 range (10.0.0.0/24)')
      .addOption(listFormat(ctx))
      .action(async (opts: DevicesFlags) => {
        const { runDevices } = await import('../run/inventory.ts');
        runDevices(opts, ctx.io, ctx.problems);
      });
  },
};

export const showCommand: CommandModule = {
  register(program, ctx) {
    common(program.command('show').description('print one device with every piece of evidence, the fingerprints and the policy rule behind its verdict'), ctx)
      .argument('<device>', 'inventory id (or a unique prefix of it), IP address or MAC address')
      .addOption(choiceOption<ShowFormat>(ctx.problems, '-f, --format <format>', 'output format (default: text on a terminal, json otherwise)', ['text', 'json']))
      .action(async (ref: string, opts: CommonFlags & { format?: ShowFormat }) => {
        const { runShow } = await import('../run/inventory.ts');
        runShow(ref, opts, ctx.io, ctx.problems);
      });
  },
};

export const sweepsCommand: CommandModule = {
  register(program, ctx) {
    common(program.command('sweeps').description('list the sweeps recorded in the inventory, newest first'), ctx)
      .option('-n, --limit <n>', 'at most this many (default 20)', limit(ctx))
      .addOption(listFormat(ctx))
      .action(async (opts: CommonFlags & { limit?: number; format?: ListFormat }) => {
        const { runSweeps } = await import('../run/inventory.ts');
        runSweeps(opts, ctx.io, ctx.problems);
      });
  },
};

export const diffCommand: CommandModule = {
  register(program, ctx) {
    common(program.command('diff').description('what changed between two recorded sweeps (default: the last two; one sweep: from it to the latest)'), ctx)
      .argument('[from]', 'the earlier sweep: id or unique id prefix')
      .argument('[to]', 'the later sweep (default: the latest)')
      .addOption(listFormat(ctx))
      .action(async (from: string | undefined, to: string | undefined, opts: CommonFlags & { format?: ListFormat }) => {
        const { runDiff } = await import('../run/inventory.ts');
        runDiff(from, to, opts, ctx.io, ctx.problems);
      });
  },
};
