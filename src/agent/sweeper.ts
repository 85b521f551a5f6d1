import { hostname } from 'node:os';
import { credentialsFor, type Config } from '../config/load.ts';
import { defaultAgentId } from '../report/config.ts';
import { VERSION } from '../version.ts';
import { selectInterfaces, type NetInterface } from '../discovery/interfaces.ts';
import { readNeighbours } from '../discovery/neighbours.ts';
import type { Discoverer } from '../discovery/types.ts';
import { createWsDiscovery } from '../discovery/wsd/index.ts';
import { createSsdpDiscovery } from '../discovery/ssdp/index.ts';
import { createMdnsDiscovery } from '../discovery/mdns/index.ts';
import { createSadpDiscovery } from '../discovery/sadp/index.ts';
import { createDhipDiscovery } from '../discovery/dhip/index.ts';
import { ENRICHERS } from '../enrich/registry.ts';
import type { EnrichContext, EnrichResult } from '../enrich/types.ts';
import { upnpEnricher } from '../enrich/upnp.ts';
import { identifyHost, type Identification } from '../sweep/identify.ts';
import { boundedRequest } from '../util/http.ts';
import { boundedStream } from '../util/stream.ts';
import type { Logger } from '../util/log.ts';
import { runSweep, type SweepProgress } from '../sweep/sweep.ts';
import { createAuditSink } from '../sweep/audit-file.ts';
import { judgeDevice, type Judge } from '../sweep/judge.ts';
import { loadFingerprintDb } from '../fingerprint/index.ts';
import { loadPolicy } from '../policy/load.ts';
import { vocabularyFromVendors } from '../policy/vocabulary.ts';
import type { Observation, SweepResult } from '../domain/types.ts';
import { ERR, CamsweepError, UsageError } from '../domain/errors.ts';
import { resolveTargets } from '../discovery/unicast/targets.ts';
import { MAX_PACKETS_PER_SECOND, MIN_PACKETS_PER_SECOND } from '../discovery/unicast/probes.ts';

/** What may differ from the configuration for one sweep (command-line flags). */
export interface SweepOverrides {
  interfaces?: readonly string[];
  windowMs?: number;
  /** Listen for the whole window even when every reply is in (turns the adaptive window off). */
  fullWindow?: boolean;
  /** Idle time that closes the adaptive window, ms (replaces sweep.idle). */
  idleMs?: number;
  mx?: number;
  enrich?: boolean;
  auditFile?: string;
  /** Target ranges probed by unicast; replace sweep.targets when not empty. */
  targets?: readonly string[];
  /** Ranges never touched; added to sweep.exclude (a flag can exclude more, never less). */
  exclude?: readonly string[];
  /** Unicast datagrams per second; replaces sweep.rate.packetsPerSecond. */
  rate?: number;
  /** Told after each target address's probes went out (a progress line on a terminal). */
  onProgress?: (probed: number, total: number) => void;
  /** Counters the sweep keeps up to date (phase, hosts, enrichment), for a progress display. */
  progress?: SweepProgress;
}

/** One host to identify between sweeps (the daemon heard it announce itself). */
export interface IdentifyRequest {
  ip: string;
  /** Its announcements, as discovery observations. */
  observations: readonly Observation[];
  /** The UPnP description query to use instead of a plain fetch (the daemon's description cache). */
  upnp?: (target: { ip: string; location: string }, ctx: EnrichContext) => Promise<EnrichResult>;
}

/** A sweep, ready to run as often as wanted with the same loaded database, policy and settings. */
export interface Sweeper {
  run(): Promise<SweepResult>;
  /**
   * One host identified with this sweep's rules (scope, enrichers, credentials, audit, judge):
   * src/sweep/identify.ts. Sends no datagram.
   */
  identify(request: IdentifyRequest): Identification;
  /** The interfaces a sweep would probe now (resolved again each time, like a sweep's). */
  interfaces(): NetInterface[];
  readonly judge: Judge;
}

export function buildDiscoverers(protocols: Config['sweep']['protocols'], mx: number): Discoverer[] {
  const all: Record<Config['sweep']['protocols'][number], () => Discoverer> = {
    wsd: () => createWsDiscovery(),
    ssdp: () => createSsdpDiscovery({ mx }),
    mdns: () => createMdnsDiscovery(),
    sadp: () => createSadpDiscovery(),
    dhip: () => createDhipDiscovery(),
  };
  return protocols.map((p) => all[p]());
}

/**
 * Loads everything a sweep needs before anything is sent: the fingerprint database and the
 * policy (a broken pack or database is a configuration error, exit 2, not a sweep that cannot
 * judge what it found) and the interfaces (an unknown name is a usage error). Interfaces are
 * resolved again at each run, so a long-running daemon follows address changes.
 */
