import { Option } from 'commander';
import type { Problems } from './problems.ts';
import type { ColorMode } from '../output/color.ts';

/**
 * Option-argument parsers that record a bad value as a problem instead of throwing, so one run
 * reports every bad flag with the configuration's and the environment's problems (commander's
 * own parsers and `.choices()` stop at the first). Kept free of heavy imports: the command
 * definitions load them for `--help`.
 */

export interface NumberRule {
  min: number;
  max: number;
  integer?: boolean;
  /** What the number counts, for the message: "seconds", "datagrams per second". */
  unit?: string;
}

export function numberFlag(problems: Problems, flag: string, rule: NumberRule): (value: string) => number | undefined {
  return (value) => {
    const n = Number(value);
    const ok = value.trim() !== '' && Number.isFinite(n) && n >= rule.min && n <= rule.max && (rule.integer !== true || Number.isInteger(n));
    if (ok) return n;
    const what = rule.integer === true ? 'a whole number' : `a number${rule.unit === undefined ? '' : ` of ${rule.unit}`}`;
    problems.add(`${flag} must be ${what} from ${rule.min} to ${rule.max} (got ${value})`);
    return undefined;
  };
}

/** One value of a fixed set; `(choices: ...)` is added to the help text as commander would. */
export function choiceOption<T extends string>(problems: Problems, flags: string, description: string, choices: readonly T[]): Option {
  const flag = flags.split(/[ ,]+/u).find((f) => f.startsWith('--')) ?? flags;
  return new Option(flags, `${description} (choices: ${choices.join(', ')})`).argParser((value: string): T | undefined => {
    if ((choices as readonly string[]).includes(value)) return value as T;
    problems.add(`${flag} must be one of ${choices.join(', ')} (got ${value})`);
    return undefined;
  });
}

/** Repeatable and comma-separated values of a fixed set, case-insensitive, without repeats. */
export function choiceList<T extends string>(problems: Problems, flag: string, allowed: readonly T[]) {
  return (value: string, previous: T[] | undefined): T[] => {
    const out = [...(previous ?? [])];
    for (const part of value.split(',')) {
      const v = part.trim().toLowerCase();
      if (!(allowed as readonly string[]).includes(v)) {
        problems.add(`${flag} must be one of ${allowed.join(', ')} (got ${part.trim()})`);
        continue;
      }
      if (!out.includes(v as T)) out.push(v as T);
    }
    return out;
  };
}

/** A value checked by `test`; a bad one is recorded with `message` and the value dropped. */
export function checkedFlag<T>(problems: Problems, parse: (value: string) => T | undefined, message: (value: string) => string): (value: string) => T | undefined {
  return (value) => {
    const v = parse(value);
    if (v === undefined) problems.add(message(value));
    return v;
  };
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

export const COLOR_MODES: readonly ColorMode[] = ['auto', 'always', 'never'];

/** `--color auto|always|never` (src/output/color.ts says how auto decides: NO_COLOR, FORCE_COLOR, a terminal). */
export const colorOption = (problems: Problems): Option =>
  choiceOption<ColorMode>(problems, '--color <when>', 'colour the status on the terminal (default: auto; NO_COLOR and FORCE_COLOR are honoured)', COLOR_MODES);
