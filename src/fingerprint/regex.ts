/**
 * Regex sanity for fingerprint patterns. Patterns run on hostile input, so the database
 * refuses the constructs that make a backtracking engine slow:
 *
 * - a repeated group (`*`, `+`, `{n,}`, `{n,m}` with m > 1, `{n}` with n > 1) whose body
 *   holds a quantifier or an alternation: `(a+)+`, `(?:a|ab)*`, `(?:-\w+)*` (write `[\w-]*`);
 * - backreferences (`\1`, `\k<name>`);
 * - patterns longer than MAX_PATTERN_LENGTH, and patterns that match the empty string (they
 *   match every value).
 *
 * selfcheck.ts also times every pattern against long adversarial strings.
 */
import { MAX_PATTERN_LENGTH } from './schema.ts';

export interface PatternAnalysis {
  problems: string[];
  /** Named capture groups, in order. */
  groupNames: string[];
}

interface Frame {
  complex: boolean;
}

/** Reads a `{n}`, `{n,}` or `{n,m}` quantifier at `i`; undefined if the brace is not one. */
function braceQuantifier(pattern: string, i: number): { end: number; min: number; max: number } | undefined {
  const m = /^\{(\d{1,4})(,(\d{0,4}))?\}/u.exec(pattern.slice(i, i + 12));
  if (!m) return undefined;
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
  return { end: i + m[0].length, min, max };
}

/** Static checks on a pattern's source (it need not compile: compile errors are reported apart). */
export function analysePattern(pattern: string): PatternAnalysis {
  const problems: string[] = [];
  const groupNames: string[] = [];
  if (pattern.length > MAX_PATTERN_LENGTH) problems.push(`pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
  const stack: Frame[] = [{ complex: false }];
  /** The atom a following quantifier applies to: a closed group (complex or not) or a simple atom. */
  let last: 'none' | 'simple' | 'group' | 'complex-group' = 'none';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    const top = stack[stack.length - 1]!;
    if (c === '\\') {
      const n = pattern[i + 1] ?? '';
      if (/[1-9]/u.test(n) || (n === 'k' && pattern[i + 2] === '<')) problems.push('backreferences are not allowed');
      if ((n === 'u' || n === 'p' || n === 'P') && pattern[i + 2] === '{') {
        const close = pattern.indexOf('}', i + 3);
        i = close < 0 ? pattern.length : close + 1;
      } else {
        i += 2;
      }
      last = 'simple';
      continue;
    }
    if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j += 1;
      if (pattern[j] === ']') j += 1;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      i = j + 1;
      last = 'simple';
      continue;
    }
    if (c === '(') {
      const name = /^\(\?<([A-Za-z_$][\w$]*)>/u.exec(pattern.slice(i, i + 40));
      if (name) groupNames.push(name[1]!);
      stack.push({ complex: false });
      const prefix = /^\((?:\?(?:[:=!]|<[=!]|<[A-Za-z_$][\w$]*>))?/u.exec(pattern.slice(i, i + 40));
      i += prefix ? prefix[0].length : 1;
      last = 'none';
      continue;
    }
    if (c === ')') {
      const frame = stack.length > 1 ? stack.pop()! : top;
      const parent = stack[stack.length - 1]!;
      if (frame.complex) parent.complex = true;
      last = frame.complex ? 'complex-group' : 'group';
      i += 1;
      continue;
    }
    if (c === '|') {
      top.complex = true;
      last = 'none';
      i += 1;
      continue;
    }
    let repeating: boolean | undefined;
    let end = i + 1;
    if (c === '*' || c === '+') repeating = true;
    else if (c === '?') repeating = false;
    else if (c === '{') {
      const q = braceQuantifier(pattern, i);
      if (q) {
        repeating = q.max > 1;
        end = q.end;
      }
    }
    if (repeating !== undefined) {
      if (repeating && last === 'complex-group') {
        problems.push(`a repeated group contains a quantifier or alternation near "${pattern.slice(Math.max(0, i - 20), end)}" (catastrophic backtracking risk)`);
      }
      top.complex = true;
      if (pattern[end] === '?') end += 1; // lazy
      i = end;
      last = 'none';
      continue;
    }
    last = 'simple';
    i += 1;
  }
  return { problems: [...new Set(problems)], groupNames };
}

/** The compiled pattern (always with the `u` flag), or the engine's error message. */
export function compilePattern(pattern: string, flags: string | undefined): RegExp | string {
  try {
    return new RegExp(pattern, `${flags ?? ''}u`);
  } catch (err) {
    return (err as Error).message;
  }
}

/** `$<name>` references in a claim template. */
export function templateRefs(template: string): string[] {
  return [...template.matchAll(/\$<([A-Za-z_$][\w$]*)>/gu)].map((m) => m[1]!);
}

/** A claim template filled from a match; undefined when a referenced group did not take part. */
export function fillTemplate(template: string, groups: Readonly<Record<string, string | undefined>> | undefined): string | undefined {
  let missing = false;
  const out = template.replace(/\$<([A-Za-z_$][\w$]*)>/gu, (_all, name: string) => {
    const v = groups?.[name];
    if (v === undefined || v.trim() === '') {
      missing = true;
      return '';
    }
    return v.trim();
  });
  return missing ? undefined : out.trim();
}
