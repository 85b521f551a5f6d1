import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { DeviceKind, DeviceStatus } from '../../domain/types.ts';
import { DEVICE_KINDS, DEVICE_STATUSES } from '../../domain/kinds.ts';
import { ERR, CamsweepError, UsageError } from '../../domain/errors.ts';
import { readReportSection } from '../../report/settings-file.ts';
import { resolveDataDir } from '../../config/data-dir.ts';
import { inventoryPath, openInventory, type InventoryStore } from '../../inventory/store.ts';
import { parseNetwork, parseSince } from '../../inventory/filter.ts';
import { formatDevices, formatDiff, formatSweeps, type ListFormat } from '../../inventory/format.ts';
import { formatShow, type ShowFormat } from '../../inventory/show.ts';
import type { DeviceFilter } from '../../inventory/types.ts';
import type { CliIo, CommandModule } from '../context.ts';

/**
 * The review commands over the inventory: `camsweep devices`, `show`, `sweeps`, `diff`. They
 * open the database read-only (a running daemon keeps writing) and never create it. Exit
 * codes: 0 done; 1 when a device or sweep named does not exist (not a usage error: the
 * reference is well-formed, the inventory just has nothing by that name); 2 for bad flags.
 */

const STATUSES = DEVICE_STATUSES;
const KINDS = DEVICE_KINDS;

interface CommonFlags {
  config?: string;
  dataDir?: string;
}

function dataDir(flags: CommonFlags, io: CliIo): string {
  // Only dataDir matters here: the rest of the file (credentials, report secrets) is not read.
  const settings = flags.dataDir === undefined ? readReportSection(flags.config, undefined, io.env) : {};
  return resolveDataDir({ flag: flags.dataDir, configured: settings.dataDir, env: io.env });
}

/** Runs `fn` on the inventory opened read-only, or on null when there is none yet. */
function withInventory<T>(flags: CommonFlags, io: CliIo, fn: (inventory: InventoryStore | null, file: string) => T): T {
  const dir = dataDir(flags, io);
  const file = inventoryPath(dir);
  if (!existsSync(file)) return fn(null, file);
  const inventory = openInventory(dir, { readOnly: true });
  try {
    return fn(inventory, file);
  } finally {
    inventory.close();
  }
}

const noInventory = (file: string): string => `no inventory at ${file} yet: record sweeps with \`camsweep sweep --record\` or run the daemon\n`;

