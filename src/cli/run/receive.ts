import { existsSync, readFileSync } from 'node:fs';
import type { LevelWithSilent } from 'pino';
import { UsageError } from '../../domain/errors.ts';
import { unknownVariableProblems } from '../../config/env.ts';
import { cliLogger } from '../log.ts';
import { formatReceivedEventsJson, formatReceivedEventsTable, formatReceivedJson, formatReceivedTable } from '../../report/format.ts';
import { openReceiverStore, receiverPath } from '../../report/receiver/store.ts';
import { startReceiver } from '../../report/receiver/server.ts';
import { resolveReceiverSettings, type ReceiverFlags } from '../../report/receiver/settings.ts';
import { EXIT, type CliIo } from '../context.ts';
import { stdoutView } from '../../output/view.ts';
import type { ColorMode } from '../../output/color.ts';
import { Problems } from '../problems.ts';

/** `camsweep receive`: the reference endpoint, or --list of what it received. */

const read = (p: string): string => readFileSync(p, 'utf8');

export type ReceiveOpts = ReceiverFlags & { list?: boolean; events?: boolean; format?: 'table' | 'json'; logLevel?: LevelWithSilent; color?: ColorMode };

export async function runReceiver(opts: ReceiveOpts, io: CliIo, problems: Problems = new Problems()): Promise<number> {
  const settings = problems.check(() => resolveReceiverSettings(opts, io.env, read));
  problems.add(...unknownVariableProblems(io.env));
  if (opts.list === true && opts.listen !== undefined) problems.add('--list and --listen do not go together');
  if (opts.list !== true && opts.events === true) problems.add('--events goes with --list');
  if (opts.list !== true && opts.listen === undefined) problems.add('give --listen HOST:PORT to receive reports, or --list to show what was received');
  problems.throwIfAny();
  const s = settings!;
  if (opts.list === true) {
    const format = opts.format ?? (io.isTty ? 'table' : 'json');
    const view = stdoutView(io, opts.color);
    if (opts.events === true) {
      const events = existsSync(receiverPath(s.dataDir)) ? readEvents(s.dataDir) : [];
      io.stdout(format === 'json' ? formatReceivedEventsJson(events) : formatReceivedEventsTable(events, receiverPath(s.dataDir), view));
      return EXIT.ok;
    }
    if (!existsSync(receiverPath(s.dataDir))) {
      const none = { requests: 0, deviceReceipts: 0, devices: 0, sweeps: 0 };
      io.stdout(format === 'json' ? formatReceivedJson([], none) : formatReceivedTable([], none, receiverPath(s.dataDir), view));
      return EXIT.ok;
    }
    const store = openReceiverStore(s.dataDir, { readOnly: true });
    try {
      const devices = store.listDevices();
      io.stdout(format === 'json' ? formatReceivedJson(devices, store.counts()) : formatReceivedTable(devices, store.counts(), store.file, view));
    } finally {
      store.close();
    }
    return EXIT.ok;
  }
  if (s.listen === null) throw new UsageError('give --listen HOST:PORT to receive reports, or --list to show what was received');
  const log = cliLogger(opts.logLevel ?? 'info', io);
  const store = openReceiverStore(s.dataDir);
  try {
    const running = await startReceiver(
      { host: s.listen.host, port: s.listen.port, ...(s.tls === null ? {} : { tls: s.tls }) },
      { store, token: s.token, hmacSecret: s.hmacSecret, maxBodyBytes: s.maxBodyBytes, log },
    );
    io.stdout(`camsweep receive: listening on ${running.url} (data in ${store.file})\n`);
    if (s.token === null) log.warn('no token: any client that reaches this port can store reports (--allow-anonymous)');
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void running.close().then(resolve);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return EXIT.ok;
  } finally {
    store.close();
  }
}

function readEvents(dataDir: string): ReturnType<ReturnType<typeof openReceiverStore>['listEvents']> {
  const store = openReceiverStore(dataDir, { readOnly: true });
  try {
    return store.listEvents();
  } finally {
    store.close();
  }
}

