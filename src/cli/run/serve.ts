import type { RunningService } from '../../central/service.ts';
import type { CliIo } from '../context.ts';

/** Runs the central service until SIGINT/SIGTERM; prints one line with the URL and the store. */
export async function serveUntilSignal(service: RunningService, io: CliIo, label: string): Promise<void> {
  io.stdout(`${label}: listening on ${service.url} (store: ${service.store.location})\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void service.close().then(resolve, resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
