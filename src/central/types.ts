/**
 * What the central service stores and serves, as plain data shared by both stores (embedded
 * node:sqlite and PostgreSQL), the HTTP API and the forwarders.
 */

export const ROLES = ['viewer', 'reviewer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const REVIEW_STATES = ['confirmed', 'exception', 'replaced', 'false-positive'] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];

/** What agents said about a device (its verdict). */
export type VerdictStatus = 'restricted' | 'review' | 'clear';
/** A device's standing once reviews are applied (see effectiveStatus in device-state.ts). */
export const DEVICE_STATUSES = ['restricted', 'review', 'clear', 'exception', 'false-positive', 'replaced'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

export interface AgentRecord {
  id: string;
  site: string;
  createdAt: string;
  revokedAt: string | null;
  /** SHA-256 fingerprint (hex, lower case, no colons) of the client certificate bound to the agent. */
  certFingerprint: string | null;
  lastReportAt: string | null;
}

export interface UserRecord {
  name: string;
  role: Role;
  createdAt: string;
  passwordHash: string;
}

export interface ReviewRecord {
  id: number;
  deviceId: string;
  state: ReviewState;
  note: string;
  until: string | null;
  by: string;
  at: string;
}

export interface DeviceSummary {
  id: string;
  site: string | null;
  status: DeviceStatus;
  verdictStatus: VerdictStatus;
  ip: string;
  mac: string | null;
  manufacturer: string | null;
  brand: string | null;
  model: string | null;
  firmware: string | null;
  serial: string | null;
  kind: string;
  pack: string | null;
  rule: string | null;
  reason: string;
  firstSeen: string;
  lastSeen: string;
  lastAgent: string;
  agents: string[];
  review: { state: ReviewState; until: string | null; by: string; at: string } | null;
}

export interface HistoryEntry {
  at: string;
  agent: string;
  sweep: string;
  change: string;
  before: string | null;
  after: string | null;
}

export interface DeviceDetail extends DeviceSummary {
  identifiers: { mac: string | null; epr: string | null; udn: string | null; serial: string | null };
  /** The device as the latest report described it (evidence, attribution, verdict with source). */
  document: unknown;
  agentsSeen: Array<{ agent: string; firstSeen: string; lastSeen: string }>;
  history: HistoryEntry[];
  reviews: ReviewRecord[];
}

export interface DeviceQuery {
  status?: DeviceStatus;
  site?: string;
  agent?: string;
  /** Case-insensitive substring of IP, MAC, manufacturer, brand, model or serial. */
  q?: string;
  limit: number;
  /** Opaque keyset cursor from the previous page. */
  cursor?: string;
}

export interface DevicePage {
  devices: DeviceSummary[];
  nextCursor: string | null;
}

export interface ReviewInput {
  state: ReviewState;
  note: string;
  until: string | null;
  by: string;
  at: string;
}

/** One event waiting to be forwarded to one sink. */
export interface ForwardItem {
  id: number;
  sink: string;
  key: string;
  body: string;
  attempts: number;
  createdAt: number;
}

export interface CentralCounts {
  /** Accepted report requests, repeats included. */
  requests: number;
  /** Device entries received, repeats included. */
  deviceReceipts: number;
  /** Distinct device report keys stored (one per agent, sweep and device). */
  devices: number;
  sweeps: number;
  /** Distinct devices across agents and sites (the latest-state table). */
  deviceStates: number;
  forwardPending: number;
  forwardDead: number;
}

// ---------------------------------------------------------------------------------------------
// The console's reads (src/console): the device list in status groups, the overview's counts,
// the daily counts behind the chart over time, sessions.

/** The list's status groups in order: restricted first. */
export const STATUS_ORDER: readonly DeviceStatus[] = ['restricted', 'review', 'exception', 'false-positive', 'replaced', 'clear'];

/** Each sort is served by an index (last-seen is not a sort: it moves with every report, see console-queries.ts). */
export const CONSOLE_SORTS = ['site', 'ip', 'maker', 'first-seen'] as const;
export type ConsoleSort = (typeof CONSOLE_SORTS)[number];

export interface ConsoleQuery {
  status?: DeviceStatus;
  site?: string;
  /** Manufacturer of record. */
  maker?: string;
  brand?: string;
  kind?: string;
  /** The latest review's state, or 'none' for devices never reviewed. */
  review?: ReviewState | 'none';
  agent?: string;
  /** Case-insensitive substring of IP, MAC, model or serial. */
  q?: string;
  sort: ConsoleSort;
  limit: number;
  cursor?: string;
}

export interface CountRow {
  site: string;
  status: DeviceStatus;
  manufacturer: string | null;
  brand: string | null;
  kind: string;
  devices: number;
}

export interface AgentActivity {
  agent: string;
  /** The registered agent's site, else the site its sweeps named. */
  site: string | null;
  registered: boolean;
  revoked: boolean;
  /** When its latest report arrived (ISO), null when never. */
  lastReportAt: string | null;
}

export interface OverviewCounts {
  counts: CountRow[];
  /** Devices first seen in the latest sweep of the agent that saw them, per site and status. */
  newSinceLastSweep: Array<{ site: string; status: DeviceStatus; devices: number }>;
  agents: AgentActivity[];
}

export interface DailyCount {
  day: string;
  status: DeviceStatus;
  devices: number;
}

export interface SessionRecord {
  user: UserRecord;
  csrf: string;
  createdAt: number;
  seenAt: number;
  expiresAt: number;
}
