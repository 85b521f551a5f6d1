import { randomUUID } from 'node:crypto';
import type { Logger } from '../util/log.ts';
import type { HttpClient } from '../util/http.ts';
import type { Device, MergedDevice, Observation, Protocol, SweepError, SweepResult } from '../domain/types.ts';
import type { AuditSink, DatagramAudit } from '../domain/audit.ts';
import { auditDatagrams, auditHttp } from './audit-hooks.ts';
import type { Discoverer } from '../discovery/types.ts';
import type { NetInterface } from '../discovery/interfaces.ts';
import type { Credentials, EnrichContext, EnrichResult } from '../enrich/types.ts';
import { CamsweepError, errorCode, errorMessage } from '../domain/errors.ts';
import { createLimiter, type Limiter } from '../util/limit.ts';
import { createRateLimiter, type RateLimiter } from '../util/rate.ts';
import type { Cidr } from '../util/cidr.ts';
import { createScope } from '../discovery/unicast/scope.ts';
import { runUnicastProbe, type UnicastContext, type UnicastStats } from '../discovery/unicast/prober.ts';
import { DEFAULT_UNICAST_RATE, type UnicastProtocol } from '../discovery/unicast/probes.ts';
import { mergeObservations } from './merge.ts';
import { openListenWindow } from './window.ts';
import { openUdpSocket, type UdpFactory } from '../discovery/udp.ts';

/** The enrichers the sweep calls for each host; injected so tests can replace any of them. */
export interface Enrichers {
  onvif?: (target: { ip: string; xaddrs: string[] }, ctx: EnrichContext) => Promise<EnrichResult>;
  upnp?: (target: { ip: string; location: string }, ctx: EnrichContext) => Promise<EnrichResult>;
  banner?: (target: { ip: string; port: number }, ctx: EnrichContext) => Promise<EnrichResult>;
}

export interface SweepLimits {
  /** Hosts kept per sweep; replies from further hosts are dropped (and counted once). */
  maxHosts: number;
  /** Observations kept per host. */
  maxObservationsPerHost: number;
  /** Errors kept per sweep. */
  maxErrors: number;
  /** HTTP ports bannered per host. */
  maxBannerPorts: number;
  /** UPnP descriptions fetched per host (a device with several root devices has several LOCATIONs). */
  maxLocationsPerHost: number;
  /**
   * Time one host's enrichment may take in all, from its first request: past it, its requests
   * are aborted and the rest skipped (one ENRICH_HOST_TIME error), so a slow or hostile host
   * cannot hold enrichment slots for request after request.
   */
  maxHostMs: number;
  /** Enrichments of one host at once (embedded web servers serve few connections at a time). */
  maxConcurrentPerHost: number;
}

/** What the sweep keeps per host it enriches. */
interface HostEnrichment {
  /** At most maxConcurrentPerHost of its queries at once. */
  limiter: Limiter;
  /** Its time budget (maxHostMs), from its first query. */
  budget: AbortSignal | undefined;
  /** ENRICH_HOST_TIME recorded. */
  overBudget: boolean;
  /** Queries still queued when the grace ran out (ENRICH_NOT_STARTED). */
  unsent: number;
  bannerPorts: Set<number>;
  /** UPnP LOCATIONs fetched (maxLocationsPerHost). */
  locations: Set<string>;
}

export const DEFAULT_LIMITS: SweepLimits = {
  maxHosts: 4096,
  maxObservationsPerHost: 64,
  maxErrors: 1000,
  maxBannerPorts: 3,
  maxLocationsPerHost: 2,
  maxHostMs: 8000,
  maxConcurrentPerHost: 2,
};

export interface SweepOptions {
  interfaces: readonly NetInterface[];
  discoverers: readonly Discoverer[];
  enrichers: Enrichers;
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
  http: HttpClient;
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
  /** The unicast prober; injectable for tests. */
  probeUnicast?: (ctx: UnicastContext) => Promise<UnicastStats>;
  /** Opens the discovery sockets (default: the host's, openUdpSocket). */
  udp?: UdpFactory;
}

/**
 * One sweep: every discoverer on every interface for the listen window, and, with targets,
 * unicast probes to every target address; each host is enriched (ONVIF device service, UPnP
 * description, HTTP banner) as soon as it is seen, on that host only, and only when it is
 * on a swept segment or inside a target range and not excluded; then everything is merged
 * into devices. A failing protocol, interface, host or reply is recorded in `errors` and
 * never stops the rest.
 */
