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
 * costs no fetch. Only a description read whole is kept (no errors); at most `maxEntries`
 * and `maxBytes` of evidence, the least recently used dropped first.
 */
export interface DescriptionCacheOptions {
  maxEntries: number;
  /** Evidence kept in all, bytes (default DEFAULT_DESCRIPTION_CACHE_BYTES). */
  maxBytes?: number;
  now: () => number;
  /** Max-age when a NOTIFY gives none (UDA's minimum). */
  defaultMaxAgeS?: number;
  /** The fetch (default enrichUpnp: same host only, bounded, audited through ctx.http). */
  fetch?: (target: { ip: string; location: string }, ctx: EnrichContext) => Promise<EnrichResult>;
}

export interface DescriptionCache {
  /** A NOTIFY from `ip` said this: its entry, if it still matches, lives max-age longer; if not, it is dropped. Another host's is untouched. */
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
  bytes: number;
  bootId: string | undefined;
  configId: string | undefined;
  expiresAt: number;
  result: EnrichResult;
}

export const DEFAULT_DESCRIPTION_MAX_AGE_S = 1800;
export const DEFAULT_DESCRIPTION_CACHE_BYTES = 8 * 1024 * 1024;

const sizeOf = (result: EnrichResult): number =>
  result.observations.reduce((n, o) => n + o.evidence.reduce((m, e) => m + e.field.length + e.value.length + 16, 64), 0);

export function createDescriptionCache(options: DescriptionCacheOptions): DescriptionCache {
  const entries = new Map<string, Entry>();
  const maxBytes = options.maxBytes ?? DEFAULT_DESCRIPTION_CACHE_BYTES;
  let bytes = 0;
  const drop = (location: string): void => {
    const e = entries.get(location);
    if (e === undefined) return;
    bytes -= e.bytes;
    entries.delete(location);
  };
  const fetch = options.fetch ?? enrichUpnp;
  const maxAgeMs = (hint: DescriptionHint | undefined): number => (hint?.maxAgeS ?? options.defaultMaxAgeS ?? DEFAULT_DESCRIPTION_MAX_AGE_S) * 1000;
  let hits = 0;
  let misses = 0;

  const matches = (e: Entry, ip: string, hint: DescriptionHint | undefined): boolean =>
    e.ip === ip && e.bootId === hint?.bootId && e.configId === hint?.configId && options.now() < e.expiresAt;

  return {
    note(ip, hint) {
      const e = entries.get(hint.location);
      // Another host naming the same LOCATION says nothing of this entry (it would only force fetches).
      if (e === undefined || e.ip !== ip) return;
      if (e.bootId === hint.bootId && e.configId === hint.configId) e.expiresAt = Math.max(e.expiresAt, options.now() + maxAgeMs(hint));
      else drop(hint.location);
    },
    forget(ip) {
      for (const [location, e] of entries) if (e.ip === ip) drop(location);
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
        const size = sizeOf(result);
        if (options.maxEntries > 0 && size <= maxBytes && result.errors.length === 0 && result.observations.length > 0) {
          drop(target.location);
          while (entries.size > 0 && (entries.size >= options.maxEntries || bytes + size > maxBytes)) {
            const oldest = entries.keys().next().value;
            if (oldest === undefined) break;
            drop(oldest);
          }
          entries.set(target.location, { ip: target.ip, bytes: size, bootId: hint?.bootId, configId: hint?.configId, expiresAt: options.now() + maxAgeMs(hint), result });
          bytes += size;
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
