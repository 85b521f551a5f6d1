import type { LevelWithSilent } from 'pino';
import { createLogger, type Logger } from '../util/log.ts';
import { prettyDestination } from '../util/log-pretty.ts';
import { colorEnabled, palette, type ColorMode } from '../output/color.ts';
import type { CliIo } from './context.ts';
import type { StatusLine } from './terminal.ts';

/**
 * The logger of a command run from the CLI: JSON lines on stderr for machines (a pipe, a file,
 * journald), short readable lines on a terminal (src/util/log-pretty.ts), written above the
 * progress line when there is one.
 */
export function cliLogger(level: LevelWithSilent, io: CliIo, options: { color?: ColorMode; status?: StatusLine } = {}): Logger {
  const tty = io.stderrIsTty ?? io.isTty;
  if (!tty) return createLogger({ level });
  const colors = palette(colorEnabled(options.color, io.env, tty));
  const write = options.status === undefined ? io.stderr : (line: string) => options.status!.line(line);
  return createLogger({
    level,
    destination: prettyDestination(write, {
      paintLevel: (l, word) => (l >= 50 ? colors.status('restricted', word) : l >= 40 ? colors.status('review', word) : colors.dim(word)),
    }),
  });
}