export async function runSweep(options: SweepOptions): Promise<SweepResult> {
  const now = options.now ?? (() => new Date());
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const log = options.log.child({ module: 'sweep' });
  const startedAt = now();
  // Debug: how long each phase took and the process's memory after it (the profile in
  // docs/decisions/window.md was read from these lines).
  const t0 = performance.now();
  const phase = (name: string, fields: () => Record<string, unknown> = () => ({})): void => {
    if (!log.isLevelEnabled('debug')) return;
    const { rss, heapUsed } = process.memoryUsage();
    log.debug({ phase: { name, atMs: Math.round(performance.now() - t0), rssMb: Math.round(rss / 2 ** 20), heapMb: Math.round(heapUsed / 2 ** 20), ...fields() } }, 'sweep phase');
  };

  const errors: SweepError[] = [];
  const errorKeys = new Set<string>();
  let errorsDropped = 0;
  // The same problem from the same host (a junk reply to each of our repeated probes) is one error.
  const recordError = (err: SweepError): void => {
    const key = [err.code, err.ip, err.protocol, err.interface, err.message].join('\u0000');
    if (errorKeys.has(key)) return;
    if (errors.length >= limits.maxErrors) {
      errorsDropped += 1;
      return;
    }
    errorKeys.add(key);
    errors.push(err);
  };

  phase('start');
  const observations = new Map<string, Observation[]>();
  let hostsDropped = 0;
  const window = new AbortController();
  const listen = openListenWindow({ maxMs: options.windowMs, ...(options.settle ? { idleMs: options.settle.idleMs } : {}) });
  const enrichAbort = new AbortController();
  const limiter = createLimiter(options.enrichConcurrency);
  const enrichTasks: Array<Promise<void>> = [];
  const started = new Set<string>();
  const hosts = new Map<string, HostEnrichment>();
  const hostOf = (ip: string): HostEnrichment => {
    let host = hosts.get(ip);
    if (!host) {
      host = { limiter: createLimiter(limits.maxConcurrentPerHost), budget: undefined, overBudget: false, unsent: 0, bannerPorts: new Set(), locations: new Set() };
      hosts.set(ip, host);
    }
    return host;
  };

  const scope = createScope({ interfaces: options.interfaces, targets: options.targets?.ranges ?? [], exclude: options.exclude ?? [] });
  let excludedReplies = 0;
  const pacing = options.rate ?? DEFAULT_UNICAST_RATE;
  const rate: RateLimiter | undefined = options.targets ? createRateLimiter({ perSecond: pacing.packetsPerSecond }) : undefined;
  const hasEnrichers = Boolean(options.enrichers.onvif ?? options.enrichers.upnp ?? options.enrichers.banner);

  const audit = options.audit;
  const datagramAudit = (protocol: Protocol, iface: string | undefined): DatagramAudit => auditDatagrams(audit, now, protocol, iface);
  const auditedHttp = (protocol: Protocol): HttpClient => auditHttp(audit, now, protocol, options.http);

  // Requests to a routed host share the unicast probes' rate limit.
  const pacedHttp = (client: HttpClient, ip: string): HttpClient => {
    if (!rate || scope.localInterface(ip) !== undefined) return client;
    return async (req) => {
      if (!(await rate.take(enrichAbort.signal))) throw new CamsweepError('HTTP_ABORTED', 'request aborted');
      return client(req);
    };
  };

  const enrichContext = (ip: string, protocol: Protocol, signal: AbortSignal): EnrichContext => {
    const credentials = options.credentialsFor(ip);
    return {
      signal,
      http: pacedHttp(auditedHttp(protocol), ip),
      log: options.log.child({ module: 'enrich' }),
      requestTimeoutMs: options.requestTimeoutMs,
      maxBodyBytes: options.maxBodyBytes,
      now,
      ...(credentials ? { credentials } : {}),
    };
  };

  const noteOverBudget = (ip: string, host: HostEnrichment): void => {
    if (host.overBudget) return;
    host.overBudget = true;
    recordError({ code: 'ENRICH_HOST_TIME', message: `enrichment of this host passed ${limits.maxHostMs} ms: the request in flight was aborted and the rest not sent`, ip });
  };

  const schedule = (
    key: string,
    protocol: Protocol,
    ip: string,
    iface: string | undefined,
    task: (ctx: EnrichContext) => Promise<EnrichResult>,
  ): void => {
    if (started.has(key)) return;
    started.add(key);
    const host = hostOf(ip);
    const enrich = async (): Promise<void> => {
      if (enrichAbort.signal.aborted) {
        host.unsent += 1;
        return;
      }
      // The host's budget starts with its first request and ends with the sweep's.
      host.budget ??= AbortSignal.any([enrichAbort.signal, AbortSignal.timeout(limits.maxHostMs)]);
      const signal = host.budget;
      const budgetSpent = (): boolean => signal.aborted && !enrichAbort.signal.aborted;
      if (budgetSpent()) {
        noteOverBudget(ip, host);
        return;
      }
      let result: EnrichResult;
      try {
        result = await task(enrichContext(ip, protocol, signal));
      } catch (err) {
        // Enrichers promise never to throw; if one does, it is a bug we record, not a crash.
        recordError({ code: errorCode(err, 'ENRICH_FAILED'), message: errorMessage(err), ip });
        return;
      }
      for (const obs of result.observations) accept({ ...obs, ip, ...(iface && !obs.interface ? { interface: iface } : {}) }, false);
      for (const e of result.errors) recordError(e);
      if (budgetSpent()) noteOverBudget(ip, host);
    };
    // The host's own slot first, then a sweep slot: waiting for a busy host holds no sweep slot.
    enrichTasks.push(host.limiter.run(() => limiter.run(enrich)));
  };

  let ipv6Skipped = false;
  const accept = (obs: Observation, fromDiscovery: boolean): void => {
    if (scope.excluded(obs.ip)) {
      excludedReplies += 1;
      return;
    }
    let list = observations.get(obs.ip);
    if (!list) {
      if (observations.size >= limits.maxHosts) {
        hostsDropped += 1;
        return;
      }
      list = [];
      observations.set(obs.ip, list);
    }
    if (list.length >= limits.maxObservationsPerHost) return;
    list.push(obs);
    if (fromDiscovery) listen.activity();
    if (!fromDiscovery || !hasEnrichers) return;

    const { ip } = obs;
    if (ip.includes(':')) {
      // IPv6 replies feed discovery only: enrichment speaks IPv4 (docs/decisions/ipv6.md).
      if (!ipv6Skipped) options.log.debug({ device: { ip } }, 'ipv6 replies are not enriched');
      ipv6Skipped = true;
      return;
    }
    if (!scope.mayContact(ip)) {
      recordError({ code: 'SWEEP_OUT_OF_SCOPE', message: 'replied from outside every swept segment and target range: not contacted beyond discovery', ip });
      return;
    }
    const iface = obs.interface;
    const xaddrs = obs.endpoints?.xaddrs ?? [];
    if (options.enrichers.onvif && xaddrs.length > 0 && speaksOnvif(obs)) {
      const onvif = options.enrichers.onvif;
      schedule(`onvif:${ip}`, 'onvif', ip, iface, (ctx) => onvif({ ip, xaddrs }, ctx));
    }
    const location = obs.endpoints?.location;
    if (options.enrichers.upnp && location) {
      const upnp = options.enrichers.upnp;
      const { locations } = hostOf(ip);
      if (!locations.has(location) && locations.size < limits.maxLocationsPerHost) {
        locations.add(location);
        schedule(`upnp:${ip}:${location}`, 'upnp', ip, iface, (ctx) => upnp({ ip, location }, ctx));
      }
    }
    if (options.enrichers.banner) {
      const banner = options.enrichers.banner;
      const ports = hostOf(ip).bannerPorts;
      for (const port of [80, ...(obs.endpoints?.httpPorts ?? [])]) {
        if (ports.has(port)) continue;
        if (ports.size >= limits.maxBannerPorts) break;
        ports.add(port);
        schedule(`banner:${ip}:${port}`, 'http', ip, iface, (ctx) => banner({ ip, port }, ctx));
      }
    }
  };

  const udp = options.udp ?? openUdpSocket;
  const runs: Array<Promise<void>> = [];
  for (const iface of options.interfaces) {
    for (const discoverer of options.discoverers) {
      const dlog = options.log.child({ interface: iface.name });
      const member = listen.join();
      runs.push(
        discoverer
          .run({
            iface,
            signal: window.signal,
            windowMs: options.windowMs,
            udp,
            log: dlog,
            emit: (obs) => accept({ ...obs, interface: obs.interface ?? iface.name }, true),
            audit: datagramAudit(discoverer.protocol, iface.name),
            error: (err) => recordError({ interface: iface.name, protocol: discoverer.protocol, ...err }),
            expectReplies: (withinMs, last) => member.expectReplies(withinMs, last),
          })
          .catch((err: unknown) => {
            recordError({
              code: errorCode(err, 'DISCOVERY_FAILED'),
              message: errorMessage(err),
              protocol: discoverer.protocol,
              interface: iface.name,
            });
          })
          .finally(() => member.finished()),
      );
    }
  }

  const own = new Set(options.interfaces.map((i) => i.address));
  const unicastAddresses = (options.targets?.addresses ?? []).filter((ip) => scope.inTargets(ip) && !scope.excluded(ip) && !own.has(ip));
  let unicastRun: Promise<void> = Promise.resolve();
  if (rate && unicastAddresses.length > 0) {
    const probe = options.probeUnicast ?? runUnicastProbe;
    log.info(
      { unicast: { addresses: unicastAddresses.length, packetsPerSecond: pacing.packetsPerSecond, concurrency: pacing.concurrency } },
      'probing target addresses by unicast',
    );
    unicastRun = probe({
      addresses: unicastAddresses,
      ...(options.unicastProtocols === undefined ? {} : { protocols: options.unicastProtocols }),
      rate,
      udp,
      concurrency: pacing.concurrency,
      listenMs: options.windowMs,
      ...(options.settle ? { idleMs: options.settle.idleMs } : {}),
      log: options.log,
      interfaceOf: (ip) => scope.localInterface(ip),
      emit: (obs) => accept(obs, true),
      error: recordError,
      audit: (protocol) => datagramAudit(protocol, undefined),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    }).then(
      (stats) => log.debug({ unicast: stats }, 'unicast probing finished'),
      (err: unknown) => recordError({ code: errorCode(err, 'UNICAST_FAILED'), message: errorMessage(err) }),
    );
  }

  const windowOutcome = await listen.closed;
  phase('window', () => ({ closed: windowOutcome.reason, maxMs: options.windowMs, hosts: observations.size }));
  window.abort();
  await Promise.all(runs);
  // The unicast listen window starts after its last probe: it may outlast the multicast one.
  await unicastRun;

  // Enrichment that started late in the window gets a bounded grace period, then is aborted.
  const graceTimer = setTimeout(() => enrichAbort.abort(), options.enrichGraceMs);
  const settle = async (): Promise<void> => {
    // Tasks may schedule no new tasks after the window, but loop in case one was queued late.
    let seen = -1;
    while (seen !== enrichTasks.length) {
      seen = enrichTasks.length;
      await Promise.all(enrichTasks);
    }
  };
  await settle();
  clearTimeout(graceTimer);
  enrichAbort.abort();
  phase('enriched', () => ({ tasks: enrichTasks.length, observations: [...observations.values()].reduce((n, list) => n + list.length, 0) }));

  // Summaries of what the bounds cut are always kept, whatever the error cap.
  if (hostsDropped > 0) {
    errors.push({ code: 'SWEEP_HOST_LIMIT', message: `${hostsDropped} replies from hosts beyond the limit of ${limits.maxHosts} were dropped` });
  }
  const unsent = [...hosts.values()].filter((h) => h.unsent > 0);
  if (unsent.length > 0) {
    errors.push({
      code: 'ENRICH_NOT_STARTED',
      message: `${unsent.reduce((n, h) => n + h.unsent, 0)} enrichment request(s) for ${unsent.length} host(s) were never sent: enrich.grace (${options.enrichGraceMs} ms after the window) ran out first; raise enrich.concurrency or enrich.grace`,
    });
  }
  if (errorsDropped > 0) {
    errors.push({ code: 'SWEEP_ERROR_LIMIT', message: `${errorsDropped} further errors were not kept` });
  }

  if (excludedReplies > 0) log.info({ excluded: excludedReplies }, 'replies from excluded addresses dropped');

  const neighbours = await options.neighbours();
  const merged = mergeObservations({ observations: [...observations.values()].flat(), neighbours });
  phase('merged', () => ({ devices: merged.length }));
  const devices = merged.map((d) => options.judge(d, startedAt));
  phase('judged');
  const finishedAt = now();
  log.info({ sweep: { devices: devices.length, errors: errors.length, ms: finishedAt.getTime() - startedAt.getTime() } }, 'sweep finished');

  return {
    schema: 'camsweep.sweep/v1',
    id: options.sweepId ?? randomUUID(),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    interfaces: options.interfaces.map(({ name, address, netmask, mac }) => ({ name, address, netmask, mac })),
    devices,
    errors,
    window: { reason: windowOutcome.reason, ms: windowOutcome.ms, maxMs: options.windowMs },
  };
}

/**
 * Whether a WS-Discovery reply comes from an ONVIF device, whose XAddrs are an ONVIF device
 * service. Printers and Windows hosts answer WS-Discovery too (wprt:PrintDeviceType,
 * pub:Computer); their XAddrs are other services and are not sent ONVIF requests.
 */
export function speaksOnvif(obs: Observation): boolean {
  return obs.evidence.some(
    (e) => e.field.startsWith('onvif.scope.') || (e.field === 'wsd.type' && /NetworkVideo(Transmitter|Storage|Display)$/u.test(e.value)),
  );
}
