import type { Device, SweepResult } from '../domain/types.ts';
import { cleanText } from '../util/text.ts';
import { ipv4ToInt } from '../util/cidr.ts';
import { renderTable, type Column } from './table.ts';
import { PLAIN_VIEW, type View } from './view.ts';

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
  // Added after the first twelve (whose order scripts may rely on): the verdict behind the status.
  'pack',
  'rule',
  'reason',
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
    case 'pack':
      return d.verdict.pack ?? '';
    case 'rule':
      return d.verdict.rule ?? '';
    case 'reason':
      return d.verdict.reason;
    default: {
      const v = d[column];
      return v === null ? '' : String(v);
    }
  }
}

/**
 * One CSV cell: controls folded, a formula prefix (= + - @ tab CR) defused with a quote mark,
 * and quoted when it holds a quote, a comma, a line break or a semicolon: spreadsheets set to a
 * European locale split on `;`, and there an unquoted `Lorex;=cmd|...` would start a formula
 * cell of its own.
 */
export function csvCell(raw: string): string {
  let value = cleanText(raw, 1024);
  if (/^[=+\-@\t\r]/u.test(value)) value = `'${value}`;
  return /[",;\r\n]/u.test(value) ? `"${value.replace(/"/gu, '""')}"` : value;
}

const or = (v: string | null): string => v ?? '-';

/** The sweep's table: on an 80-column terminal PROTOCOLS, then FIRMWARE, then MAC give way. */
export function sweepColumns(view: View): Array<Column<Device>> {
  return [
    { title: 'IP', get: (d) => d.ip, max: 39 },
    { title: 'MAC', get: (d) => or(d.mac), max: 17, drop: 3 },
    { title: 'KIND', get: (d) => d.kind, max: 9 },
    { title: 'STATUS', get: (d) => d.status, max: 10, paint: (d, t) => view.color.status(d.status, t) },
    { title: 'MANUFACTURER', get: (d) => or(d.manufacturer), max: 24, min: 9 },
    { title: 'MODEL', get: (d) => or(d.model), max: 24, min: 10 },
    { title: 'FIRMWARE', get: (d) => or(d.firmware), max: 24, min: 8, drop: 2 },
    { title: 'PROTOCOLS', get: (d) => d.protocols.join(','), max: 40, min: 9, drop: 1 },
  ];
}

/** A table for people, fitted to the terminal. Every cell is cleaned of control characters and escapes. */
export function formatTable(result: SweepResult, view: View = PLAIN_VIEW): string {
  const out = renderTable(sweepColumns(view), result.devices, { ...(view.width === undefined ? {} : { width: view.width }), bold: view.color.bold });
  out.push('', sweepSummary(result, view));
  return `${out.join('\n')}\n`;
}

/**
 * `14 device(s) in 1.9 s: 10 on eth0, 4 on routed segments; 3 restricted, 1 review, 10 clear`.
 * A device counts on an interface when its address is in that interface's subnet; one that
 * answered from beyond a router (a --target range) counts as routed, not as on the interface
 * its reply came in by.
 */
export function sweepSummary(result: SweepResult, view: View = PLAIN_VIEW): string {
  const counts = { restricted: 0, review: 0, clear: 0 };
  for (const d of result.devices) counts[d.status] += 1;
  const onInterface = new Map(result.interfaces.map((i) => [i.name, 0]));
  let routed = 0;
  for (const d of result.devices) {
    const local = result.interfaces.find((i) => d.interfaces.includes(i.name) && sameSubnet(d.ip, i.address, i.netmask));
    if (local === undefined) routed += 1;
    else onInterface.set(local.name, (onInterface.get(local.name) ?? 0) + 1);
  }
  const where = [...onInterface].map(([name, n]) => `${n} on ${cleanText(name, 32)}`);
  if (routed > 0) where.push(`${routed} on routed segments`);
  if (where.length === 0) where.push('no interface');
  const seconds = (Date.parse(result.finishedAt) - Date.parse(result.startedAt)) / 1000;
  const status = (s: keyof typeof counts): string => (counts[s] > 0 ? view.color.status(s, `${counts[s]} ${s}`) : `${counts[s]} ${s}`);
  return (
    `${result.devices.length} device(s) in ${seconds.toFixed(1)} s: ${where.join(', ')}; ` +
    `${status('restricted')}, ${status('review')}, ${status('clear')}` +
    (result.errors.length > 0 ? `; ${result.errors.length} problem(s) recorded (see --format json)` : '')
  );
}

function sameSubnet(ip: string, address: string, netmask: string): boolean {
  const a = ipv4ToInt(ip);
  const b = ipv4ToInt(address);
  const m = ipv4ToInt(netmask);
  return a !== undefined && b !== undefined && m !== undefined && ((a & m) >>> 0) === ((b & m) >>> 0);
}

/** The output in pieces to write one after the other (JSON: one per device; see jsonChunks). */
export function formatChunks(result: SweepResult, format: OutputFormat, view: View = PLAIN_VIEW): Iterable<string> {
  return format === 'json' ? jsonChunks(result) : [formatResult(result, format, view)];
}

export function formatResult(result: SweepResult, format: OutputFormat, view: View = PLAIN_VIEW): string {
  switch (format) {
    case 'json':
      return formatJson(result);
    case 'csv':
      return formatCsv(result);
    case 'table':
      return formatTable(result, view);
  }
}
