import type { ReceivedReport } from '../../report/receiver/validate.ts';
import type {
  AgentRecord,
  CentralCounts,
  ConsoleQuery,
  DailyCount,
  DeviceSummary,
  OverviewCounts,
  SessionRecord,
  DeviceDetail,
  DevicePage,
  DeviceQuery,
  ForwardItem,
  ReviewInput,
  ReviewRecord,
  Role,
  UserRecord,
} from '../types.ts';

/**
 * The one store interface of the central service. Two implementations share its logic
 * (sql-store.ts) and differ in their dialect: the embedded store (node:sqlite in the data
 * directory, the default) and PostgreSQL 15+ (several `central serve` processes on one
 * database; what must hold across them is a constraint or a transaction, never an
 * in-process map).
 */

export interface IngestMeta {
  receivedAt: number;
  bytes: number;
  remote: string | null;
  /** The request's signature, refused if seen within the replay window. */
  signature?: { value: string; t: number; windowMs: number };
  /** The agent whose credential sent it (per-agent tokens); absent for the shared token. */
  agentId?: string;
}

export type IngestResult =
  | { kind: 'stored'; accepted: number; duplicates: number; events?: { accepted: number; duplicates: number } }
  | { kind: 'replay' };

export interface CentralStore {
  readonly kind: 'embedded' | 'postgres';
  /** The file, or the database URL without its password. */
  readonly location: string;

  ingest(report: ReceivedReport, meta: IngestMeta): Promise<IngestResult>;

  addAgent(agent: { id: string; site: string; tokenHash: string; certFingerprint: string | null; at: string }): Promise<void>;
  listAgents(): Promise<AgentRecord[]>;
  getAgent(id: string): Promise<AgentRecord | undefined>;
  agentByTokenHash(hash: string): Promise<AgentRecord | undefined>;
  revokeAgent(id: string, at: string): Promise<boolean>;

  addUser(user: { name: string; role: Role; passwordHash: string; at: string }): Promise<void>;
  getUser(name: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  addApiToken(token: { user: string; tokenHash: string; at: string }): Promise<void>;
  userByTokenHash(hash: string): Promise<UserRecord | undefined>;

  listDevicePage(query: DeviceQuery): Promise<DevicePage>;
  getDevice(id: string): Promise<DeviceDetail | undefined>;
  /** Records a review (append-only) and applies it to the device; undefined when there is no such device. */
  review(deviceId: string, input: ReviewInput): Promise<ReviewRecord | undefined>;
  /** Exceptions whose date has come: the device goes back to its verdict. Returns how many. */
  expireExceptions(today: string, at: string): Promise<number>;

  /** Claims up to `limit` due events for these sinks (leased for `leaseMs`, so another process skips them). */
  claimForward(sinks: readonly string[], now: number, leaseMs: number, limit: number): Promise<ForwardItem[]>;
  forwardDelivered(id: number, now: number): Promise<void>;
  forwardRetry(id: number, nextAttemptAt: number, error: string): Promise<void>;
  forwardDead(id: number, now: number, reason: string): Promise<void>;

  /** Delivered events older than `before` leave the queue (their keys are never queued again: each names its device, sweep or review). */
  pruneForward(before: number): Promise<number>;
  /**
   * Removes up to `limit` per-report rows (device reports and request receipts) received before
   * `before`, oldest first; returns how many went. Device state, history, reviews and events
   * stay. A report re-delivered after its rows are gone would count as new: keep reports longer
   * than any agent's `report.maxAge`.
   */
  pruneReports(before: number, limit: number): Promise<number>;

  stats(): Promise<CentralCounts>;
  /** What the console reads and its sessions (console-queries.ts). */
  readonly console: ConsoleStore;
  /** What /metrics shows: cheap counts (no count over the per-report table). */
  gauges(): Promise<{ devices: number; forwardPending: number; forwardDead: number }>;
  close(): Promise<void>;
}

/** Where events go: the sink ids are recorded with each queued event; the link names the console. */
export interface ForwardSettings {
  sinks: readonly string[];
  /** Base URL of the console (links in events): e.g. https://central.example.org */
  consoleUrl: string | null;
}

/** The console's reads and sessions (src/console). */
export interface ConsoleStore {
  /** A page of the device list: status groups in order (restricted first), each in the sort's order. */
  devicePage(query: ConsoleQuery): Promise<DevicePage>;
  /** Every device of a view, a page at a time (exports). */
  devices(query: Omit<ConsoleQuery, 'limit' | 'cursor'>): AsyncGenerator<DeviceSummary[]>;
  overview(): Promise<OverviewCounts>;
  exceptions(o: { site?: string; until?: string; limit: number }): Promise<Array<DeviceSummary & { note: string }>>;
  restricted(site: string | undefined): AsyncGenerator<Array<{ device: DeviceSummary; document: unknown }>>;
  recordDailyCounts(day: string): Promise<void>;
  dailyCounts(site: string | undefined, fromDay: string): Promise<DailyCount[]>;
  createSession(s: { idHash: string; user: string; csrf: string; now: number; expiresAt: number }): Promise<void>;
  session(idHash: string, now: number): Promise<SessionRecord | undefined>;
  touchSession(idHash: string, seenAt: number, expiresAt: number): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  pruneSessions(now: number): Promise<number>;
  /** Sign-in attempts, shared by every process on this store (src/console/login-limit.ts). */
  loginAttempts(scope: 'address' | 'user', key: string, since: number): Promise<{ n: number; oldest: number | null }>;
  addLoginAttempt(a: { attempt: string; address: string; user: string; at: number }): Promise<void>;
  loginSucceeded(attempt: string, user: string): Promise<void>;
  pruneLoginAttempts(before: number): Promise<number>;
}
