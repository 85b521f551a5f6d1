import type { ConsoleQuery, DeviceSummary } from '../central/types.ts';
import { csvCell } from '../output/format.ts';

/**
 * The list's current view as CSV or JSON, every page of it, streamed a page (1,000 devices) at
 * a time: an export of 100,000 devices never holds them all. CSV cells are the sweep CSV's
 * (`csvCell`: controls folded, formula prefixes defused, quotes doubled, quoted when they hold
 * a semicolon).
 */

export const CSV_COLUMNS: ReadonlyArray<[string, (d: DeviceSummary) => string]> = [
  ['status', (d) => d.status],
  ['verdict', (d) => d.verdictStatus],
  ['site', (d) => d.site ?? ''],
  ['ip', (d) => d.ip],
  ['mac', (d) => d.mac ?? ''],
  ['manufacturer', (d) => d.manufacturer ?? ''],
  ['brand', (d) => d.brand ?? ''],
  ['model', (d) => d.model ?? ''],
  ['firmware', (d) => d.firmware ?? ''],
  ['serial', (d) => d.serial ?? ''],
  ['kind', (d) => d.kind],
  ['pack', (d) => d.pack ?? ''],
  ['rule', (d) => d.rule ?? ''],
  ['reason', (d) => d.reason],
  ['review', (d) => d.review?.state ?? ''],
  ['review_until', (d) => d.review?.until ?? ''],
  ['review_by', (d) => d.review?.by ?? ''],
  ['first_seen', (d) => d.firstSeen],
  ['last_seen', (d) => d.lastSeen],
  ['agents', (d) => d.agents.join(' ')],
  ['id', (d) => d.id],
];

export async function* csvChunks(pages: AsyncIterable<DeviceSummary[]>): AsyncGenerator<string> {
  yield `${CSV_COLUMNS.map(([name]) => name).join(',')}\r\n`;
  for await (const page of pages) yield page.map((d) => `${CSV_COLUMNS.map(([, get]) => csvCell(get(d))).join(',')}\r\n`).join('');
}

export async function* jsonChunks(pages: AsyncIterable<DeviceSummary[]>, view: Omit<ConsoleQuery, 'limit' | 'cursor'>): AsyncGenerator<string> {
  yield `{"schema":"camsweep.console-devices/v1","view":${JSON.stringify(view)},"devices":[`;
  let first = true;
  for await (const page of pages) {
    yield `${first ? '' : ','}\n${page.map((d) => JSON.stringify(d)).join(',\n')}`;
    first = false;
  }
  yield '\n]}\n';
}
