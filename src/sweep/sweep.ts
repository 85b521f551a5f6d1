import { randomUUID } from 'node:crypto';
import type { Logger } from '../util/log.ts';
import type { HttpClient } from '../util/http.ts';
import type { Device, Observation, Protocol, SweepError, SweepResult } from '../domain/types.ts';
import type { AuditSink, DatagramAudit } from '../domain/audit.ts';
import { describeDatagram } from './describe.ts';
import type { Discoverer } from '../discovery/types.ts';
import type { NetInterface } from '../discovery/interfaces.ts';
import type { Credentials, EnrichContext, EnrichResult } from '../enrich/types.ts';
import { errorCode, errorMessage } from '../domain/errors.ts';
import { createLimiter } from '../util/limit.ts';
import { sleep } from '../util/time.ts';
import { mergeObservations } from './merge.ts';

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
}

export const DEFAULT_LIMITS: SweepLimits = {
  maxHosts: 4096,
  maxObservationsPerHost: 64,
  maxErrors: 1000,
  maxBannerPorts: 3,
};

export interface SweepOptions {
  interfaces: readonly NetInterface[];
  discoverers: readonly Discoverer[];
  enrichers: Enrichers;
  /** Listen window: discovery probes and listens this long. */
  windowMs: number;
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
  /** Turns each merged device into a judged one (fingerprints + policy). */
  judge?: (device: Device, asOf: Date) => Device;
}

/**
 * One sweep: every discoverer on every interface for the listen window; each host is
 * enriched (ONVIF device service, UPnP description, HTTP banner) as soon as it is seen, on
 * that host only; then everything is merged into devices. A failing protocol, interface,
 * host or reply is recorded in `errors` and never stops the rest.
 */
export async function runSweep(options: SweepOptions): Promise<SweepResult> {
  const now = options.now ?? (() => new Date());
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const log = options.log.child({ module: 'sweep' });
  const startedAt = now();

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

  const observations = new Map<string, Observation[]>();
  let hostsDropped = 0;
  const window = new AbortController();
  const enrichAbort = new AbortController();
  const limiter = createLimiter(options.enrichConcurrency);
  const enrichTasks: Array<Promise<void>> = [];
  const started = new Set<string>();
  const bannerPorts = new Map<string, Set<number>>();

  const audit = options.audit;
  const datagramAudit =
    (protocol: Protocol, iface: string): DatagramAudit =>
    ({ address, port, payload }) =>
      audit?.({ at: now().toISOString(), transport: 'udp', protocol, interface: iface, destination: address, port, message: describeDatagram(protocol, payload), bytes: payload.length });
  const auditedHttp = (protocol: Protocol): HttpClient => {
    if (!audit) return options.http;
    return (req) => {
      let destination = '';
      let port = 80;
      let path = req.url;
      try {
        const u = new URL(req.url);
        destination = u.hostname.replace(/^\[|\]$/gu, '');
        port = u.port === '' ? 80 : Number(u.port);
        path = `${u.pathname}${u.search}`;
      } catch {
        // an unparseable URL is refused by the client; record it as given
      }
      const operation = req.body ? /<(?:[\w-]+:)?Body>\s*<(?:[\w-]+:)?(\w{1,64})/u.exec(req.body)?.[1] : undefined;
      audit({
        at: now().toISOString(),
        transport: 'tcp',
        protocol,
        destination,
        port,
        message: `${req.method ?? 'GET'} ${path}${operation ? ` ${operation}` : ''}`,
        bytes: req.body ? Buffer.byteLength(req.body) : 0,
      });
      return options.http(req);
    };
  };

  const enrichContext = (ip: string, protocol: Protocol): EnrichContext => {
    const credentials = options.credentialsFor(ip);
    return {
      signal: enrichAbort.signal,
      http: auditedHttp(protocol),
      log: options.log.child({ module: 'enrich' }),
      requestTimeoutMs: options.requestTimeoutMs,
      maxBodyBytes: options.maxBodyBytes,
      now,
      ...(credentials ? { credentials } : {}),
    };
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
    const run = limiter.run(async () => {
      if (enrichAbort.signal.aborted) return;
      let result: EnrichResult;
      try {
        result = await task(enrichContext(ip, protocol));
      } catch (err) {
        // Enrichers promise never to throw; if one does, it is a bug we record, not a crash.
        recordError({ code: errorCode(err, 'ENRICH_FAILED'), message: errorMessage(err), ip });
        return;
      }
      for (const obs of result.observations) accept({ ...obs, ip, ...(iface && !obs.interface ? { interface: iface } : {}) }, false);
      for (const e of result.errors) recordError(e);
    });
    enrichTasks.push(run);
  };

  const accept = (obs: Observation, fromDiscovery: boolean): void => {
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
    if (!fromDiscovery) return;

    const { ip } = obs;
    const iface = obs.interface;
    const xaddrs = obs.endpoints?.xaddrs ?? [];
    if (options.enrichers.onvif && xaddrs.length > 0 && speaksOnvif(obs)) {
      const onvif = options.enrichers.onvif;
      schedule(`onvif:${ip}`, 'onvif', ip, iface, (ctx) => onvif({ ip, xaddrs }, ctx));
    }
    const location = obs.endpoints?.location;
    if (options.enrichers.upnp && location) {
      const upnp = options.enrichers.upnp;
      schedule(`upnp:${ip}:${location}`, 'upnp', ip, iface, (ctx) => upnp({ ip, location }, ctx));
    }
    if (options.enrichers.banner) {
      const banner = options.enrichers.banner;
      const ports = bannerPorts.get(ip) ?? new Set<number>();
      bannerPorts.set(ip, ports);
      for (const port of [80, ...(obs.endpoints?.httpPorts ?? [])]) {
        if (ports.has(port)) continue;
        if (ports.size >= limits.maxBannerPorts) break;
        ports.add(port);
        schedule(`banner:${ip}:${port}`, 'http', ip, iface, (ctx) => banner({ ip, port }, ctx));
      }
    }
  };

  const runs: Array<Promise<void>> = [];
  for (const iface of options.interfaces) {
    for (const discoverer of options.discoverers) {
      const dlog = options.log.child({ interface: iface.name });
      runs.push(
        discoverer
          .run({
            iface,
            signal: window.signal,
            windowMs: options.windowMs,
            log: dlog,
            emit: (obs) => accept({ ...obs, interface: obs.interface ?? iface.name }, true),
            audit: datagramAudit(discoverer.protocol, iface.name),
            error: (err) => recordError({ interface: iface.name, protocol: discoverer.protocol, ...err }),
          })
          .catch((err: unknown) => {
            recordError({
              code: errorCode(err, 'DISCOVERY_FAILED'),
              message: errorMessage(err),
              protocol: discoverer.protocol,
              interface: iface.name,
            });
          }),
      );
    }
  }

  await sleep(options.windowMs);
  window.abort();
  await Promise.all(runs);

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

  // Summaries of what the bounds cut are always kept, whatever the error cap.
  if (hostsDropped > 0) {
    errors.push({ code: 'SWEEP_HOST_LIMIT', message: `${hostsDropped} replies from hosts beyond the limit of ${limits.maxHosts} were dropped` });
  }
  if (errorsDropped > 0) {
    errors.push({ code: 'SWEEP_ERROR_LIMIT', message: `${errorsDropped} further errors were not kept` });
  }

  const neighbours = await options.neighbours();
  const merged = mergeObservations({ observations: [...observations.values()].flat(), neighbours });
  const judge = options.judge;
  const devices = judge ? merged.map((d) => judge(d, startedAt)) : merged;
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
