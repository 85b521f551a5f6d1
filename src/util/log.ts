import { pino, type Logger, type DestinationStream, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino blanks before a line is written. Credentials never reach a log, whatever
 * object they are nested in (two levels deep covers `{ config: { report: { token } } }`).
 */
export const REDACT_PATHS = [
  'password',
  'token',
  'secret',
  'authorization',
  '*.password',
  '*.token',
  '*.secret',
  '*.authorization',
  '*.*.password',
  '*.*.token',
  '*.*.secret',
  '*.headers.authorization',
  '*.headers.Authorization',
];

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Where lines go; stderr by default so stdout stays machine-readable. */
  destination?: DestinationStream;
}

/**
 * The root logger. Modules take `log.child({ module: 'ssdp' })`; values that come from the
 * network are always nested under their own key (`{ device: { ip, server } }`), never spread
 * into bindings, so a hostile device cannot forge a log field.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: 'camsweep',
      level: options.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
    },
    options.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}

/** A logger that drops everything (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
