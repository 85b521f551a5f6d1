import { randomUUID } from 'node:crypto';
import type { AuditSink } from '../domain/audit.ts';
import { createErrorLog } from '../domain/error-log.ts';
import { ERR, errorCode, errorMessage } from '../domain/errors.ts';
import type { Device, MergedDevice, Observation, SweepError, SweepResult } from '../domain/types.ts';
import type { NetInterface } from '../discovery/interfaces.ts';
import type { Discoverer } from '../discovery/types.ts';
import { openUdpSocket, type UdpFactory } from '../discovery/udp.ts';
import { runUnicastProbe, type UnicastContext, type UnicastStats } from '../discovery/unicast/prober.ts';
import { DEFAULT_UNICAST_RATE, type UnicastProtocol } from '../discovery/unicast/probes.ts';
import { createScope, type SweepScope } from '../discovery/unicast/scope.ts';
import { createEnrichScheduler, type EnrichScheduler } from '../enrich/scheduler.ts';
import type { Credentials, Enricher } from '../enrich/types.ts';
import type { Cidr } from '../util/cidr.ts';
import type { HttpClient } from '../util/http.ts';
import type { StreamClient } from '../util/stream.ts';
import type { Logger } from '../util/log.ts';
import { createRateLimiter, type RateLimiter } from '../util/rate.ts';
import { auditDatagrams } from './audit-hooks.ts';
import { createEnrichContexts } from './enrich-context.ts';
import { mergeObservations } from './merge.ts';
import { createObservationStore } from './observations.ts';
import { openListenWindow, type ListenWindow } from './window.ts';

export interface SweepLimits {
  /** Hosts kept per sweep; replies from further hosts are dropped (and counted once). */
  maxHosts: number;
  /** Observations kept per host. */
  maxObservationsPerHost: number;
  /** Errors kept per sweep. */
  maxErrors: number;
  /**
   * Time one host's enrichment may take in all, from its first request: past it, its requests
   * are aborted and the rest skipped (one ENRICH_HOST_TIME error), so a slow or hostile host
   * cannot hold enrichment slots for request after request.
   */
  maxHostMs: number;
  /** Enrichments of one host at once (embedded web servers serve few connections at a time). */
  maxConcurrentPerHost: number;
}

export const DEFAULT_LIMITS: SweepLimits = {
  maxHosts: 4096,
  maxObservationsPerHost: 64,
  maxErrors: 1000,
  maxHostMs: 8000,
  maxConcurrentPerHost: 2,
};

export interface SweepOptions {
  interfaces: readonly NetInterface[];
  discoverers: readonly Discoverer[];
  /** What each host that replied is asked (src/enrich/registry.ts; none: discovery only). */
  enrichers: readonly Enricher[];
  /** Listen window: discovery probes and listens this long at most. */
  windowMs: number;
  /**
   * Adaptive window (src/sweep/window.ts): close before `windowMs` once every discoverer has
   * sent its last probe, the replies it expects are due, and nothing has come for `idleMs`.
   * Absent: listen for the whole window.
   */
  settle?: { idleMs: number };
  /** After the window, enrichment still running gets this long before it is aborted. */
  enrichGraceMs: number;
  requestTimeoutMs: number;
  maxBodyBytes: number;
  enrichConcurrency: number;
  /**
   * `needed` (default): the follow-up enrichers (`followUp: true`) are not asked of a host what
   * it said makes restricted; `always`: asked of every host, as the others.
   */
  followUps?: 'needed' | 'always';
  http: HttpClient;
  /** TCP exchanges and TLS handshakes for the RTSP and certificate enrichers (none when absent). */
  stream?: StreamClient;
  credentialsFor: (ip: string) => Credentials | undefined;
  neighbours: () => Promise<ReadonlyMap<string, string>>;
  log: Logger;
  now?: () => Date;
  limits?: Partial<SweepLimits>;
  /** Told about every datagram and HTTP request the sweep sends. */
  audit?: AuditSink;
  /** The sweep's id (default: a random UUID). */
  sweepId?: string;
  /** Turns each merged device into a judged one (fingerprints + policy: src/sweep/judge.ts). */
  judge: (device: MergedDevice, asOf: Date) => Device;
  /**
   * Routed networks: target ranges and the addresses to probe in them by unicast (from
   * resolveTargets, excluded ranges already removed). The listen window for these starts
   * after the last unicast probe, so the sweep lasts about addresses x datagrams / rate + window
   * (adaptive with `settle`: ~1.4 s after the last probe when nothing more comes).
   */
  targets?: { ranges: readonly Cidr[]; addresses: readonly string[] };
  /** Ranges never sent anything; replies from them are dropped, whatever the protocol. */
  exclude?: readonly Cidr[];
  /** Pacing of the unicast probes (and of requests to routed hosts). Default 100 datagrams/s, 8 addresses at once. */
  rate?: { packetsPerSecond: number; concurrency: number };
  /** Protocols of the unicast probes (default all five). */
  unicastProtocols?: readonly UnicastProtocol[];
  /** Told after each target address's probes went out (the CLI's progress line). */
  onProgress?: (probed: number, total: number) => void;
  /** Counters the sweep keeps up to date as it goes, for a progress display to read. */
  progress?: SweepProgress;
  /** The unicast prober; injectable for tests. */
  probeUnicast?: (ctx: UnicastContext) => Promise<UnicastStats>;
  /** Opens the discovery sockets (default: the host's, openUdpSocket). */
  udp?: UdpFactory;
}

