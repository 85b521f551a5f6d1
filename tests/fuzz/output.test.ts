/**
 * Output sanitising, for devices whose every string is hostile: the table holds no control
 * character but line feeds and no escape; every CSV cell is text a spreadsheet will not run
 * as a formula, and the CSV parses back (RFC 4180) to one row per device of every column;
 * the JSON document always parses back to the input, with no raw C1, bidi or separator
 * character in it.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { Device, DeviceKind, DeviceStatus, Evidence, SweepResult } from '../../src/domain/types.ts';
import { PROTOCOLS } from '../../src/domain/types.ts';
import { CSV_COLUMNS, formatCsv, formatJson, formatTable } from '../../src/output/format.ts';
import { check, noThrow } from './shared/bounds.ts';
import { inputFloorCase } from './shared/family.ts';
import { CASE_TIMEOUT_MS, fuzz, Tally } from './shared/run.ts';
import { hostileString } from './shared/text-gen.ts';

const FUNCTIONS = ['formatTable', 'formatCsv', 'formatJson'] as const;
const tally = new Tally();

/**
 * Strings a device could have put anywhere: hostile ones, formula starters, quotes and
 * separators. At most 3000 characters (past every cap the formats apply; the 70 KB tokens
 * would only make the run slow).
 */
const shortHostile = hostileString.map((s) => s.slice(0, 3000));
const text = fc.oneof(
  { weight: 4, arbitrary: shortHostile },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('=', '+', '-', '@', '\t', '\r', ' =', '\u202e=', '\u0000+', '"', ',', '\n'), shortHostile).map(([a, b]) => `${a}${b}`) },
  { weight: 1, arbitrary: fc.constantFrom('=HYPERLINK("http://x","y")', '=1+2', '@SUM(A1:A9)', '-2+3', '+cmd|" /C calc"!A0', '"a,b"\r\n"c"') },
);
const nullable = fc.option(text, { nil: null });
const kinds: DeviceKind[] = ['camera', 'recorder', 'intercom', 'printer', 'media', 'network', 'computer', 'other'];
const statuses: DeviceStatus[] = ['restricted', 'review', 'clear'];

const evidenceItem: fc.Arbitrary<Evidence> = fc.record({ protocol: fc.constantFrom(...PROTOCOLS), field: text, value: text });

