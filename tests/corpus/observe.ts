import { readFileSync } from 'node:fs';
import { errorCode } from '../../src/domain/errors.ts';
import type { Observation } from '../../src/domain/types.ts';
import { dahuaV1ToObservation, decodeDahua, dhipToObservation } from '../../src/discovery/dhip/decode.ts';
import { decodeMdnsResponse, mdnsToObservations } from '../../src/discovery/mdns/decode.ts';
import { decodeSadp, sadpToObservation } from '../../src/discovery/sadp/decode.ts';
import { parseSsdpMessage, ssdpToObservation } from '../../src/discovery/ssdp/decode.ts';
import { decodeProbeMatches, probeMatchToObservation } from '../../src/discovery/wsd/decode.ts';
import { bannerEvidence } from '../../src/enrich/banner.ts';
import { enrichOnvif } from '../../src/enrich/onvif.ts';
import { parseUpnpDescription } from '../../src/enrich/upnp.ts';
import type { HttpClient, HttpResponse } from '../../src/util/http.ts';
import { silentLogger } from '../../src/util/log.ts';
import { xmlNamespaces } from '../../src/util/xml.ts';
import {
  devinfoFromMagicBox,
  devinfoFromRpcConsole,
  dhipBodyFromCsvRow,
  dhipBodyFromDevinfo,
  dhipBodyFromPrintable,
  dhipBodyFromRubyPp,
  frameDhip,
} from './convert/dahua.ts';
import { httpFromCsvRow, portFromCsvRow } from './convert/http.ts';
import { mdnsFromShadowserverRow, mdnsFromTxtPlaceholders } from './convert/mdns.ts';
import { deviceInformationResponse, elixirQuoted, fromEdgexYaml, fromGb28181, fromPythonOnvif, fromReolinkApi, type DeviceInformationValues } from './convert/onvif.ts';
import { parseRecogExtract, recogHttpResponse } from './convert/recog.ts';
import { parseNmapUpnp, parseNoddosSsdp, ssdpFromCsvRow, ssdpFromJsonl } from './convert/ssdp.ts';
import { mapFields, NMAP_FIELDS, NODDOS_FIELDS, upnpDescription } from './convert/upnp.ts';
import { nmapWsdd, probeMatchesEnvelope, scopesFromJson, zmonvifProbe } from './convert/wsd.ts';
import type { OnvifOperation, Reader } from './types.ts';

/**
 * Capture -> observations, through the real decoders and enrichers (nothing is sent: the
 * ONVIF enricher talks to a fake HTTP client that serves the capture). `ip` is the address
 * the reply comes from: a documentation address (192.0.2.x), except for raw mDNS replies,
 * which come from the address their own A record gives (see `mdnsSource`).
 */

export const FIXTURES_DIR = new URL('../fixtures/', import.meta.url);

export function readFixture(relative: string): Buffer {
  return readFileSync(new URL(relative, FIXTURES_DIR));
}

/** The clock the enricher sees (only used to time WS-UsernameToken; no verdict depends on it). */
const ENRICH_NOW = new Date('2026-01-01T00:00:00Z');
/** The sweep's default body cap (src/config/schema.ts). */
const MAX_BODY_BYTES = 256 * 1024;
/** Only used when a case runs with operator credentials, as its source did. */
const OPERATOR_CREDENTIALS = { username: 'operator', password: 'not-a-real-password' };

interface SoapAnswer {
  status: number;
  body: string;
}

/** As the reply handler does (src/discovery/wsd/replies.ts): an undecodable reply is an error, and no observation. */
function wsdObservations(text: string, ip: string): Observation[] {
  let decoded;
  try {
    decoded = decodeProbeMatches(text);
  } catch (err) {
    if (errorCode(err) === 'WSD_INVALID') return [];
    throw err;
  }
  const namespaces = xmlNamespaces(text);
  return decoded.matches.map((m) => probeMatchToObservation(m, { ip }, namespaces));
}

/**
 * enrichOnvif against a fake device service at http://<ip>/onvif/device_service. `plain`
 * answers unauthenticated requests per operation; `withToken` answers requests carrying a
 * WS-UsernameToken (the case then runs with operator credentials). An operation the capture
 * does not answer gets an empty HTTP 404: an error, no evidence.
 */
