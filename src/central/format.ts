import { cleanText } from '../util/text.ts';
import type { AgentRecord, DeviceSummary } from './types.ts';

/** Tables and JSON for `camsweep receive --list` and `camsweep central agents list`. */

interface Column<T> {
  title: string;
  get: (row: T) => string;
  max: number;
}

function table<T>(columns: ReadonlyArray<Column<T>>, rows: readonly T[]): string[] {
  const cells = rows.map((r) => columns.map((c) => cleanText(c.get(r), c.max) || '-'));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: string[]): string => row.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns.map((c) => c.title)), ...cells.map(line)];
}

const short = (iso: string | null): string => (iso === null ? '-' : iso.replace(/\.\d{3}Z$/u, 'Z'));

const DEVICE_COLUMNS: ReadonlyArray<Column<DeviceSummary>> = [
  { title: 'LAST SEEN', get: (d) => short(d.lastSeen), max: 20 },
  { title: 'SITE', get: (d) => d.site ?? '', max: 20 },
  { title: 'IP', get: (d) => d.ip, max: 39 },
  { title: 'MAC', get: (d) => d.mac ?? '', max: 17 },
  { title: 'STATUS', get: (d) => d.status, max: 14 },
  { title: 'MANUFACTURER', get: (d) => d.manufacturer ?? '', max: 24 },
  { title: 'MODEL', get: (d) => d.model ?? '', max: 24 },
  { title: 'RULE', get: (d) => [d.pack, d.rule].filter((v) => v !== null).join('/'), max: 40 },
  { title: 'AGENTS', get: (d) => d.agents.join(','), max: 40 },
];

export interface ListCounts {
  requests: number;
  deviceReceipts: number;
  /** Device report keys stored. */
  devices: number;
  sweeps: number;
}

export function formatDeviceStatesTable(devices: readonly DeviceSummary[], counts: ListCounts, location: string): string {
  const lines = devices.length > 0 ? [...table(DEVICE_COLUMNS, devices), ''] : [];
  const repeats = counts.deviceReceipts - counts.devices;
  lines.push(
    `${devices.length} device(s), latest state, from ${counts.sweeps} sweep(s) in ${location}; ${counts.requests} request(s) accepted, ` +
      `${counts.devices} device report(s), ${repeats} repeated entr${repeats === 1 ? 'y' : 'ies'} dropped by key`,
  );
  return `${lines.join('\n')}\n`;
}

export function formatDeviceStatesJson(devices: readonly DeviceSummary[], counts: ListCounts): string {
  return `${JSON.stringify({ counts, devices }, null, 2)}\n`;
}

const AGENT_COLUMNS: ReadonlyArray<Column<AgentRecord>> = [
  { title: 'AGENT', get: (a) => a.id, max: 40 },
  { title: 'SITE', get: (a) => a.site, max: 30 },
  { title: 'STATE', get: (a) => (a.revokedAt === null ? 'active' : 'revoked'), max: 8 },
  { title: 'CREATED', get: (a) => short(a.createdAt), max: 20 },
  { title: 'LAST REPORT', get: (a) => short(a.lastReportAt), max: 20 },
  { title: 'CERTIFICATE', get: (a) => (a.certFingerprint === null ? '' : `sha256:${a.certFingerprint.slice(0, 16)}…`), max: 30 },
];

export function formatAgentsTable(agents: readonly AgentRecord[]): string {
  const lines = agents.length > 0 ? table(AGENT_COLUMNS, agents) : [];
  lines.push(`${agents.length} agent(s)`);
  return `${lines.join('\n')}\n`;
}
