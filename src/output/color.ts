import { styleText } from 'node:util';
import type { DeviceStatus } from '../domain/types.ts';

/**
 * Colour on the terminal: by status (restricted red, review yellow, clear green) and little
 * else. Decided once per run from `--color auto|always|never` and the environment:
 *
 *   never / always       as said (the flag beats the environment);
 *   auto (the default)   FORCE_COLOR set: on, unless it is 0 or false (as Node and most
 *                        tools read it, FORCE_COLOR wins over NO_COLOR); else NO_COLOR set and
 *                        not empty: off (no-color.org); else on when the stream is a terminal
 *                        and TERM is not `dumb`.
 *
 * The codes are added after every device string was cleaned (src/util/text.ts), so a device
 * can never bring its own escapes; the table measures width without them.
 */

export type ColorMode = 'auto' | 'always' | 'never';

export function colorEnabled(mode: ColorMode | undefined, env: NodeJS.ProcessEnv, isTty: boolean): boolean {
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.trim().toLowerCase());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTty && env.TERM !== 'dumb';
}

export interface Palette {
  readonly enabled: boolean;
  status(status: DeviceStatus, text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

const STATUS_STYLE: Record<DeviceStatus, Parameters<typeof styleText>[0]> = {
  restricted: ['bold', 'red'],
  review: ['bold', 'yellow'],
  clear: 'green',
};

const paint = (format: Parameters<typeof styleText>[0], text: string): string => (text === '' ? text : styleText(format, text, { validateStream: false }));

export const PLAIN: Palette = { enabled: false, status: (_s, t) => t, bold: (t) => t, dim: (t) => t };

export const COLORS: Palette = {
  enabled: true,
  status: (s, t) => paint(STATUS_STYLE[s], t),
  bold: (t) => paint('bold', t),
  dim: (t) => paint('dim', t),
};

export const palette = (enabled: boolean): Palette => (enabled ? COLORS : PLAIN);
