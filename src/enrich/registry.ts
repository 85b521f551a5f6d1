import { bannerEnricher } from './banner.ts';
import { faviconEnricher } from './favicon.ts';
import { rtspEnricher } from './rtsp.ts';
import { tlsEnricher } from './tls.ts';
import { onvifEnricher } from './onvif.ts';
import type { Enricher } from './types.ts';
import { upnpEnricher } from './upnp.ts';

/** The enricher as a follow-up: asked of a host once the others' evidence is in, when it is still needed. */
const followUp = (enricher: Enricher): Enricher => ({ ...enricher, followUp: true });

/**
 * Every enricher a sweep (or an identification between sweeps) runs, in the order their tasks
 * are queued for a host. A new read-only query (RTSP OPTIONS, a TLS handshake, GET
 * /favicon.ico) is a module that exports an Enricher, and one line here. The favicon, RTSP
 * and TLS queries are follow-ups: a sweep skips them for a host that what the device declared
 * (its discovery replies, ONVIF, UPnP, the banner) already makes restricted, and asks them of
 * every other host (docs/performance.md).
 */
export const ENRICHERS: readonly Enricher[] = [onvifEnricher(), upnpEnricher(), bannerEnricher(), followUp(faviconEnricher()), followUp(rtspEnricher()), followUp(tlsEnricher())];
