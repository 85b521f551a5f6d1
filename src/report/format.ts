import { renderTable, type Column } from '../output/table.ts';
import { PLAIN_VIEW, type View } from '../output/view.ts';
import type { DeviceStatus } from '../domain/types.ts';
import type { DeadReport, PendingReport } from './outbox.ts';
import type { ReceiverCounts, StoredDevice, StoredEvent } from './receiver/store.ts';

/** Plain-text tables and JSON for `camsweep outbox list` and `camsweep receive --list`. */

const table = <T>(columns: ReadonlyArray<Column<T>>, rows: readonly T[], view: View): string[] =>
  renderTable(columns, rows, { ...(view.width === undefined ? {} : { width: view.width }), bold: view.color.bold });

const iso = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/u, 'Z'));

const PENDING_COLUMNS: ReadonlyArray<Column<PendingReport>> = [
  { title: 'ID', get: (r) => String(r.id), max: 12 },
  { title: 'STATE', get: () => 'pending', max: 8 },
  { title: 'DEVICES', get: (r) => String(r.devices), max: 8 },
  { title: 'ATTEMPTS', get: (r) => String(r.attempts), max: 8 },
  { title: 'QUEUED', get: (r) => iso(r.createdAt), max: 20 },
  { title: 'NEXT/DEAD AT', get: (r) => iso(r.nextAttemptAt), max: 20 },
  { title: 'LAST RESULT', get: (r) => r.lastError ?? '', max: 80, min: 12 },
];

const DEAD_COLUMNS: ReadonlyArray<Column<DeadReport>> = [
  { title: 'ID', get: (r) => String(r.id), max: 12 },
  { title: 'STATE', get: () => 'dead', max: 8 },
  { title: 'DEVICES', get: (r) => String(r.devices), max: 8 },
  { title: 'ATTEMPTS', get: (r) => String(r.attempts), max: 8 },
  { title: 'QUEUED', get: (r) => iso(r.createdAt), max: 20 },
  { title: 'NEXT/DEAD AT', get: (r) => iso(r.deadAt), max: 20 },
  { title: 'LAST RESULT', get: (r) => r.reason, max: 80, min: 12 },
];

export function formatOutboxTable(pending: readonly PendingReport[], dead: readonly DeadReport[], file: string, view: View = PLAIN_VIEW): string {
  const lines: string[] = [];
  if (pending.length > 0 || dead.length > 0) {
    // One table, pending first; both kinds share the column titles so the widths line up.
    const rows = [...pending.map((p) => PENDING_COLUMNS.map((c) => c.get(p))), ...dead.map((d) => DEAD_COLUMNS.map((c) => c.get(d)))];
    const columns = PENDING_COLUMNS.map(({ paint: _paint, ...c }, i): Column<string[]> => ({ ...c, get: (r) => r[i] ?? '' }));
    lines.push(...table(columns, rows, view), '');
  }
  lines.push(`${pending.length} pending, ${dead.length} dead letter(s) in ${file}`);
  if (dead.length > 0) lines.push('resend dead letters with `camsweep outbox retry <id>...|--all`; drop them with `camsweep outbox purge <id>...|--all`');
  return `${lines.join('\n')}\n`;
}

/** JSON: the stored bodies parsed, so a person or script can see exactly what would be sent. */
export function formatOutboxJson(pending: readonly PendingReport[], dead: readonly DeadReport[]): string {
  const body = (text: string): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  };
  return `${JSON.stringify(
    {
      pending: pending.map(({ body: b, ...rest }) => ({ ...rest, createdAt: iso(rest.createdAt), nextAttemptAt: iso(rest.nextAttemptAt), lastAttemptAt: iso(rest.lastAttemptAt), body: body(b) })),
      dead: dead.map(({ body: b, ...rest }) => ({ ...rest, createdAt: iso(rest.createdAt), deadAt: iso(rest.deadAt), body: body(b) })),
    },
    null,
    2,
  )}\n`;
}

