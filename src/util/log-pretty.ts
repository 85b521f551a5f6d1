import type { DestinationStream } from 'pino';
import { cleanText } from './text.ts';

/**
 * Log lines for a person at a terminal: `WARN  report: 1 report(s) wait in the outbox … key=value`
 * instead of pino's JSON line. Short: the level, the module, the message, and at most a few of
 * the fields, flattened (`device.ip=10.66.0.11`), each value cleaned of control characters and
 * escapes (device strings are nested in log fields) and cut. Off a terminal logs stay JSON
 * lines, for machines.
 */

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'module', 'v']);
const MAX_FIELDS = 6;

export interface PrettyOptions {
  /** Paints the level word (e.g. red for ERROR); identity when colour is off. */
  paintLevel?: (level: number, word: string) => string;
}

function flatten(value: unknown, prefix: string, out: Array<[string, string]>): void {
  if (out.length >= MAX_FIELDS) return;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix === '' ? k : `${prefix}.${k}`, out);
    return;
  }
  const text = Array.isArray(value) ? value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(',') : String(value);
  out.push([prefix, cleanText(text, 60)]);
}

/** One JSON log line as one short line for people. */
export function prettyLine(json: string, options: PrettyOptions = {}): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return `${cleanText(json, 2000)}\n`;
  }
  const level = typeof entry.level === 'number' ? entry.level : 30;
  const word = (LEVELS[level] ?? String(level)).padEnd(5);
  const paint = options.paintLevel ?? ((_l: number, w: string) => w);
  const module = typeof entry.module === 'string' ? `${cleanText(entry.module, 32)}: ` : '';
  const fields: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(entry)) if (!SKIP.has(k)) flatten(v, k, fields);
  const extra = fields.length === 0 ? '' : `  ${fields.map(([k, v]) => `${cleanText(k, 40)}=${v}`).join(' ')}`;
  return `${paint(level, word)} ${module}${cleanText(entry.msg, 400)}${extra}\n`;
}

/** A pino destination that writes each line through prettyLine. */
export function prettyDestination(write: (line: string) => void, options: PrettyOptions = {}): DestinationStream {
  return {
    write(chunk: string) {
      for (const json of chunk.split('\n')) if (json.trim() !== '') write(prettyLine(json, options));
    },
  };
}
