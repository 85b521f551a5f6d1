import { existsSync, statSync } from 'node:fs';
import type { DeviceKind, DeviceStatus } from '../../domain/types.ts';
import { ERR, CamsweepError, UsageError } from '../../domain/errors.ts';
import { readReportSection } from '../../report/settings-file.ts';
import { unknownVariableProblems } from '../../config/env.ts';
import { resolveDataDir } from '../../config/data-dir.ts';
import { inventoryPath, openInventory, type InventoryStore } from '../../inventory/store.ts';
import { parseNetwork, parseSince } from '../../inventory/filter.ts';
import { formatDevices, formatDiff, formatSweeps, type ListFormat } from '../../inventory/format.ts';
import { formatShow, type ShowFormat } from '../../inventory/show.ts';
import type { DeviceFilter } from '../../inventory/types.ts';
import type { CliIo } from '../context.ts';
import { stdoutView } from '../../output/view.ts';
import type { ColorMode } from '../../output/color.ts';
import { Problems } from '../problems.ts';

export type { ListFormat } from '../../inventory/format.ts';
export type { ShowFormat } from '../../inventory/show.ts';

/**
 * The inventory commands' work. They open the database read-only (a running daemon keeps
 * writing) and never create it. A data directory that does not exist is a usage error when it
 * was named (--data-dir, dataDir, $CAMSWEEP_DATA_DIR): a typo must not look like an empty
 * inventory. The default directory missing only means nothing was recorded yet.
 */

export interface CommonFlags {
  config?: string;
  dataDir?: string;
  color?: ColorMode;
}

export interface DevicesFlags extends CommonFlags {
  status?: DeviceStatus[];
  manufacturer?: string;
  kind?: DeviceKind[];
  since?: string;
  network?: string;
  format?: ListFormat;
}

/** The data directory, checked with the flags and the environment (every problem at once). */
function dataDir(flags: CommonFlags, io: CliIo, problems: Problems): string | undefined {
  // Only dataDir matters here: the rest of the file (credentials, report secrets) is not read.
  const settings = flags.dataDir === undefined ? problems.check(() => readReportSection(flags.config, undefined, io.env)) : {};
  // readReportSection reports unknown variables itself; with --data-dir they are checked here.
  if (flags.dataDir !== undefined) problems.add(...unknownVariableProblems(io.env));
  if (settings === undefined) return undefined;
  const named = flags.dataDir ?? settings.dataDir ?? (io.env.CAMSWEEP_DATA_DIR === '' ? undefined : io.env.CAMSWEEP_DATA_DIR);
  const dir = resolveDataDir({ flag: flags.dataDir, configured: settings.dataDir, env: io.env });
  if (named !== undefined && !isDirectory(dir)) {
    const fromEnv = io.env.CAMSWEEP_DATA_DIR !== undefined && io.env.CAMSWEEP_DATA_DIR !== '';
    const from = flags.dataDir !== undefined ? '--data-dir' : fromEnv ? '$CAMSWEEP_DATA_DIR' : `dataDir in ${flags.config ?? 'the configuration'}`;
    problems.add(`${from}: no directory ${dir}`);
  }
  return dir;
}

const isDirectory = (dir: string): boolean => {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
};

/** Runs `fn` on the inventory opened read-only, or on null when there is none yet. */
function withInventory<T>(dir: string, fn: (inventory: InventoryStore | null, file: string) => T): T {
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

export function devicesFilter(flags: DevicesFlags, now: Date, problems: Problems = new Problems()): DeviceFilter {
  const filter: DeviceFilter = {};
  if (flags.status !== undefined) filter.status = flags.status;
  if (flags.kind !== undefined) filter.kind = flags.kind;
  if (flags.manufacturer !== undefined) filter.manufacturer = flags.manufacturer;
  if (flags.since !== undefined) {
    const since = parseSince(flags.since, now);
    if (since === undefined) problems.add(`--since must be an ISO date or time, or an age such as 7d, 24h, 30m (got ${flags.since})`);
    else filter.seenSince = since;
  }
  if (flags.network !== undefined) {
    if (parseNetwork(flags.network) === undefined) problems.add(`--network must be an interface name or an IPv4 CIDR such as 10.0.0.0/24 (got ${flags.network})`);
    else filter.network = flags.network.trim();
  }
  return filter;
}

function ready(flags: CommonFlags, io: CliIo, problems: Problems): string {
  const dir = dataDir(flags, io, problems);
  problems.throwIfAny();
  if (dir === undefined) throw new UsageError('no data directory');
  return dir;
}

export function runDevices(opts: DevicesFlags, io: CliIo, problems: Problems = new Problems()): void {
  const filter = devicesFilter(opts, new Date(), problems);
  const dir = ready(opts, io, problems);
  const format = opts.format ?? (io.isTty ? 'table' : 'json');
  withInventory(dir, (inventory, file) => {
    if (inventory === null && format === 'table') io.stderr(noInventory(file));
    io.stdout(formatDevices(inventory?.devices(filter) ?? [], format, file, stdoutView(io, opts.color)));
  });
}

export function runShow(ref: string, opts: CommonFlags & { format?: ShowFormat }, io: CliIo, problems: Problems = new Problems()): void {
  const dir = ready(opts, io, problems);
  const format = opts.format ?? (io.isTty ? 'text' : 'json');
  withInventory(dir, (inventory, file) => {
    const device = inventory?.device(ref);
    if (device === undefined) {
      throw new CamsweepError(ERR.INVENTORY_UNKNOWN_DEVICE, `no device ${ref} in the inventory (${file}); see \`camsweep devices\``);
    }
    io.stdout(formatShow(device, format, stdoutView(io, opts.color)));
  });
}

export function runSweeps(opts: CommonFlags & { limit?: number; format?: ListFormat }, io: CliIo, problems: Problems = new Problems()): void {
  const dir = ready(opts, io, problems);
  const format = opts.format ?? (io.isTty ? 'table' : 'json');
  withInventory(dir, (inventory, file) => {
    if (inventory === null && format === 'table') io.stderr(noInventory(file));
    io.stdout(formatSweeps(inventory?.sweeps(opts.limit ?? 20) ?? [], format, stdoutView(io, opts.color)));
  });
}

export function runDiff(from: string | undefined, to: string | undefined, opts: CommonFlags & { format?: ListFormat }, io: CliIo, problems: Problems = new Problems()): void {
  const dir = ready(opts, io, problems);
  const format = opts.format ?? (io.isTty ? 'table' : 'json');
  withInventory(dir, (inventory, file) => {
    if (inventory === null) throw new CamsweepError(ERR.INVENTORY_NOT_ENOUGH_SWEEPS, noInventory(file).trimEnd());
    const diff = inventory.diffSweeps(from, to);
    io.stdout(formatDiff(diff.from, diff.to, diff.changes, format, stdoutView(io, opts.color)));
  });
}