const deviceColumns = (view: View): ReadonlyArray<Column<StoredDevice>> => [
  { title: 'RECEIVED', get: (d) => iso(d.receivedAt), max: 20, drop: 3 },
  { title: 'AGENT', get: (d) => d.agentId, max: 24, min: 8 },
  { title: 'SITE', get: (d) => d.site ?? '', max: 20, min: 6, drop: 2 },
  { title: 'IP', get: (d) => d.ip, max: 39 },
  { title: 'MAC', get: (d) => d.mac ?? '', max: 17, drop: 1 },
  { title: 'STATUS', get: (d) => d.status, max: 10, paint: (d, t) => (isStatus(d.status) ? view.color.status(d.status, t) : t) },
  { title: 'MANUFACTURER', get: (d) => d.manufacturer ?? '', max: 24, min: 9 },
  { title: 'MODEL', get: (d) => d.model ?? '', max: 24, min: 8, drop: 4 },
  { title: 'RULE', get: (d) => [d.pack, d.rule].filter((v) => v !== null).join('/'), max: 40, min: 10 },
];

const isStatus = (s: string): s is DeviceStatus => s === 'restricted' || s === 'review' || s === 'clear';

export function formatReceivedTable(devices: readonly StoredDevice[], counts: ReceiverCounts, file: string, view: View = PLAIN_VIEW): string {
  const lines = devices.length > 0 ? [...table(deviceColumns(view), devices, view), ''] : [];
  lines.push(
    `${counts.devices} device(s) from ${counts.sweeps} sweep(s) in ${file}; ${counts.requests} request(s) accepted, ` +
      `${counts.deviceReceipts - counts.devices} repeated device entr${counts.deviceReceipts - counts.devices === 1 ? 'y' : 'ies'} dropped by key`,
  );
  return `${lines.join('\n')}\n`;
}

export function formatReceivedJson(devices: readonly StoredDevice[], counts: ReceiverCounts): string {
  return `${JSON.stringify({ counts, devices: devices.map((d) => ({ ...d, receivedAt: iso(d.receivedAt) })) }, null, 2)}\n`;
}

const eventColumns = (view: View): ReadonlyArray<Column<StoredEvent>> => [
  { title: 'AT', get: (e) => e.at.replace(/\.\d{3}Z$/u, 'Z'), max: 24 },
  { title: 'AGENT', get: (e) => e.agentId, max: 24, min: 8, drop: 2 },
  { title: 'EVENT', get: (e) => e.type, max: 18 },
  { title: 'IP', get: (e) => e.ip, max: 39 },
  { title: 'MAC', get: (e) => e.mac ?? '', max: 17, drop: 1 },
  { title: 'STATUS', get: (e) => e.status, max: 10, paint: (e, t) => (isStatus(e.status) ? view.color.status(e.status, t) : t) },
  { title: 'MANUFACTURER', get: (e) => e.manufacturer ?? '', max: 24, min: 9 },
  { title: 'MODEL', get: (e) => e.model ?? '', max: 24, min: 8, drop: 3 },
  { title: 'CHANGE', get: (e) => (e.before === null && e.after === null ? '' : `${e.before ?? '-'} -> ${e.after ?? '-'}`), max: 60, min: 12 },
];

/** `camsweep receive --list --events`: the change events received from daemons. */
export function formatReceivedEventsTable(events: readonly StoredEvent[], file: string, view: View = PLAIN_VIEW): string {
  const lines = events.length > 0 ? [...table(eventColumns(view), events, view), ''] : [];
  lines.push(`${events.length} event(s) in ${file}`);
  return `${lines.join('\n')}\n`;
}

export function formatReceivedEventsJson(events: readonly StoredEvent[]): string {
  return `${JSON.stringify({ events: events.map((e) => ({ ...e, receivedAt: iso(e.receivedAt) })) }, null, 2)}\n`;
}