async function onvifObservations(
  ip: string,
  plain: Partial<Record<OnvifOperation, SoapAnswer>>,
  withToken?: Partial<Record<OnvifOperation, SoapAnswer>>,
): Promise<Observation[]> {
  const http: HttpClient = async (req) => {
    const operation = /<tds:(GetSystemDateAndTime|GetDeviceInformation)\/>/u.exec(req.body ?? '')?.[1] as OnvifOperation | undefined;
    const authenticated = (req.body ?? '').includes('UsernameToken');
    const answer = operation === undefined ? undefined : (authenticated ? withToken : plain)?.[operation];
    const res: HttpResponse = answer
      ? { status: answer.status, headers: { 'content-type': 'application/soap+xml' }, body: Buffer.from(answer.body), truncated: false }
      : { status: 404, headers: {}, body: Buffer.alloc(0), truncated: false };
    return res;
  };
  const result = await enrichOnvif(
    { ip, xaddrs: [`http://${ip}/onvif/device_service`] },
    {
      signal: new AbortController().signal,
      http,
      log: silentLogger(),
      requestTimeoutMs: 1500,
      maxBodyBytes: MAX_BODY_BYTES,
      now: () => ENRICH_NOW,
      ...(withToken ? { credentials: OPERATOR_CREDENTIALS } : {}),
    },
  );
  return result.observations;
}

function ssdpObservation(datagram: string | Buffer, ip: string): Observation {
  return ssdpToObservation(parseSsdpMessage(Buffer.isBuffer(datagram) ? datagram : Buffer.from(datagram, 'latin1')), { ip });
}

function upnpObservation(xml: string, ip: string): Observation {
  const d = parseUpnpDescription(xml, MAX_BODY_BYTES);
  const obs: Observation = { protocol: 'upnp', ip, evidence: d.evidence };
  if (Object.keys(d.identifiers).length > 0) obs.identifiers = d.identifiers;
  return obs;
}

function httpObservation(res: HttpResponse, port: number, ip: string): Observation {
  return { protocol: 'http', ip, evidence: bannerEvidence(res, port), endpoints: { httpPorts: [port] } };
}

/**
 * The address a raw mDNS reply comes from: the first A record's, when it has one (a responder
 * answers from the address it announces; from any other address mdnsToObservations rightly
 * treats the services as another host's), else `fallback`.
 */
export function mdnsSource(packet: Buffer, fallback: string): string {
  const decoded = decodeMdnsResponse(packet);
  const a = decoded.kind === 'response' ? decoded.records.find((r) => r.type === 'A') : undefined;
  return a && typeof a.data === 'string' ? a.data : fallback;
}

function mdnsObservations(packet: Buffer, ip: string): Observation[] {
  return mdnsToObservations(decodeMdnsResponse(packet), { ip });
}

function dahuaObservations(datagram: Buffer, ip: string): Observation[] {
  const d = decodeDahua(datagram);
  if (d.kind === 'dhip') return [dhipToObservation(d.info, { ip })];
  if (d.kind === 'v1') return [dahuaV1ToObservation(d.info, { ip })];
  return [];
}

/** Facts of answering DHIP at all, which a record read over another channel does not show. */
const PROTOCOL_ANSWER_FIELDS: ReadonlySet<string> = new Set(['dhip.reply', 'dhip.variant']);

function convertedDhip(datagram: Buffer, ip: string): Observation[] {
  return dahuaObservations(datagram, ip).map((o) => ({ ...o, evidence: o.evidence.filter((e) => !PROTOCOL_ANSWER_FIELDS.has(e.field)) }));
}

function deviceInformationFrom(reader: Extract<Reader, { kind: 'onvif-converted' }>, text: string): DeviceInformationValues {
  switch (reader.from) {
    case 'python-onvif':
      return fromPythonOnvif(text);
    case 'edgex-yaml':
      return fromEdgexYaml(text);
    case 'gb28181':
      return fromGb28181(text, reader.ownerIsFirmware === true);
    case 'reolink-api':
      return fromReolinkApi(text);
  }
}