const device: fc.Arbitrary<Device> = fc
  .record({
    ip: text,
    addresses: fc.array(text, { maxLength: 3 }),
    mac: nullable,
    manufacturer: nullable,
    brand: nullable,
    model: nullable,
    firmware: nullable,
    serial: nullable,
    kind: fc.constantFrom(...kinds),
    status: fc.constantFrom(...statuses),
    confidence: fc.double({ min: 0, max: 1, noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
    protocols: fc.uniqueArray(fc.constantFrom(...PROTOCOLS), { maxLength: 5 }),
    interfaces: fc.array(text, { maxLength: 2 }),
    identifiers: fc.record({ epr: text, udn: text, serial: text, hostname: text }, { requiredKeys: [] }),
    evidence: fc.array(evidenceItem, { maxLength: 4 }),
    verdict: fc.record({ status: fc.constantFrom(...statuses), reason: text }),
  })
  .map((d): Device => d);

const sweepResult: fc.Arbitrary<SweepResult> = fc.record({
  schema: fc.constant('camsweep.sweep/v1' as const),
  id: text,
  startedAt: fc.constant('2026-11-26T10:00:00.000Z'),
  finishedAt: fc.constantFrom('2026-11-26T10:00:03.250Z', 'not a date', '2026-11-26T09:00:00.000Z'),
  interfaces: fc.array(fc.record({ name: text, address: text, netmask: text, mac: nullable }), { maxLength: 2 }),
  devices: fc.array(device, { maxLength: 6 }),
  errors: fc.array(fc.record({ code: text, message: text }), { maxLength: 3 }),
});

// eslint-disable-next-line no-control-regex -- the point: which characters may reach a terminal
const TABLE_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/u;
// eslint-disable-next-line no-control-regex -- CSV: only the CRLF row separators
const CSV_UNSAFE = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/u;
// JSON: C0 is escaped by JSON.stringify itself; nothing else that steers a terminal either.
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/u;

/** A strict RFC 4180 reader: CRLF rows, quoted fields with "" escapes; throws on anything else. */
function parseCsv(csv: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  for (;;) {
    let cell = '';
    if (csv[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= csv.length) throw new Error('unterminated quoted field');
        if (csv[i] === '"') {
          if (csv[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        cell += csv[i];
        i += 1;
      }
    } else {
      while (i < csv.length && csv[i] !== ',' && csv[i] !== '\r' && csv[i] !== '\n') {
        if (csv[i] === '"') throw new Error(`quote inside an unquoted field at ${i}`);
        cell += csv[i];
        i += 1;
      }
    }
    row.push(cell);
    if (csv[i] === ',') {
      i += 1;
      continue;
    }
    if (csv.startsWith('\r\n', i)) {
      rows.push(row);
      row = [];
      i += 2;
      if (i === csv.length) return rows;
      continue;
    }
    throw new Error(`expected "," or CRLF at ${i}, found ${JSON.stringify(csv.slice(i, i + 10))}`);
  }
}

function table(r: SweepResult): void {
  const out = tally.time('formatTable', () => noThrow(() => formatTable(r), 'formatTable'));
  const bad = TABLE_UNSAFE.exec(out);
  check(bad === null, () => `table holds U+${bad![0].codePointAt(0)!.toString(16).padStart(4, '0')}`);
  check(out.endsWith('\n') && out.split('\n').length === r.devices.length + 4, () => `table has ${out.split('\n').length} lines for ${r.devices.length} devices`);
}

function csv(r: SweepResult): void {
  const out = tally.time('formatCsv', () => noThrow(() => formatCsv(r), 'formatCsv'));
  const bad = CSV_UNSAFE.exec(out);
  check(bad === null, () => `CSV holds U+${bad![0].codePointAt(0)!.toString(16).padStart(4, '0')}`);
  const rows = parseCsv(out);
  check(rows.length === r.devices.length + 1, () => `${rows.length} CSV rows for ${r.devices.length} devices`);
  check(rows[0]!.join(',') === CSV_COLUMNS.join(','), () => `CSV header ${rows[0]!.join(',')}`);
  for (const row of rows) {
    check(row.length === CSV_COLUMNS.length, () => `a CSV row of ${row.length} cells`);
    for (const cell of row) check(!/^[=+\-@\t\r]/u.test(cell), () => `CSV cell a spreadsheet would run: ${JSON.stringify(cell.slice(0, 60))}`);
  }
}

function json(r: SweepResult): void {
  const out = tally.time('formatJson', () => noThrow(() => formatJson(r), 'formatJson'));
  const bad = JSON_UNSAFE.exec(out);
  check(bad === null, () => `JSON holds a raw U+${bad![0].codePointAt(0)!.toString(16).padStart(4, '0')}`);
  // The document is the result itself: nothing lost, nothing changed, whatever it held.
  const same = JSON.stringify(JSON.parse(out)) === JSON.stringify(r);
  check(same, () => 'the JSON document does not parse back to the result');
}

describe('fuzz: output formats', { timeout: CASE_TIMEOUT_MS }, () => {
  // One generated result through all three formats (generating it is most of the cost).
  it('prints a table without control, escape or bidi characters; CSV whose cells are never formulas and which parses back to one row per device; JSON that parses back to the result with no raw C1, bidi or separator character', () => {
    fuzz('output formats', sweepResult, (r) => {
      table(r);
      csv(r);
      json(r);
    }, 10_000);
  });

  inputFloorCase(tally, FUNCTIONS, 'output');
});
