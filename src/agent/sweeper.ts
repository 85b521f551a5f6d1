import { credentialsFor, type Config } from '../config/load.ts';
import { selectInterfaces } from '../discovery/interfaces.ts';
import { readNeighbours } from '../discovery/neighbours.ts';
import type { Discoverer } from '../discovery/types.ts';
import { createWsDiscovery } from '../discovery/wsd/index.ts';
import { createSsdpDiscovery } from '../discovery/ssdp/index.ts';
import { createMdnsDiscovery } from '../discovery/mdns/index.ts';
import { createSadpDiscovery } from '../discovery/sadp/index.ts';
import { createDhipDiscovery } from '../discovery/dhip/index.ts';
import { enrichOnvif } from '../enrich/onvif.ts';
import { enrichUpnp } from '../enrich/upnp.ts';
import { httpBanner } from '../enrich/banner.ts';
import { boundedRequest } from '../util/http.ts';
import type { Logger } from '../util/log.ts';
import { runSweep, type Enrichers } from '../sweep/sweep.ts';
import { createAuditSink } from '../sweep/audit-file.ts';
import { judgeDevice, type Judge } from '../sweep/judge.ts';
import { loadFingerprintDb } from '../fingerprint/index.ts';
import { loadPolicy } from '../policy/load.ts';
import type { SweepResult } from '../domain/types.ts';
import { CamsweepError } from '../domain/errors.ts';

/** What may differ from the configuration for one sweep (command-line flags). */
export interface SweepOverrides {
  interfaces?: readonly string[];
  windowMs?: number;
  mx?: number;
  enrich?: boolean;
  auditFile?: string;
}

/** A sweep, ready to run as often as wanted with the same loaded database, policy and settings. */
export interface Sweeper {
  run(): Promise<SweepResult>;
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
  const judge: Judge = {
    db: loadFingerprintDb(),
    policy: loadPolicy({ packs: config.policy.packs, customFiles: config.policy.files }),
    threshold: config.policy.threshold,
  };
  const names = overrides.interfaces && overrides.interfaces.length > 0 ? overrides.interfaces : config.sweep.interfaces;
  const pickInterfaces = (): ReturnType<typeof selectInterfaces> => {
    const interfaces = selectInterfaces(names);
    if (interfaces.length === 0) {
      throw new CamsweepError('NO_INTERFACE', 'no up, non-loopback interface with an IPv4 address to probe from (name one with --interface)');
    }
    return interfaces;
  };
  pickInterfaces();
  const enrichers: Enrichers =
    (overrides.enrich ?? true) && config.enrich.enabled ? { onvif: enrichOnvif, upnp: enrichUpnp, banner: httpBanner } : {};
  const mx = overrides.mx ?? config.sweep.mx;
  const auditFile = overrides.auditFile ?? config.audit.file;

  return {
    judge,
    async run() {
      const audit = createAuditSink(log, auditFile);
      try {
        return await runSweep({
          interfaces: pickInterfaces(),
          discoverers: buildDiscoverers(config.sweep.protocols, mx),
          enrichers,
          windowMs: overrides.windowMs ?? config.sweep.windowMs,
          enrichGraceMs: config.enrich.graceMs,
          requestTimeoutMs: config.enrich.requestTimeoutMs,
          maxBodyBytes: config.enrich.maxBodyBytes,
          enrichConcurrency: config.enrich.concurrency,
          http: boundedRequest,
          credentialsFor: (ip) => credentialsFor(config, ip),
          neighbours: () => readNeighbours(),
          log,
          audit: audit.sink,
          judge: (device, asOf) => judgeDevice(device, judge, asOf),
        });
      } finally {
        audit.close();
      }
    },
  };
}
