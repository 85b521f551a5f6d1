import { csvCell } from '../output/format.ts';
import { renderTable, type Column } from '../output/table.ts';
import { PLAIN_VIEW, type View } from '../output/view.ts';
import { cleanText } from '../util/text.ts';
import type { ChangeEvent, InventoryDevice, SweepSummary } from './types.ts';

/**
 * Output of `camsweep devices`, `sweeps` and `diff`: a table for people (every cell cleaned of
 * control characters, so a hostile device name cannot drive the terminal), JSON for scripts
 * (always one valid document) and CSV for spreadsheets (cells that would run as formulas are
 * neutralised by csvCell).
 */

export type ListFormat = 'table' | 'json' | 'csv';
export const LIST_FORMATS: readonly ListFormat[] = ['table', 'json', 'csv'];

const time = (iso: string): string => iso.replace(/\.\d{3}Z$/u, 'Z');

const table = <T>(columns: ReadonlyArray<Column<T>>, rows: readonly T[], view: View): string[] =>
  renderTable(columns, rows, { ...(view.width === undefined ? {} : { width: view.width }), bold: view.color.bold });

/** CSV columns: header name and cell. */
type CsvColumns<T> = ReadonlyArray<readonly [string, (row: T) => string]>;

function csv<T>(columns: CsvColumns<T>, rows: readonly T[]): string {
  const lines = [columns.map(([title]) => title).join(','), ...rows.map((r) => columns.map(([, get]) => csvCell(get(r))).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** On an 80-column terminal BRAND, SWEEPS, MAC, then LAST SEEN give way. */
const deviceTable = (view: View): ReadonlyArray<Column<InventoryDevice>> => [
  { title: 'ID', get: (d) => d.id, max: 12 },
  { title: 'IP', get: (d) => d.latest.ip, max: 39 },
  { title: 'MAC', get: (d) => d.latest.mac ?? '', max: 17, drop: 3 },
  { title: 'KIND', get: (d) => d.latest.kind, max: 9 },
  { title: 'STATUS', get: (d) => d.latest.verdict.status, max: 10, paint: (d, t) => view.color.status(d.latest.verdict.status, t) },
  { title: 'MANUFACTURER', get: (d) => d.latest.manufacturer ?? '', max: 20, min: 9 },
  { title: 'BRAND', get: (d) => d.latest.brand ?? '', max: 20, min: 8, drop: 1 },
  { title: 'MODEL', get: (d) => d.latest.model ?? '', max: 24, min: 10 },
  { title: 'LAST SEEN', get: (d) => time(d.lastSeen), max: 20, drop: 4 },
  { title: 'SWEEPS', get: (d) => String(d.sweeps), max: 7, drop: 2, align: 'right' },
  { title: 'PRESENT', get: (d) => (d.present === false ? 'gone' : d.leaving !== undefined ? 'leaving' : 'yes'), max: 7 },
];

const DEVICE_CSV: CsvColumns<InventoryDevice> = [
  ['id', (d) => d.id],
  ['ip', (d) => d.latest.ip],
  ['mac', (d) => d.latest.mac ?? ''],
  ['manufacturer', (d) => d.latest.manufacturer ?? ''],
  ['brand', (d) => d.latest.brand ?? ''],
  ['model', (d) => d.latest.model ?? ''],
  ['firmware', (d) => d.latest.firmware ?? ''],
  ['kind', (d) => d.latest.kind],
  ['status', (d) => d.latest.verdict.status],
  ['pack', (d) => d.latest.verdict.pack ?? ''],
  ['rule', (d) => d.latest.verdict.rule ?? ''],
  ['confidence', (d) => d.latest.confidence.toFixed(2)],
  ['first_seen', (d) => d.firstSeen],
  ['last_seen', (d) => d.lastSeen],
  ['sweeps', (d) => String(d.sweeps)],
  ['present', (d) => String(d.present !== false)],
  ['interfaces', (d) => d.latest.interfaces.join(';')],
  // The camelCase names JSON uses, added after the snake_case ones they repeat (kept: scripts read them).
  ['firstSeen', (d) => d.firstSeen],
  ['lastSeen', (d) => d.lastSeen],
];

export function formatDevices(devices: readonly InventoryDevice[], format: ListFormat, file: string, view: View = PLAIN_VIEW): string {
  if (format === 'json') return json(devices);
  if (format === 'csv') return csv(DEVICE_CSV, devices);
  const counts = { restricted: 0, review: 0, clear: 0 };
  for (const d of devices) counts[d.latest.verdict.status] += 1;
  const gone = devices.filter((d) => d.present === false).length;
  const lines = devices.length > 0 ? [...table(deviceTable(view), devices, view), ''] : [];
  lines.push(
    `${devices.length} device(s): ${counts.restricted} restricted, ${counts.review} review, ${counts.clear} clear; ${gone} gone (${cleanText(file, 300)})`,
  );
  return `${lines.join('\n')}\n`;
}

const seconds = (s: SweepSummary): string => ((Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000).toFixed(1);

const SWEEP_COLUMNS: ReadonlyArray<Column<SweepSummary>> = [
  { title: 'ID', get: (s) => s.id, max: 36, min: 8 },
  { title: 'STARTED', get: (s) => time(s.startedAt), max: 20 },
  { title: 'SECONDS', get: seconds, max: 8 },
  { title: 'DEVICES', get: (s) => String(s.devices), max: 8 },
  { title: 'RESTRICTED', get: (s) => String(s.restricted), max: 10 },
  { title: 'REVIEW', get: (s) => String(s.review), max: 8 },
  { title: 'CLEAR', get: (s) => String(s.clear), max: 8 },
  { title: 'ERRORS', get: (s) => String(s.errors), max: 8 },
  { title: 'CHANGES', get: (s) => (s.changes === undefined ? '' : String(s.changes)), max: 8 },
  { title: 'INTERFACES', get: (s) => s.interfaces.join(','), max: 40, min: 6, drop: 1 },
];

const SWEEP_CSV: CsvColumns<SweepSummary> = [
  ['id', (s) => s.id],
  ['started_at', (s) => s.startedAt],
  ['finished_at', (s) => s.finishedAt],
  ['devices', (s) => String(s.devices)],
  ['restricted', (s) => String(s.restricted)],
  ['review', (s) => String(s.review)],
  ['clear', (s) => String(s.clear)],
  ['errors', (s) => String(s.errors)],
  ['changes', (s) => (s.changes === undefined ? '' : String(s.changes))],
  ['interfaces', (s) => s.interfaces.join(';')],
  ['startedAt', (s) => s.startedAt],
  ['finishedAt', (s) => s.finishedAt],
];

/** Newest first, as the store returns them. */
export function formatSweeps(sweeps: readonly SweepSummary[], format: ListFormat, view: View = PLAIN_VIEW): string {
  if (format === 'json') return json(sweeps);
  if (format === 'csv') return csv(SWEEP_CSV, sweeps);
  const lines = sweeps.length > 0 ? [...table(SWEEP_COLUMNS, sweeps, view), ''] : [];
  lines.push(`${sweeps.length} sweep(s)${sweeps.length > 1 ? '; compare two with `camsweep diff <older> <newer>`' : ''}`);
  return `${lines.join('\n')}\n`;
}

const change = (e: ChangeEvent): string => (e.before !== undefined || e.after !== undefined ? `${e.before ?? '-'} -> ${e.after ?? '-'}` : '');
const maker = (e: ChangeEvent): string => {
  const { manufacturer, brand } = e.device;
  if (manufacturer !== null && brand !== null && brand.toLowerCase() !== manufacturer.toLowerCase()) return `${manufacturer} (${brand})`;
  return manufacturer ?? brand ?? '';
};

const changeColumns = (view: View): ReadonlyArray<Column<ChangeEvent>> => [
  { title: 'CHANGE', get: (e) => e.type, max: 16 },
  { title: 'IP', get: (e) => e.device.ip, max: 39 },
  { title: 'DEVICE', get: (e) => e.deviceId, max: 12, drop: 2 },
  { title: 'KIND', get: (e) => e.device.kind, max: 9, drop: 1 },
  { title: 'STATUS', get: (e) => e.device.status, max: 10, paint: (e, t) => view.color.status(e.device.status, t) },
  { title: 'MAKER', get: (e) => maker(e), max: 32, min: 9 },
  { title: 'MODEL', get: (e) => e.device.model ?? '', max: 24, min: 8, drop: 3 },
  { title: 'BEFORE -> AFTER', get: change, max: 80, min: 12 },
];

const CHANGE_CSV: CsvColumns<ChangeEvent> = [
  ['type', (e) => e.type],
  ['device_id', (e) => e.deviceId],
  ['ip', (e) => e.device.ip],
  ['mac', (e) => e.device.mac ?? ''],
  ['manufacturer', (e) => e.device.manufacturer ?? ''],
  ['brand', (e) => e.device.brand ?? ''],
  ['model', (e) => e.device.model ?? ''],
  ['kind', (e) => e.device.kind],
  ['status', (e) => e.device.status],
  ['before', (e) => e.before ?? ''],
  ['after', (e) => e.after ?? ''],
  ['sweep_id', (e) => e.sweepId],
  ['at', (e) => e.at],
  ['deviceId', (e) => e.deviceId],
  ['sweepId', (e) => e.sweepId],
];

export function formatDiff(from: SweepSummary, to: SweepSummary, changes: readonly ChangeEvent[], format: ListFormat, view: View = PLAIN_VIEW): string {
  if (format === 'json') return json({ from, to, changes });
  if (format === 'csv') return csv(CHANGE_CSV, changes);
  const head = `changes from sweep ${cleanText(from.id, 200)} (${time(from.startedAt)}) to ${cleanText(to.id, 200)} (${time(to.startedAt)})`;
  const lines = [head, ''];
  if (changes.length > 0) lines.push(...table(changeColumns(view), changes, view), '');
  const counts = new Map<string, number>();
  for (const e of changes) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
  lines.push(changes.length === 0 ? 'no changes' : `${changes.length} change(s): ${[...counts].map(([t, n]) => `${n} ${t}`).join(', ')}`);
  return `${lines.join('\n')}\n`;
}