export function createSweeper(config: Config, log: Logger, overrides: SweepOverrides = {}): Sweeper {
  const db = loadFingerprintDb();
  const judge: Judge = {
    db,
    // The vocabulary the database was checked against: config/vendors.yaml is read once.
    policy: loadPolicy({ packs: config.policy.packs, customFiles: config.policy.files, vocabulary: vocabularyFromVendors(db.vocabulary) }),
    threshold: config.policy.threshold,
  };
  const names = overrides.interfaces && overrides.interfaces.length > 0 ? overrides.interfaces : config.sweep.interfaces;
  const pickInterfaces = (): ReturnType<typeof selectInterfaces> => {
    const interfaces = selectInterfaces(names);
    if (interfaces.length === 0) {
      throw new CamsweepError(ERR.NO_INTERFACE, 'no up, non-loopback interface with an IPv4 address to probe from (name one with --interface)');
    }
    return interfaces;
  };
  pickInterfaces();
  const enrichers = (overrides.enrich ?? true) && config.enrich.enabled ? ENRICHERS : [];
  const mx = overrides.mx ?? config.sweep.mx;
  const idleMs = overrides.fullWindow === true ? undefined : (overrides.idleMs ?? config.sweep.idleMs);
  const auditFile = overrides.auditFile ?? config.audit.file;
  // Targets are expanded (and refused: loopback, multicast, too many) before anything is sent.
  const plan = resolveTargets({
    targets: overrides.targets && overrides.targets.length > 0 ? overrides.targets : config.unicast.targets,
    exclude: [...config.unicast.exclude, ...(overrides.exclude ?? [])],
    maxAddresses: config.unicast.maxAddresses,
  });
  const packetsPerSecond = overrides.rate ?? config.unicast.packetsPerSecond;
  if (!(packetsPerSecond >= MIN_PACKETS_PER_SECOND && packetsPerSecond <= MAX_PACKETS_PER_SECOND)) {
    throw new UsageError(`the rate must be from ${MIN_PACKETS_PER_SECOND} to ${MAX_PACKETS_PER_SECOND} datagrams per second (got ${packetsPerSecond})`);
  }

  // What the sweep document says about who swept and by which rules (the report's agent id).
  const about = {
    agent: { id: config.reportSettings.report?.agentId ?? defaultAgentId(hostname()), site: config.reportSettings.report?.site ?? null },
    camsweep: { version: VERSION },
    policy: { packs: judge.policy.packs.map((p) => ({ id: p.id, version: p.version })) },
  };

  // What a sweep and an identification between sweeps share: how hosts are asked and judged.
  const hostParts = {
    requestTimeoutMs: config.enrich.requestTimeoutMs,
    maxBodyBytes: config.enrich.maxBodyBytes,
    enrichConcurrency: config.enrich.concurrency,
    http: boundedRequest,
    stream: boundedStream,
    credentialsFor: (ip: string) => credentialsFor(config, ip),
    neighbours: () => readNeighbours(),
    log,
    judge: (device: Parameters<typeof judgeDevice>[0], asOf: Date) => judgeDevice(device, judge, asOf),
  };

  return {
    judge,
    interfaces: pickInterfaces,
    identify(request) {
      const audit = createAuditSink(log, auditFile);
      const used = request.upnp === undefined ? enrichers : enrichers.map((e) => (e.name === 'upnp' ? upnpEnricher(request.upnp) : e));
      try {
        const identification = identifyHost({
          ip: request.ip,
          observations: request.observations,
          interfaces: pickInterfaces(),
          enrichers: used,
          ...hostParts,
          audit: audit.sink,
          targets: plan.ranges,
          exclude: plan.exclude,
        });
        void identification.done.then(audit.close, audit.close);
        return { offer: (obs) => identification.offer(obs), done: identification.done.then((result) => ({ ...result, ...about })) };
      } catch (err) {
        audit.close();
        throw err;
      }
    },
    async run() {
      const audit = createAuditSink(log, auditFile);
      try {
        const result = await runSweep({
          interfaces: pickInterfaces(),
          discoverers: buildDiscoverers(config.sweep.protocols, mx),
          enrichers,
          windowMs: overrides.windowMs ?? config.sweep.windowMs,
          ...(idleMs === undefined ? {} : { settle: { idleMs } }),
          enrichGraceMs: config.enrich.graceMs,
          followUps: config.enrich.followUps,
          ...hostParts,
          audit: audit.sink,
          ...(plan.ranges.length > 0 ? { targets: { ranges: plan.ranges, addresses: plan.addresses } } : {}),
          exclude: plan.exclude,
          rate: { packetsPerSecond, concurrency: config.unicast.concurrency },
          unicastProtocols: config.sweep.protocols,
          ...(overrides.onProgress === undefined ? {} : { onProgress: overrides.onProgress }),
          ...(overrides.progress === undefined ? {} : { progress: overrides.progress }),
        });
        return { ...result, ...about };
      } finally {
        audit.close();
      }
    },
  };
}
