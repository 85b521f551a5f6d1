import { bannerEnricher } from './banner.ts';
import { faviconEnricher } from './favicon.ts';
import { rtspEnricher } from './rtsp.ts';
import { tlsEnricher } from './tls.ts';
import { onvifEnricher } from './onvif.ts';
import type { Enricher } from './types.ts';
import { upnpEnricher } from './upnp.ts';

/**
 * Every enricher a sweep (or an identification between sweeps) runs, in the order their tasks
 * are queued for a host. A new read-only query (RTSP OPTIONS, a TLS handshake, GET
 * /favicon.ico) is a module that exports an Enricher, and one line here.
 */
export const ENRICHERS: readonly Enricher[] = [onvifEnricher(), upnpEnricher(), bannerEnricher(), faviconEnricher(), rtspEnricher(), tlsEnricher()];