/**
 * Where a sweep is, for a progress display (the CLI reads it on a timer; the sweep only writes
 * plain numbers): the phase, the hosts that answered, enrichment requests started and finished.
 */
export interface SweepProgress {
  phase: 'listen' | 'enrich' | 'judge' | 'done';
  /** When the phase began (performance.now()). */
  phaseAt: number;
  hosts: number;
  enrichScheduled: number;
  enrichFinished: number;
}

/**
 * One sweep: every discoverer on every interface for the listen window, and, with targets,
 * unicast probes to every target address; each host is enriched (what the registered
 * enrichers ask of it) as soon as it is seen, on that host only, and only when it is on a
 * swept segment or inside a target range and not excluded; then everything is merged into
 * devices and judged. A failing protocol, interface, host or reply is recorded in `errors` and
 * never stops the rest.
 */
export async function runSweep(options: SweepOptions): Promise<SweepResult> {
  const now = options.now ?? (() => new Date());
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const log = options.log.child({ module: 'sweep' });
  const phase = phaseLogger(log);
  const startedAt = now();
  phase('start');
  const progress = options.progress;
  const progressPhase = (name: SweepProgress['phase']): void => {
    if (progress === undefined) return;
    progress.phase = name;
    progress.phaseAt = performance.now();
  };
  progressPhase('listen');

  const errors = createErrorLog({ maxErrors: limits.maxErrors });
  const record = (err: SweepError): void => errors.record(err);
  const observations = createObservationStore(limits);
  const scope = createScope({ interfaces: options.interfaces, targets: options.targets?.ranges ?? [], exclude: options.exclude ?? [] });
  const listen = openListenWindow({ maxMs: options.windowMs, ...(options.settle ? { idleMs: options.settle.idleMs } : {}) });
  const pacing = options.rate ?? DEFAULT_UNICAST_RATE;
  const rate: RateLimiter | undefined = options.targets ? createRateLimiter({ perSecond: pacing.packetsPerSecond }) : undefined;
  const enrichScheduler = (enrichers: readonly Enricher[], needsFollowUp?: (ip: string) => boolean): EnrichScheduler =>
    createEnrichScheduler({
      enrichers: progress === undefined ? enrichers : counted(enrichers, progress),
      concurrency: options.enrichConcurrency,
      maxConcurrentPerHost: limits.maxConcurrentPerHost,
      maxHostMs: limits.maxHostMs,
      mayContact: (ip) => scope.mayContact(ip),
      context: createEnrichContexts({
        ...options,
        now,
        // Requests to a routed host share the unicast probes' rate limit.
        pace: (ip) => (scope.localInterface(ip) === undefined ? rate : undefined),
      }),
      found: (obs) => accept(obs, false),
      error: record,
      log: options.log,
      ...(needsFollowUp === undefined ? {} : { needsFollowUp }),
    });
  // The follow-up enrichers (RTSP, TLS, favicon: src/enrich/registry.ts) are asked of a host
  // once the others are done, unless what it said so far already makes it restricted: more
  // evidence cannot make a verdict more severe than that. Judged without the MAC's registrant
  // (the neighbour table is read after the window, and the OUI table is not loaded while
  // replies arrive); the final verdicts are checked below, with everything.
  const needsFollowUp = (ip: string): boolean => {
    try {
      return mergeObservations({ observations: observations.forHost(ip) }).some((d) => options.judge({ ...d, mac: null }, startedAt).status !== 'restricted');
    } catch {
      return true; // a judge that fails here is the final verdicts' problem; ask everything meanwhile
    }
  };
  const enrichment = enrichScheduler(options.enrichers, options.followUps === 'always' ? undefined : needsFollowUp);

  let excludedReplies = 0;
  // Hosts heard over each protocol: the adaptive window waits for quiet among these, not among
  // the repeats a host sends to every search (three SSDP replies to each of two rounds).
  const heard = new Set<string>();
  /** When each protocol last brought a new source, ms from the start (for the debug log). */
  const lastNew: Partial<Record<string, number>> = {};
  const t0 = performance.now();
  const accept = (obs: Observation, fromDiscovery: boolean): void => {
    if (scope.excluded(obs.ip)) {
      excludedReplies += 1;
      return;
    }
    if (!observations.add(obs)) return;
    if (progress) progress.hosts = observations.hosts;
    if (!fromDiscovery) return;
    const source = `${obs.protocol} ${obs.ip}`;
    if (!heard.has(source)) {
      heard.add(source);
      lastNew[obs.protocol] = Math.round(performance.now() - t0);
      listen.activity();
    }
    enrichment.offer(obs);
  };

  const udp = options.udp ?? openUdpSocket;
  const runs = runDiscoverers(options, { udp, now, listen, accept, record });
  const unicastRun = rate ? runUnicast(options, { udp, now, scope, rate, pacing, log, accept, record }) : Promise.resolve();

  const windowOutcome = await listen.closed;
  phase('window', () => ({ closed: windowOutcome.reason, maxMs: options.windowMs, ...listen.times(), lastNewSourceMs: lastNew, hosts: observations.hosts }));
  runs.stop();
  await runs.done;
  // The unicast listen window starts after its last probe: it may outlast the multicast one.
  await unicastRun;

  // Enrichment that started late in the window gets a bounded grace period, then is aborted.
  progressPhase('enrich');
  const enriched = await enrichment.finish(options.enrichGraceMs);
  phase('enriched', () => ({ tasks: enriched.tasks, observations: observations.size, followUpsSkipped: enrichment.skipped().length }));

  // Summaries of what the bounds cut are always kept, whatever the error cap.
  const summaries: SweepError[] = [];
  if (observations.hostsDropped > 0) {
    summaries.push({ code: ERR.SWEEP_HOST_LIMIT, message: `${observations.hostsDropped} replies from hosts beyond the limit of ${limits.maxHosts} were dropped` });
  }
  if (enriched.unsent.tasks > 0) {
    summaries.push({
      code: ERR.ENRICH_NOT_STARTED,
      message: `${enriched.unsent.tasks} enrichment request(s) for ${enriched.unsent.hosts} host(s) were never sent: enrich.grace (${options.enrichGraceMs} ms after the window) ran out first; raise enrich.concurrency or enrich.grace`,
    });
  }
  if (excludedReplies > 0) log.info({ excluded: excludedReplies }, 'replies from excluded addresses dropped');

  progressPhase('judge');
  const neighbours = await options.neighbours();
  let merged = mergeObservations({ observations: observations.all(), neighbours });
  phase('merged', () => ({ devices: merged.length }));
  let devices = merged.map((d) => options.judge(d, startedAt));
  phase('judged');

  // A host whose follow-ups were skipped as restricted but whose final verdict is not (the MAC,
  // or a reply that came later, changed it): asked now, and everything judged again, so that
  // every device not judged restricted had every enricher asked, as without follow-ups.
  // (The addresses of those devices in a set: checking each skipped host against every device
  // was quadratic, ~12 ms at 1,000 hosts and ~200 ms at the 4,096 a sweep keeps.)
  const notRestricted = new Set(devices.filter((d) => d.status !== 'restricted').flatMap((d) => [d.ip, ...d.addresses]));
  const recheck = enrichment.skipped().filter((obs) => notRestricted.has(obs.ip));
  if (recheck.length > 0) {
    progressPhase('enrich');
    const late = enrichScheduler(options.enrichers.filter((e) => e.followUp === true));
    for (const obs of recheck) late.offer(obs);
    const lateOutcome = await late.finish(options.enrichGraceMs);
    if (lateOutcome.unsent.tasks > 0) {
      summaries.push({
        code: ERR.ENRICH_NOT_STARTED,
        message: `${lateOutcome.unsent.tasks} follow-up enrichment request(s) for ${lateOutcome.unsent.hosts} host(s) were never sent: enrich.grace (${options.enrichGraceMs} ms) ran out first`,
      });
    }
    progressPhase('judge');
    merged = mergeObservations({ observations: observations.all(), neighbours });
    devices = merged.map((d) => options.judge(d, startedAt));
    phase('rechecked', () => ({ hosts: recheck.length }));
  }
  progressPhase('done');
  const finishedAt = now();
  const kept = errors.close(summaries);
  log.info({ sweep: { devices: devices.length, errors: kept.length, ms: finishedAt.getTime() - startedAt.getTime() } }, 'sweep finished');

  return {
    schema: 'camsweep.sweep/v1',
    id: options.sweepId ?? randomUUID(),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    interfaces: options.interfaces.map(({ name, address, netmask, mac }) => ({ name, address, netmask, mac })),
    devices,
    errors: kept,
    window: { reason: windowOutcome.reason, ms: windowOutcome.ms, maxMs: options.windowMs },
  };
}

