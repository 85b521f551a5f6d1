import { constants } from 'node:os';
import type { Logger } from '../util/log.ts';
import { errorMessage } from '../domain/errors.ts';
import type { Clock } from './clock.ts';

/**
 * Signals, handled once and idempotently:
 *
 * - the first SIGTERM or SIGINT starts a stop (`onStop`) and arms a hard-exit timer of
 *   daemon.shutdownTimeout: if the process is still there when it fires, it exits anyway
 *   (1 when the stop did not complete, its own code when something else held the process);
 * - a second SIGTERM or SIGINT exits at once (128 + the signal's number, as a shell reports it);
 * - SIGHUP reloads the configuration (`onReload`), one reload at a time (a SIGHUP during a
 *   reload gives one more after it); ignored while stopping.
 *
 * The timer does not keep the process alive: after a clean stop the process ends as soon as
 * nothing else holds it, with the stop's code.
 */

export const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number] | 'stop';

export const EXIT_FORCED = 1;

export interface SignalSource {
  on(signal: NodeJS.Signals, handler: () => void): unknown;
  off(signal: NodeJS.Signals, handler: () => void): unknown;
}

export interface LifecycleOptions {
  signals: SignalSource;
  clock: Clock;
  log: Logger;
  exit: (code: number) => void;
  /** The bound in force (it may change on reload). */
  shutdownTimeoutMs: () => number;
  /** Stops the daemon; resolves with the exit code. */
  onStop: (signal: StopSignal) => Promise<number>;
  /** Reloads the configuration. */
  onReload: () => Promise<unknown>;
}

export interface Lifecycle {
  install(): void;
  dispose(): void;
  /** Starts a stop as a first signal would (also used by the daemon itself). */
  requestStop(signal: StopSignal): void;
  readonly stopping: boolean;
  /** Resolves with the exit code once the stop has completed. */
  readonly done: Promise<number>;
}

export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

export function createLifecycle(options: LifecycleOptions): Lifecycle {
  const log = options.log.child({ module: 'daemon' });
  let stopping = false;
  let stopCode: number | null = null;
  let installed = false;
  let reloading: Promise<void> | null = null;
  let reloadAgain = false;
  let resolveDone: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => {
    resolveDone = resolve;
  });

  const requestStop = (signal: StopSignal): void => {
    if (stopping) return;
    stopping = true;
    const bound = options.shutdownTimeoutMs();
    log.info({ signal, shutdownTimeoutMs: bound }, 'stopping: no new sweeps; finishing the running one and flushing the outbox');
    options.clock.setTimer(
      () => {
        if (stopCode === null) {
          log.error({ shutdownTimeoutMs: bound }, 'the stop took longer than daemon.shutdownTimeout: exiting now');
          options.exit(EXIT_FORCED);
        } else {
          log.warn({ shutdownTimeoutMs: bound }, 'stopped, but something still holds the process: exiting now');
          options.exit(stopCode);
        }
      },
      bound,
      { unref: true },
    );
    options
      .onStop(signal)
      .catch((err: unknown) => {
        log.error({ error: { message: errorMessage(err) } }, 'the stop failed');
        return EXIT_FORCED;
      })
      .then((code) => {
        stopCode = code;
        resolveDone(code);
      });
  };

  const onStopSignal = (signal: NodeJS.Signals) => (): void => {
    if (!stopping) {
      requestStop(signal as StopSignal);
      return;
    }
    log.warn({ signal }, 'second signal: exiting at once');
    options.exit(signalExitCode(signal));
  };
  const handlers = new Map<NodeJS.Signals, () => void>(STOP_SIGNALS.map((s) => [s, onStopSignal(s)]));

  const reload = (): void => {
    if (stopping) {
      log.info('SIGHUP while stopping: ignored');
      return;
    }
    if (reloading !== null) {
      reloadAgain = true;
      return;
    }
    reloading = (async () => {
      do {
        reloadAgain = false;
        try {
          await options.onReload();
        } catch (err) {
          log.error({ error: { message: errorMessage(err) } }, 'reload failed');
        }
      } while (reloadAgain && !stopping);
    })().finally(() => {
      reloading = null;
    });
  };
  handlers.set('SIGHUP', reload);

  return {
    install() {
      if (installed) return;
      installed = true;
      for (const [signal, handler] of handlers) options.signals.on(signal, handler);
    },
    dispose() {
      if (!installed) return;
      installed = false;
      for (const [signal, handler] of handlers) options.signals.off(signal, handler);
    },
    requestStop,
    get stopping() {
      return stopping;
    },
    done,
  };
}
