import { existsSync, readFileSync } from 'node:fs';
import type { LevelWithSilent } from 'pino';
import { unknownVariableProblems } from '../../config/env.ts';
import { cliLogger } from '../log.ts';
import { formatReceivedEventsJson, formatReceivedEventsTable, formatReceivedJson, formatReceivedTable } from '../../report/format.ts';
import { openReceiverStore, receiverPath } from '../../report/receiver/store.ts';
import { resolveReceiverSettings, type ReceiverFlags } from '../../report/receiver/settings.ts';
import { formatDeviceStatesJson, formatDeviceStatesTable } from '../../central/format.ts';
import { startService } from '../../central/service.ts';
import { openCentralStore, storeLocation, type StoreLocation } from '../../central/store/open.ts';
import type { CentralStore } from '../../central/store/store.ts';
import type { DeviceSummary } from '../../central/types.ts';
import { EXIT, type CliIo } from '../context.ts';
import { stdoutView } from '../../output/view.ts';
import type { ColorMode } from '../../output/color.ts';
import { Problems } from '../problems.ts';
import { serveUntilSignal } from './serve.ts';

/**
 * `camsweep receive`: the central service (src/central/) with the reference receiver's
 * options, or --list of what it holds: every device's latest state (--reports: one row per
 * device report key; --events: the daemons' change events).
 */

const read = (p: string): string => readFileSync(p, 'utf8');

export type ReceiveOpts = ReceiverFlags & {
  database?: string;
  list?: boolean;
  events?: boolean;
  reports?: boolean;
  format?: 'table' | 'json';
  logLevel?: LevelWithSilent;
  color?: ColorMode;
};

/** Every device's latest state, page by page (no limit: the whole estate). */
async function allDevices(store: CentralStore): Promise<DeviceSummary[]> {
  const out: DeviceSummary[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await store.listDevicePage({ limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
    out.push(...page.devices);
    if (page.nextCursor === null) return out;
    cursor = page.nextCursor;
  }
}

export async function runReceiver(opts: ReceiveOpts, io: CliIo, problems: Problems = new Problems()): Promise<number> {
  const settings = problems.check(() => resolveReceiverSettings(opts, io.env, read));
  problems.add(...unknownVariableProblems(io.env));
  const location = problems.check(() => storeLocation({ database: opts.database, dataDir: settings?.dataDir ?? '.' }, io.env));
  if (opts.list === true && opts.listen !== undefined) problems.add('--list and --listen do not go together');
  if (opts.list !== true && (opts.events === true || opts.reports === true)) problems.add('--events and --reports go with --list');
  if (opts.events === true && opts.reports === true) problems.add('--events and --reports: one or the other');
  if ((opts.events === true || opts.reports === true) && location?.kind === 'postgres') problems.add('--events and --reports list the embedded store (--data-dir); the API lists a PostgreSQL store');
  if (opts.list !== true && opts.listen === undefined) problems.add('give --listen HOST:PORT to receive reports, or --list to show what was received');
  problems.throwIfAny();
  const s = settings!;
  const loc: StoreLocation = location!;
  if (opts.list === true) {
    const format = opts.format ?? (io.isTty ? 'table' : 'json');
    const view = stdoutView(io, opts.color);
    const file = receiverPath(s.dataDir);
    if (opts.events === true || opts.reports === true) {
      const store = existsSync(file) ? openReceiverStore(s.dataDir) : undefined;
      try {
        if (opts.events === true) {
          const events = store?.listEvents() ?? [];
          io.stdout(format === 'json' ? formatReceivedEventsJson(events) : formatReceivedEventsTable(events, file, view));
        } else {
          const devices = store?.listDevices() ?? [];
          const counts = store?.counts() ?? { requests: 0, deviceReceipts: 0, devices: 0, sweeps: 0 };
          io.stdout(format === 'json' ? formatReceivedJson(devices, counts) : formatReceivedTable(devices, counts, file, view));
        }
      } finally {
        await store?.close();
      }
      return EXIT.ok;
    }
    if (loc.kind === 'embedded' && !existsSync(file)) {
      const none = { requests: 0, deviceReceipts: 0, devices: 0, sweeps: 0 };
      io.stdout(format === 'json' ? formatDeviceStatesJson([], none) : formatDeviceStatesTable([], none, file));
      return EXIT.ok;
    }
    const store = await openCentralStore(loc);
    try {
      const devices = await allDevices(store);
      const stats = await store.stats();
      const counts = { requests: stats.requests, deviceReceipts: stats.deviceReceipts, devices: stats.devices, sweeps: stats.sweeps };
      io.stdout(format === 'json' ? formatDeviceStatesJson(devices, counts) : formatDeviceStatesTable(devices, counts, store.location));
    } finally {
      await store.close();
    }
    return EXIT.ok;
  }
  const log = cliLogger(opts.logLevel ?? 'info', io);
  const service = await startService({
    location: loc,
    listen: { host: s.listen!.host, port: s.listen!.port, ...(s.tls === null ? {} : { tls: s.tls }) },
    sharedToken: s.token,
    allowAnonymous: s.token === null,
    hmacSecret: s.hmacSecret,
    maxBodyBytes: s.maxBodyBytes,
    log,
  });
  if (s.token === null) log.warn('no token: any client that reaches this port can store reports (--allow-anonymous)');
  await serveUntilSignal(service, io, 'camsweep receive');
  return EXIT.ok;
}