interface RunContext {
  udp: UdpFactory;
  now: () => Date;
  accept(obs: Observation, fromDiscovery: boolean): void;
  record(err: SweepError): void;
}

/** Every discoverer on every interface, each a member of the listen window, until `stop()`. */
function runDiscoverers(options: SweepOptions, run: RunContext & { listen: ListenWindow }): { stop(): void; done: Promise<void[]> } {
  const window = new AbortController();
  const runs: Array<Promise<void>> = [];
  for (const iface of options.interfaces) {
    for (const discoverer of options.discoverers) {
      const member = run.listen.join();
      runs.push(
        discoverer
          .run({
            iface,
            signal: window.signal,
            windowMs: options.windowMs,
            udp: run.udp,
            log: options.log.child({ interface: iface.name }),
            emit: (obs) => run.accept({ ...obs, interface: obs.interface ?? iface.name }, true),
            audit: auditDatagrams(options.audit, run.now, discoverer.protocol, iface.name),
            error: (err) => run.record({ interface: iface.name, protocol: discoverer.protocol, ...err }),
            expectReplies: (withinMs, last) => {
              // Debug: which protocol holds the adaptive window open, and until when (processMs + withinMs).
              if (options.log.isLevelEnabled('debug')) {
                options.log.debug({ deadline: { protocol: discoverer.protocol, withinMs, last: last === true, processMs: Math.round(performance.now()) } }, 'reply deadline');
              }
              member.expectReplies(withinMs, last);
            },
          })
          .catch((err: unknown) => {
            run.record({ code: errorCode(err, ERR.DISCOVERY_FAILED), message: errorMessage(err), protocol: discoverer.protocol, interface: iface.name });
          })
          .finally(() => member.finished()),
      );
    }
  }
  return { stop: () => window.abort(), done: Promise.all(runs) };
}

