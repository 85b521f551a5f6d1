import { bannerEnricher } from '../../src/enrich/banner.ts';
import { onvifEnricher } from '../../src/enrich/onvif.ts';
import type { EnrichContext, EnrichResult, Enricher } from '../../src/enrich/types.ts';
import { upnpEnricher } from '../../src/enrich/upnp.ts';

type Query<T> = (target: T, ctx: EnrichContext) => Promise<EnrichResult>;

/** The registered enrichers (src/enrich/registry.ts order) with fake queries, for those given. */
export function fakeEnrichers(queries: {
  onvif?: Query<{ ip: string; xaddrs: string[] }>;
  upnp?: Query<{ ip: string; location: string }>;
  banner?: Query<{ ip: string; port: number }>;
}): Enricher[] {
  return [
    ...(queries.onvif ? [onvifEnricher(queries.onvif)] : []),
    ...(queries.upnp ? [upnpEnricher(queries.upnp)] : []),
    ...(queries.banner ? [bannerEnricher(queries.banner)] : []),
  ];
}