/** Observations of one case. Throws when a converter cannot read its capture (a broken fixture). */
export async function observe(read: Reader, fixture: Buffer, ip: string): Promise<Observation[]> {
  const text = fixture.toString('utf8');
  switch (read.kind) {
    case 'wsd':
      return wsdObservations(text, ip);
    case 'wsd-scopes-json':
      return wsdObservations(probeMatchesEnvelope({ scopes: scopesFromJson(text, read.device) }), ip);
    case 'wsd-zmonvif':
      return wsdObservations(probeMatchesEnvelope(zmonvifProbe(text, read.line)), ip);
    case 'wsd-nmap':
      return nmapWsdd(text, read.host).flatMap((parts) => wsdObservations(probeMatchesEnvelope(parts), ip));
    case 'onvif':
      return onvifObservations(ip, { [read.answers]: { status: read.status ?? 200, body: text } });
    case 'onvif-401-quoted':
      return onvifObservations(ip, { [read.answers]: { status: 401, body: elixirQuoted(text) } });
    case 'onvif-converted': {
      const body = deviceInformationResponse(deviceInformationFrom(read, text));
      if (read.unauthorizedBody === undefined) return onvifObservations(ip, { GetDeviceInformation: { status: 200, body } });
      const refusal = elixirQuoted(readFixture(read.unauthorizedBody).toString('utf8'));
      return onvifObservations(ip, { GetDeviceInformation: { status: 401, body: refusal } }, { GetDeviceInformation: { status: 200, body } });
    }
    case 'ssdp':
      return [ssdpObservation(fixture, ip)];
    case 'ssdp-jsonl':
      return ssdpFromJsonl(text).map((block) => ssdpObservation(block, ip));
    case 'ssdp-csv':
      return [ssdpObservation(ssdpFromCsvRow(text, read.row), ip)];
    case 'ssdp-c-string-and-description': {
      const { notify, fields } = parseNoddosSsdp(fixture.toString('latin1'));
      return [ssdpObservation(notify, ip), upnpObservation(upnpDescription(mapFields(fields, NODDOS_FIELDS)), ip)];
    }
    case 'upnp':
      return [upnpObservation(text, ip)];
    case 'upnp-nmap': {
      const host = parseNmapUpnp(text).find((h) => h.ip === read.host);
      if (!host) throw new Error(`no host ${read.host} in the nmap output`);
      const headers = [`SERVER: ${host.server}`, ...(host.location ? [`LOCATION: ${host.location}`] : [])];
      return [ssdpObservation(`HTTP/1.1 200 OK\r\n${headers.join('\r\n')}\r\n\r\n`, ip), upnpObservation(upnpDescription(mapFields(host.fields, NMAP_FIELDS)), ip)];
    }
    case 'mdns':
      return mdnsObservations(fixture, mdnsSource(fixture, ip));
    case 'mdns-txt-placeholders':
      return mdnsObservations(mdnsFromTxtPlaceholders(fixture.toString('latin1'), read.instance, read.type), ip);
    case 'mdns-csv':
      return mdnsObservations(mdnsFromShadowserverRow(text, read.row, ip), ip);
    case 'http-recog': {
      const fp = parseRecogExtract(text)[read.fingerprint];
      const example = fp?.examples[read.example];
      if (!fp || example === undefined) throw new Error(`no example ${read.example} of fingerprint ${read.fingerprint}`);
      if (example !== read.value) throw new Error(`example ${read.fingerprint}.${read.example} is ${JSON.stringify(example)}, not ${JSON.stringify(read.value)}`);
      const res = recogHttpResponse(fp.database, example);
      return res ? [httpObservation(res, 80, ip)] : [];
    }
    case 'http-csv':
      return [httpObservation(httpFromCsvRow(text, read.row), portFromCsvRow(text, read.row), ip)];
    case 'sadp': {
      const d = decodeSadp(fixture);
      return d.kind === 'match' ? [sadpToObservation(d.match, { ip })] : [];
    }
    case 'dahua':
      return dahuaObservations(fixture, ip);
    case 'dhip-body': {
      const body = read.from === 'printable' ? dhipBodyFromPrintable(text) : read.from === 'ruby-pp' ? dhipBodyFromRubyPp(text) : text;
      return dahuaObservations(frameDhip(body), ip);
    }
    case 'dhip-csv':
      return dahuaObservations(frameDhip(dhipBodyFromCsvRow(text, read.row)), ip);
    case 'dahua-devinfo-converted': {
      const values = read.from === 'magicbox' ? devinfoFromMagicBox(text) : devinfoFromRpcConsole(text);
      return convertedDhip(frameDhip(dhipBodyFromDevinfo(values)), ip);
    }
  }
}
