import type { DescriptionHint } from '../discovery/announcement.ts';
import type { EnrichContext, EnrichResult } from '../enrich/types.ts';
import { enrichUpnp } from '../enrich/upnp.ts';

/**
 * UPnP descriptions by LOCATION, as Home Assistant's description cache keeps them
 * (async_upnp_client's DescriptionCache with its SSDP listener): a description read once is
 * reused while the device's announcements say it has not changed: the same BOOTID.UPNP.ORG
 * and CONFIGID.UPNP.ORG (UDA 1.1: a new boot or configuration changes them), within the
 * CACHE-CONTROL max-age of the last NOTIFY (each one extends it). A byebye from the host drops
 * its entries. So a device re-identified between sweeps, or one that repeats its NOTIFYs,
 * costs no fetch. Only a description read whole is kept (no errors); at most `maxEntries`,
 * the least recently used dropped first.
 */
export interface DescriptionCacheOptions {
  maxEntries: number;
  now: () => number;
  /** Max-age when a NOTIFY gives none (UDA's minimum). */
  defaultMaxAgeS?: number;
  /** The fetch (default enrichUpnp: same host only, bounded, audited through ctx.http). */
  fetch?: (target: { ip: string; location: string }, ctx: EnrichContext) => Promise<EnrichResult>;
}

export interface DescriptionCache {
  /** A NOTIFY said this: an entry it still matches lives max-age longer; one it no longer matches is dropped. */
  note(ip: string, hint: DescriptionHint): void;
  /** The host said goodbye: its entries go. */
  forget(ip: string): void;
  /** The UPnP query for an identification: the cached description when `hints` says it still holds, else a fetch. */
  query(hints: ReadonlyMap<string, DescriptionHint>): (target: { ip: string; location: string }, ctx: EnrichContext) => Promise<EnrichResult>;
  readonly size: number;
  readonly hits: number;
  readonly misses: number;
}

interface Entry {
  ip: string;
  bootId: string | undefined;
  configId: string | undefined;
  expiresAt: number;
  result: EnrichResult;
}

export const DEFAULT_DESCRIPTION_MAX_AGE_S = 1800;

export function createDescriptionCache(options: DescriptionCacheOptions): DescriptionCache {
  const entries = new Map<string, Entry>();
  const fetch = options.fetch ?? enrichUpnp;
  const maxAgeMs = (hint: DescriptionHint | undefined): number => (hint?.maxAgeS ?? options.defaultMaxAgeS ?? DEFAULT_DESCRIPTION_MAX_AGE_S) * 1000;
  let hits = 0;
  let misses = 0;

  const matches = (e: Entry, ip: string, hint: DescriptionHint | undefined): boolean =>
    e.ip === ip && e.bootId === hint?.bootId && e.configId === hint?.configId && options.now() < e.expiresAt;

  return {
    note(ip, hint) {
      const e = entries.get(hint.location);
      if (e === undefined) return;
      if (e.ip === ip && e.bootId === hint.bootId && e.configId === hint.configId) e.expiresAt = Math.max(e.expiresAt, options.now() + maxAgeMs(hint));
      else entries.delete(hint.location);
    },
    forget(ip) {
      for (const [location, e] of entries) if (e.ip === ip) entries.delete(location);
    },
    query(hints) {
      return async (target, ctx) => {
        const hint = hints.get(target.location);
        const cached = entries.get(target.location);
        if (cached !== undefined && matches(cached, target.ip, hint)) {
          hits += 1;
          entries.delete(target.location);
          entries.set(target.location, cached);
          ctx.log.debug({ device: { ip: target.ip } }, 'upnp: description from the cache');
          return cached.result;
        }
        misses += 1;
        const result = await fetch(target, ctx);
        if (options.maxEntries > 0 && result.errors.length === 0 && result.observations.length > 0) {
          entries.delete(target.location);
          if (entries.size >= options.maxEntries) {
            const oldest = entries.keys().next().value;
            if (oldest !== undefined) entries.delete(oldest);
          }
          entries.set(target.location, { ip: target.ip, bootId: hint?.bootId, configId: hint?.configId, expiresAt: options.now() + maxAgeMs(hint), result });
        }
        return result;
      };
    },
    get size() {
      return entries.size;
    },
    get hits() {
      return hits;
    },
    get misses() {
      return misses;
    },
  };
}
