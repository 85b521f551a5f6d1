import type { SweepResult } from '../domain/types.ts';
import type { ChangeEvent } from '../inventory/types.ts';
import { VERSION } from '../version.ts';
import type { ReportConfig } from './config.ts';
import { openOutbox, type Outbox } from './outbox.ts';
import { buildReports, serializeReport, type ReportKind } from './payload.ts';

export interface QueueDeps {
  /** Opened by the caller, or opened (and closed) here from cfg.dataDir. */
  outbox?: Outbox;
  now?: () => number;
  /** The sweep's id; default: the result's own id. */
  sweepId?: string;
  /** Change events from the inventory (the daemon), sent in the reports' `events` array. */
  events?: readonly ChangeEvent[];
  /** A sighting or a departure between sweeps (absent: a sweep). */
  kind?: ReportKind;
}

export interface QueueResult {
  /** Reports (requests) added to the outbox; 0 without an endpoint or when already queued. */
  queued: number;
  /** Devices in this sweep's reports. */
  devices: number;
  /** Change events in this sweep's reports (present when events were given). */
  events?: number;
  sweepId: string | null;
}

/**
 * Builds the sweep's camsweep.report/v1 batches and commits them to the outbox in one
 * transaction, before anything is sent. Queuing the same sweep again adds nothing (the keys
 * are already there). Without an endpoint nothing is stored.
 */
export function queueSweepReport(result: SweepResult, cfg: ReportConfig, deps: QueueDeps = {}): QueueResult {
  if (cfg.endpoint === null) return { queued: 0, devices: 0, sweepId: null };
  const now = deps.now ?? Date.now;
  const sweepId = deps.sweepId ?? result.id;
  const reports = buildReports(result, {
    agentId: cfg.agentId,
    site: cfg.site,
    sweepId,
    include: cfg.include,
    batchMaxBytes: cfg.batchMaxBytes,
    createdAt: new Date(now()).toISOString(),
    version: VERSION,
    ...(deps.events === undefined ? {} : { events: deps.events }),
    ...(deps.kind === undefined ? {} : { kind: deps.kind }),
  });
  const outbox = deps.outbox ?? openOutbox(cfg.dataDir);
  try {
    const rows = reports.map((r) => ({ key: r.idempotencyKey, sweepId, body: serializeReport(r), devices: r.devices.length }));
    const queued = outbox.enqueue(rows, now());
    const devices = reports.reduce((n, r) => n + r.devices.length, 0);
    if (deps.events === undefined) return { queued, devices, sweepId };
    return { queued, devices, events: reports.reduce((n, r) => n + (r.events?.length ?? 0), 0), sweepId };
  } finally {
    if (deps.outbox === undefined) outbox.close();
  }
}
