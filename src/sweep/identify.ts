import { randomUUID } from 'node:crypto';
import type { AuditSink } from '../domain/audit.ts';
import { createErrorLog } from '../domain/error-log.ts';
import { ERR } from '../domain/errors.ts';
import type { Device, MergedDevice, Observation, SweepError, SweepResult } from '../domain/types.ts';
import type { NetInterface } from '../discovery/interfaces.ts';
import { createScope } from '../discovery/unicast/scope.ts';
import { createEnrichScheduler } from '../enrich/scheduler.ts';
import type { Credentials, Enricher } from '../enrich/types.ts';
import type { Cidr } from '../util/cidr.ts';
import type { HttpClient } from '../util/http.ts';
import type { StreamClient } from '../util/stream.ts';
import type { Logger } from '../util/log.ts';
import { createEnrichContexts } from './enrich-context.ts';
import { mergeObservations } from './merge.ts';
import { createObservationStore } from './observations.ts';
import { DEFAULT_LIMITS, type SweepLimits } from './sweep.ts';

/**
 * One host identified outside a sweep (the daemon heard it announce itself): what it said
 * (its announcements, as discovery observations) and what the registered enrichers ask of
 * it, with a sweep's rules and a sweep's parts: the same scope (only a host on a swept
 * segment or in a target range, never an excluded one, is contacted; only IPv4), the same
 * enrichment scheduler and request contexts (same-host XAddrs and LOCATIONs, deadlines, body
 * caps, the host's time budget, the audit record, credentials only where configured), then
 * merged with the neighbour table and judged. No datagram is sent: only the requests the
 * enrichers make of that host. The result is a sweep result holding that host's device(s):
 * a sighting for the inventory.
 */
export interface IdentifyOptions {
  /** The host announced (the announcements' source). */
  ip: string;
  /** Its announcements as discovery observations; more may come through `offer`. */
  observations: readonly Observation[];
  /** The swept interfaces (the scope), and the one it was heard on first. */
  interfaces: readonly NetInterface[];
  enrichers: readonly Enricher[];
  requestTimeoutMs: number;
  maxBodyBytes: number;
  enrichConcurrency: number;
  http: HttpClient;
  /** TCP exchanges and TLS handshakes (RTSP OPTIONS, certificates), as a sweep's. */
  stream?: StreamClient;
  credentialsFor: (ip: string) => Credentials | undefined;
  neighbours: () => Promise<ReadonlyMap<string, string>>;
  log: Logger;
  judge: (device: MergedDevice, asOf: Date) => Device;
  now?: () => Date;
  limits?: Partial<SweepLimits>;
  audit?: AuditSink;
  /** The record's id (default: a random UUID). */
  id?: string;
  targets?: readonly Cidr[];
  exclude?: readonly Cidr[];
}

export interface Identification {
  /** Another announcement of the host, heard while it runs: kept and enriched until the merge; false once too late. */
  offer(obs: Observation): boolean;
  readonly done: Promise<SweepResult>;
}

export function identifyHost(options: IdentifyOptions): Identification {
  const now = options.now ?? (() => new Date());
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const log = options.log.child({ module: 'identify' });
  const startedAt = now();
  const errors = createErrorLog({ maxErrors: limits.maxErrors });
  const record = (err: SweepError): void => errors.record(err);
  const observations = createObservationStore(limits);
  const scope = createScope({ interfaces: options.interfaces, targets: options.targets ?? [], exclude: options.exclude ?? [] });
  const enrichment = createEnrichScheduler({
    enrichers: options.enrichers,
    concurrency: options.enrichConcurrency,
    maxConcurrentPerHost: limits.maxConcurrentPerHost,
    maxHostMs: limits.maxHostMs,
    mayContact: (ip) => ip === options.ip && scope.mayContact(ip),
    context: createEnrichContexts({ ...options, now }),
    found: (obs) => accept(obs, false),
    error: record,
    log: options.log,
  });
  let open = true;
  const accept = (obs: Observation, fromDiscovery: boolean): void => {
    if (scope.excluded(obs.ip)) return;
    if (!observations.add(obs) || !fromDiscovery) return;
    enrichment.offer(obs);
  };
  for (const obs of options.observations) accept(obs, true);

  const run = async (): Promise<SweepResult> => {
    // Every request of this one host is bounded by its time budget: wait for that, no longer.
    const enriched = await enrichment.finish(limits.maxHostMs);
    open = false;
    const summaries: SweepError[] = [];
    if (enriched.unsent.tasks > 0) {
      summaries.push({ code: ERR.ENRICH_NOT_STARTED, message: `${enriched.unsent.tasks} enrichment request(s) were never sent: the host's time budget (${limits.maxHostMs} ms) ran out first`, ip: options.ip });
    }
    const neighbours = await options.neighbours();
    const merged = mergeObservations({ observations: observations.all(), neighbours });
    const devices = merged.map((d) => options.judge(d, startedAt));
    const finishedAt = now();
    const kept = errors.close(summaries);
    log.debug({ device: { ip: options.ip }, identify: { tasks: enriched.tasks, observations: observations.size, devices: devices.length, ms: finishedAt.getTime() - startedAt.getTime() } }, 'host identified');
    const used = new Set(observations.all().map((o) => o.interface).filter((i): i is string => i !== undefined));
    return {
      schema: 'camsweep.sweep/v1',
      id: options.id ?? randomUUID(),
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      interfaces: options.interfaces.filter((i) => used.has(i.name)).map(({ name, address, netmask, mac }) => ({ name, address, netmask, mac })),
      devices,
      errors: kept,
    };
  };

  return {
    offer(obs) {
      if (!open) return false;
      accept(obs, true);
      return true;
    },
    done: run(),
  };
}
