import type { Device, SweepResult } from '../domain/types.ts';
import { cleanText } from '../util/text.ts';

export type OutputFormat = 'table' | 'json' | 'csv';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'csv'];

/**
 * Characters JSON.stringify leaves raw that still steer a terminal: DEL and C1 (U+009B is CSI),
 * bidi controls, zero-width characters, line/paragraph separators and the BOM.
 */
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/gu;

/**
 * The sweep document, as documented by schemas/sweep.v1.schema.json. Always valid JSON, safe
 * to print: the characters above can only sit inside string literals, where a \u escape is
 * the same character, so the document parses back to exactly the result.
 */
export function formatJson(result: SweepResult): string {
  return [...jsonChunks(result)].join('');
}

export const escapeUnsafe = (json: string): string => json.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** `JSON.stringify(value, null, 2)` for a value nested `depth` levels deep (its lines indented). */
const nested = (value: unknown, depth: number): string => (JSON.stringify(value, null, 2) ?? 'null').replaceAll('\n', `\n${'  '.repeat(depth)}`);

/**
 * The same document as formatJson, byte for byte (`JSON.stringify(result, null, 2)` and a
 * newline), in pieces: the top-level fields, then each element of each array field on its own,
 * so printing a sweep of thousands of devices never builds the whole text at once. (A JSON
 * string cannot hold a raw newline, so re-indenting at each newline touches only layout.)
 */
export function* jsonChunks(result: SweepResult): Generator<string> {
  const entries = Object.entries(result).filter(([, value]) => value !== undefined && typeof value !== 'function');
  if (entries.length === 0) {
    yield '{}\n';
    return;
  }
  yield '{\n';
  for (const [i, [key, value]] of entries.entries()) {
    const comma = i < entries.length - 1 ? ',' : '';
    if (Array.isArray(value) && value.length > 0) {
      yield `  ${JSON.stringify(key)}: [\n`;
      for (const [j, item] of value.entries()) yield `    ${escapeUnsafe(nested(item, 2))}${j < value.length - 1 ? ',' : ''}\n`;
      yield `  ]${comma}\n`;
    } else {
      yield `  ${JSON.stringify(key)}: ${escapeUnsafe(nested(value, 1))}${comma}\n`;
    }
  }
  yield '}\n';
}

/** One device as the sweep document prints it (schemas/sweep.v1.schema.json `device`), safe to print. */
export function formatDeviceJson(device: Device): string {
  return `${escapeUnsafe(JSON.stringify(device, null, 2))}\n`;
}

export const CSV_COLUMNS = [
  'ip',
  'mac',
  'manufacturer',
  'brand',
  'model',
  'firmware',
  'serial',
  'kind',
  'status',
  'confidence',
  'protocols',
  'interfaces',
] as const;

/**
 * RFC 4180 CSV, one row per device. A cell that a spreadsheet would run as a formula
 * (starting with = + - @, tab or CR) is prefixed with a quote so it stays text.
 */
export function formatCsv(result: SweepResult): string {
  const rows = [CSV_COLUMNS.join(',')];
  for (const d of result.devices) {
    rows.push(CSV_COLUMNS.map((c) => csvCell(deviceCell(d, c))).join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}

function deviceCell(d: Device, column: (typeof CSV_COLUMNS)[number]): string {
  switch (column) {
    case 'protocols':
      return d.protocols.join(';');
    case 'interfaces':
      return d.interfaces.join(';');
    case 'confidence':
      return d.confidence.toFixed(2);
    default: {
      const v = d[column];
      return v === null ? '' : String(v);
    }
  }
}

export function csvCell(raw: string): string {
  let value = cleanText(raw, 1024);
  if (/^[=+\-@\t\r]/u.test(value)) value = `'${value}`;
  return /[",\r\n]/u.test(value) ? `"${value.replace(/"/gu, '""')}"` : value;
}

const TABLE_COLUMNS: Array<{ title: string; get: (d: Device) => string; max: number }> = [
  { title: 'IP', get: (d) => d.ip, max: 39 },
  { title: 'MAC', get: (d) => d.mac ?? '-', max: 17 },
  { title: 'KIND', get: (d) => d.kind, max: 9 },
  { title: 'STATUS', get: (d) => d.status, max: 10 },
  { title: 'MANUFACTURER', get: (d) => d.manufacturer ?? '-', max: 24 },
  { title: 'MODEL', get: (d) => d.model ?? '-', max: 24 },
  { title: 'FIRMWARE', get: (d) => d.firmware ?? '-', max: 24 },
  { title: 'PROTOCOLS', get: (d) => d.protocols.join(','), max: 40 },
];

/** A plain-text table for people. Every cell is cleaned of control characters and escapes. */
export function formatTable(result: SweepResult): string {
  const cells = result.devices.map((d) => TABLE_COLUMNS.map((c) => cleanText(c.get(d), c.max)));
  const widths = TABLE_COLUMNS.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: string[]): string => row.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(TABLE_COLUMNS.map((c) => c.title)), ...cells.map(line)];
  const counts = { restricted: 0, review: 0, clear: 0 };
  for (const d of result.devices) counts[d.status] += 1;
  const seconds = (Date.parse(result.finishedAt) - Date.parse(result.startedAt)) / 1000;
  out.push('');
  out.push(
    `${result.devices.length} device(s) on ${result.interfaces.map((i) => cleanText(i.name)).join(', ') || 'no interface'} ` +
      `in ${seconds.toFixed(1)} s: ${counts.restricted} restricted, ${counts.review} review, ${counts.clear} clear` +
      (result.errors.length > 0 ? `; ${result.errors.length} problem(s) recorded (see --format json)` : ''),
  );
  return `${out.join('\n')}\n`;
}

/** The output in pieces to write one after the other (JSON: one per device; see jsonChunks). */
export function formatChunks(result: SweepResult, format: OutputFormat): Iterable<string> {
  return format === 'json' ? jsonChunks(result) : [formatResult(result, format)];
}

export function formatResult(result: SweepResult, format: OutputFormat): string {
  switch (format) {
    case 'json':
      return formatJson(result);
    case 'csv':
      return formatCsv(result);
    case 'table':
      return formatTable(result);
  }
}