/** Routed networks: the target addresses (minus excluded ones and our own) probed by unicast. */
async function runUnicast(
  options: SweepOptions,
  run: RunContext & { scope: SweepScope; rate: RateLimiter; pacing: { packetsPerSecond: number; concurrency: number }; log: Logger },
): Promise<void> {
  const { scope, pacing, log } = run;
  const own = new Set(options.interfaces.map((i) => i.address));
  const addresses = (options.targets?.addresses ?? []).filter((ip) => scope.inTargets(ip) && !scope.excluded(ip) && !own.has(ip));
  if (addresses.length === 0) return;
  log.info({ unicast: { addresses: addresses.length, packetsPerSecond: pacing.packetsPerSecond, concurrency: pacing.concurrency } }, 'probing target addresses by unicast');
  const probe = options.probeUnicast ?? runUnicastProbe;
  try {
    const stats = await probe({
      addresses,
      ...(options.unicastProtocols === undefined ? {} : { protocols: options.unicastProtocols }),
      rate: run.rate,
      udp: run.udp,
      concurrency: pacing.concurrency,
      listenMs: options.windowMs,
      ...(options.settle ? { idleMs: options.settle.idleMs } : {}),
      log: options.log,
      interfaceOf: (ip) => scope.localInterface(ip),
      emit: (obs) => run.accept(obs, true),
      error: run.record,
      audit: (protocol) => auditDatagrams(options.audit, run.now, protocol, undefined),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
    log.debug({ unicast: stats }, 'unicast probing finished');
  } catch (err) {
    run.record({ code: errorCode(err, ERR.UNICAST_FAILED), message: errorMessage(err) });
  }
}

/**
 * Debug: how long each phase took and the process's memory after it (the profile in
 * docs/decisions/window.md was read from these lines). Fields are computed only when debug is on.
 */
function phaseLogger(log: Logger): (name: string, fields?: () => Record<string, unknown>) => void {
  const t0 = performance.now();
  return (name, fields = () => ({})) => {
    if (!log.isLevelEnabled('debug')) return;
    const { rss, heapUsed } = process.memoryUsage();
    // processMs: since the process started (performance's time origin), start-up included.
    log.debug({ phase: { name, atMs: Math.round(performance.now() - t0), processMs: Math.round(performance.now()), rssMb: Math.round(rss / 2 ** 20), heapMb: Math.round(heapUsed / 2 ** 20), ...fields() } }, 'sweep phase');
  };
}

/** The enrichers with each task counted when it starts and when it ends, for a progress display. */
function counted(enrichers: readonly Enricher[], progress: SweepProgress): Enricher[] {
  return enrichers.map((e) => ({
    ...e,
    plan: (obs) =>
      e.plan(obs).map((task) => ({
        ...task,
        run: async (ctx) => {
          progress.enrichScheduled += 1;
          try {
            return await task.run(ctx);
          } finally {
            progress.enrichFinished += 1;
          }
        },
      })),
  }));
}