function oneOf<T extends string>(flag: string, allowed: readonly T[]) {
  return (value: string, previous: T[] | undefined): T[] => {
    const out = [...(previous ?? [])];
    for (const part of value.split(',')) {
      const v = part.trim().toLowerCase();
      if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got ${part.trim()})`);
      if (!out.includes(v as T)) out.push(v as T);
    }
    return out;
  };
}

function limit(value: string): number {
  if (!/^\d{1,6}$/u.test(value) || Number(value) < 1) throw new UsageError(`--limit must be a whole number from 1 to 999999 (got ${value})`);
  return Number(value);
}

const common = (cmd: Command): Command =>
  cmd
    .option('-c, --config <file>', 'YAML configuration file (its dataDir)')
    .option('--data-dir <dir>', 'data directory holding inventory.db (default: dataDir from the config, $CAMSWEEP_DATA_DIR, /var/lib/camsweep or ~/.local/state/camsweep)');

const listFormat = (): Option => new Option('-f, --format <format>', 'output format (default: table on a terminal, json otherwise)').choices(['table', 'json', 'csv']);

interface DevicesFlags extends CommonFlags {
  status?: DeviceStatus[];
  manufacturer?: string;
  kind?: DeviceKind[];
  since?: string;
  network?: string;
  format?: ListFormat;
}

export function devicesFilter(flags: DevicesFlags, now: Date): DeviceFilter {
  const filter: DeviceFilter = {};
  if (flags.status !== undefined) filter.status = flags.status;
  if (flags.kind !== undefined) filter.kind = flags.kind;
  if (flags.manufacturer !== undefined) filter.manufacturer = flags.manufacturer;
  if (flags.since !== undefined) {
    const since = parseSince(flags.since, now);
    if (since === undefined) throw new UsageError(`--since must be an ISO date or time, or an age such as 7d, 24h, 30m (got ${flags.since})`);
    filter.seenSince = since;
  }
  if (flags.network !== undefined) {
    if (parseNetwork(flags.network) === undefined) throw new UsageError(`--network must be an interface name or an IPv4 CIDR such as 10.0.0.0/24 (got ${flags.network})`);
    filter.network = flags.network.trim();
  }
  return filter;
}

export const devicesCommand: CommandModule = {
  register(program, ctx) {
    common(program.command('devices').description('list every device the inventory holds across sweeps, with filters'))
      .option('--status <status>', `only these statuses (${STATUSES.join(', ')}; repeatable or comma-separated)`, oneOf('--status', STATUSES))
      .option('--manufacturer <name>', 'only devices with this manufacturer of record or brand (case-insensitive)')
      .option('--kind <kind>', `only these kinds (${KINDS.join(', ')}; repeatable or comma-separated)`, oneOf('--kind', KINDS))
      .option('--since <when>', 'only devices last seen since an ISO time or an age (7d, 24h, 30m)')
      .option('--network <net>', 'only devices on this interface (eth0) or IPv4 range (10.0.0.0/24)')
      .addOption(listFormat())
      .action((opts: DevicesFlags) => {
        const filter = devicesFilter(opts, new Date());
        const format = opts.format ?? (ctx.io.isTty ? 'table' : 'json');
        withInventory(opts, ctx.io, (inventory, file) => {
          if (inventory === null && format === 'table') ctx.io.stderr(noInventory(file));
          ctx.io.stdout(formatDevices(inventory?.devices(filter) ?? [], format, file));
        });
      });
  },
};

export const showCommand: CommandModule = {
  register(program, ctx) {
    common(program.command('show').description('print one device with every piece of evidence, the fingerprints and the policy rule behind its verdict'))
      .argument('<device>', 'inventory id (or a unique prefix of it), IP address or MAC address')
      .addOption(new Option('-f, --format <format>', 'output format (default: text on a terminal, json otherwise)').choices(['text', 'json']))
      .action((ref: string, opts: CommonFlags & { format?: ShowFormat }) => {
        const format = opts.format ?? (ctx.io.isTty ? 'text' : 'json');
        withInventory(opts, ctx.io, (inventory, file) => {
          const device = inventory?.device(ref);
          if (device === undefined) {
            throw new CamsweepError(ERR.INVENTORY_UNKNOWN_DEVICE, `no device ${ref} in the inventory (${file}); see \`camsweep devices\``);
          }
          ctx.io.stdout(formatShow(device, format));
        });
      });
  },
};

export const sweepsCommand: CommandModule = {
  register(program, ctx) {
    common(program.command('sweeps').description('list the sweeps recorded in the inventory, newest first'))
      .addOption(new Option('-n, --limit <n>', 'at most this many (default 20)').argParser(limit))
      .addOption(listFormat())
      .action((opts: CommonFlags & { limit?: number; format?: ListFormat }) => {
        const format = opts.format ?? (ctx.io.isTty ? 'table' : 'json');
        withInventory(opts, ctx.io, (inventory, file) => {
          if (inventory === null && format === 'table') ctx.io.stderr(noInventory(file));
          ctx.io.stdout(formatSweeps(inventory?.sweeps(opts.limit ?? 20) ?? [], format));
        });
      });
  },
};

export const diffCommand: CommandModule = {
  register(program, ctx) {
    common(program.command('diff').description('what changed between two recorded sweeps (default: the last two; one sweep: from it to the latest)'))
      .argument('[from]', 'the earlier sweep: id or unique id prefix')
      .argument('[to]', 'the later sweep (default: the latest)')
      .addOption(listFormat())
      .action((from: string | undefined, to: string | undefined, opts: CommonFlags & { format?: ListFormat }) => {
        const format = opts.format ?? (ctx.io.isTty ? 'table' : 'json');
        withInventory(opts, ctx.io, (inventory, file) => {
          if (inventory === null) throw new CamsweepError(ERR.INVENTORY_NOT_ENOUGH_SWEEPS, noInventory(file).trimEnd());
          const diff = inventory.diffSweeps(from, to);
          ctx.io.stdout(formatDiff(diff.from, diff.to, diff.changes, format));
        });
      });
  },
};

