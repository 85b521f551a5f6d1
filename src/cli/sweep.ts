import type { LevelWithSilent } from 'pino';
import { loadConfig, credentialsFor, type Config } from '../config/load.ts';
import { selectInterfaces } from '../discovery/interfaces.ts';
import { readNeighbours } from '../discovery/neighbours.ts';
import type { Discoverer } from '../discovery/types.ts';
import { createWsDiscovery } from '../discovery/wsd/index.ts';
import { createSsdpDiscovery } from '../discovery/ssdp/index.ts';
import { createMdnsDiscovery } from '../discovery/mdns/index.ts';
import { enrichOnvif } from '../enrich/onvif.ts';
import { enrichUpnp } from '../enrich/upnp.ts';
import { httpBanner } from '../enrich/banner.ts';
import { boundedRequest } from '../util/http.ts';
import { createLogger } from '../util/log.ts';
import { runSweep, type Enrichers } from '../sweep/sweep.ts';
import { formatResult, type OutputFormat } from '../output/format.ts';
import type { DeviceStatus } from '../domain/types.ts';
import { CamsweepError } from '../domain/errors.ts';
import type { CliIo } from './main.ts';

export interface SweepCliOptions {
  interface: string[];
  timeout?: number;
  format?: OutputFormat;
  config?: string;
  failOn?: 'restricted' | 'review';
  mx?: number;
  enrich: boolean;
  logLevel?: LevelWithSilent;
  quiet?: boolean;
}

/** Statuses that trip `--fail-on X`: X and anything more severe. */
const FAIL_ON: Record<'restricted' | 'review', readonly DeviceStatus[]> = {
  restricted: ['restricted'],
  review: ['restricted', 'review'],
};

export function buildDiscoverers(config: Config): Discoverer[] {
  const all: Record<Config['sweep']['protocols'][number], () => Discoverer> = {
    wsd: () => createWsDiscovery(),
    ssdp: () => createSsdpDiscovery({ mx: config.sweep.mx }),
    mdns: () => createMdnsDiscovery(),
  };
  return config.sweep.protocols.map((p) => all[p]());
}

export async function runSweepCommand(opts: SweepCliOptions, io: CliIo): Promise<number> {
  const config = loadConfig(opts.config === undefined ? {} : { file: opts.config });
  const level: LevelWithSilent = opts.quiet ? 'error' : (opts.logLevel ?? config.log.level);
  const log = createLogger({ level });
  const names = opts.interface.length > 0 ? opts.interface : config.sweep.interfaces;
  const interfaces = selectInterfaces(names);
  if (interfaces.length === 0) {
    throw new CamsweepError('NO_INTERFACE', 'no up, non-loopback interface with an IPv4 address to probe from (name one with --interface)');
  }
  const enrichers: Enrichers =
    opts.enrich && config.enrich.enabled ? { onvif: enrichOnvif, upnp: enrichUpnp, banner: httpBanner } : {};
  const result = await runSweep({
    interfaces,
    discoverers: buildDiscoverers({ ...config, sweep: { ...config.sweep, mx: opts.mx ?? config.sweep.mx } }),
    enrichers,
    windowMs: opts.timeout !== undefined ? Math.round(opts.timeout * 1000) : config.sweep.windowMs,
    enrichGraceMs: config.enrich.graceMs,
    requestTimeoutMs: config.enrich.requestTimeoutMs,
    maxBodyBytes: config.enrich.maxBodyBytes,
    enrichConcurrency: config.enrich.concurrency,
    http: boundedRequest,
    credentialsFor: (ip) => credentialsFor(config, ip),
    neighbours: () => readNeighbours(),
    log,
  });
  const format: OutputFormat = opts.format ?? (io.isTty ? 'table' : 'json');
  io.stdout(formatResult(result, format));
  if (opts.failOn) {
    const trip = FAIL_ON[opts.failOn];
    if (result.devices.some((d) => trip.includes(d.status))) return 3;
  }
  return 0;
}
