import { evidenceList } from '../domain/evidence.ts';
import { ERR, CamsweepError, errorMessage } from '../domain/errors.ts';
import { PROTOCOLS, type Evidence, type Observation, type Protocol } from '../domain/types.ts';
import { dahuaV1ToObservation, decodeDahua, dhipToObservation } from '../discovery/dhip/decode.ts';
import { decodeDhipBody } from '../discovery/dhip/device-info.ts';
import { decodeMdnsResponse, mdnsToObservations } from '../discovery/mdns/decode.ts';
import { decodeSadp, sadpToObservation } from '../discovery/sadp/decode.ts';
import { parseSsdpMessage, ssdpToObservation } from '../discovery/ssdp/decode.ts';
import { decodeProbeMatches, probeMatchToObservation } from '../discovery/wsd/decode.ts';
import { parseOnvifScope } from '../discovery/wsd/scopes.ts';
import { bannerEvidence } from '../enrich/banner.ts';
import { decodeSoapReply, parseDeviceInformation, parseSystemDateAndTime } from '../enrich/onvif.ts';
import { rtspEvidence } from '../enrich/rtsp-evidence.ts';
import { certificateEvidence, certificatesFromPem } from '../enrich/tls-evidence.ts';
import { parseUpnpDescription } from '../enrich/upnp.ts';
import { parseResponseHead, parseResponseHeads } from '../util/response-head.ts';
import { cleanText, normaliseMac } from '../util/text.ts';
import { child, children, textOf, xmlNamespaces } from '../util/xml.ts';
import type { CaptureFormat } from './detect.ts';

/**
 * A captured answer -> observations, through the decoders a sweep uses on the wire (pure: no
 * socket, no HTTP). Each reader records what the live path would record from the same bytes;
 * tests/unit/identify checks that against the live enrichers. `ip` is the device's address
 * (every observation of one identify run carries the same one).
 */

/** Body cap, as the sweep's default (src/config/schema.ts). */
export const MAX_CAPTURE_BYTES = 256 * 1024;
/** Observations a JSON list may give. */
export const MAX_JSON_OBSERVATIONS = 256;

export interface ReadResult {
  observations: Observation[];
  /** Addresses the capture says the device has (SADP IPv4Address, an XAddr's host...), best first. */
  addresses: string[];
}

const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/u;

function hostOf(url: string): string | undefined {
  try {
    const host = new URL(url).hostname;
    return IPV4.test(host) ? host : undefined;
  } catch {
    return undefined;
  }
}

function valuesOf(obs: readonly Observation[], fields: readonly string[]): string[] {
  return obs.flatMap((o) => o.evidence.filter((e) => fields.includes(e.field)).map((e) => e.value));
}

function addressesIn(obs: readonly Observation[]): string[] {
  const urls = valuesOf(obs, ['wsd.xaddr', 'ssdp.location']).map(hostOf);
  const direct = valuesOf(obs, ['sadp.ipv4', 'dhip.ipv4', 'mdns.address']).filter((v) => IPV4.test(v));
  return [...new Set([...direct, ...urls.filter((u): u is string => u !== undefined)])];
}

function wsd(text: string, ip: string): Observation[] {
  const decoded = decodeProbeMatches(text);
  const namespaces = xmlNamespaces(text);
  return decoded.matches.map((m) => probeMatchToObservation(m, { ip }, namespaces));
}

/**
 * An ONVIF SOAP reply: what enrichOnvif records from GetSystemDateAndTime and
 * GetDeviceInformation (same fields), plus what a capture of another operation shows
 * (GetScopes' scopes, GetNetworkInterfaces' MAC). Namespace declarations are kept, as the
 * enricher keeps them from every reply.
 */
function onvif(text: string, ip: string): Observation[] {
  const reply = decodeSoapReply(text, MAX_CAPTURE_BYTES);
  const { list, add } = evidenceList('onvif');
  for (const ns of reply.namespaces) add('onvif.namespace', cleanText(`${ns.prefix}=${ns.uri}`));
  const obs: Observation = { protocol: 'onvif', ip, evidence: list };
  if (reply.fault) {
    add('onvif.fault', reply.fault.code);
    add('onvif.fault.reason', reply.fault.reason);
  }
  const { utc, timezone } = parseSystemDateAndTime(reply.body);
  if (utc !== undefined) add('onvif.systemTime', utc.toISOString());
  add('onvif.timezone', timezone);
  const info = parseDeviceInformation(reply.body);
  if (info) {
    add('onvif.manufacturer', info.manufacturer);
    add('onvif.model', info.model);
    add('onvif.firmware', info.firmware);
    add('onvif.serial', info.serial);
    add('onvif.hardware', info.hardware);
    if (info.serial !== undefined) obs.identifiers = { serial: info.serial };
  }
  for (const item of children(child(reply.body, 'GetScopesResponse'), 'Scopes').slice(0, 64)) {
    const scope = parseOnvifScope(textOf(child(item, 'ScopeItem')) ?? '');
    if (scope) add(`onvif.scope.${scope.key}`, scope.value);
  }
  for (const nic of children(child(reply.body, 'GetNetworkInterfacesResponse'), 'NetworkInterfaces').slice(0, 8)) {
    const mac = normaliseMac(textOf(child(nic, 'Info', 'HwAddress')));
    if (mac !== undefined) {
      add('onvif.hwAddress', mac);
      obs.mac ??= mac;
    }
  }
  return [obs];
}

function upnp(text: string, ip: string): Observation[] {
  // A printed capture may be cut short: keep the elements it shows whole.
  const d = parseUpnpDescription(text, MAX_CAPTURE_BYTES, { partial: true });
  const obs: Observation = { protocol: 'upnp', ip, evidence: d.evidence };
  if (Object.keys(d.identifiers).length > 0) obs.identifiers = d.identifiers;
  return [obs];
}

function mdns(bytes: Buffer, ip: string): Observation[] {
  const decoded = decodeMdnsResponse(bytes);
  // A responder answers from the address it announces: read the reply as coming from there.
  const own = decoded.kind === 'response' ? decoded.records.find((r) => r.type === 'A') : undefined;
  const from = own && typeof own.data === 'string' ? own.data : ip;
  return mdnsToObservations(decoded, { ip: from });
}

function sadp(bytes: Buffer, ip: string): Observation[] {
  const d = decodeSadp(bytes);
  if (d.kind !== 'match') throw new CamsweepError(ERR.IDENTIFY_UNREADABLE, `not a SADP reply: ${d.kind === 'invalid' ? d.reason : d.kind}`);
  return [sadpToObservation(d.match, { ip })];
}

function dahua(bytes: Buffer, ip: string): Observation[] {
  const text = bytes.toString('utf8').trim();
  if (text.startsWith('{')) {
    const body = decodeDhipBody(text);
    if (body.kind !== 'notify') throw new CamsweepError(ERR.IDENTIFY_UNREADABLE, 'a DHIP body that is not client.notifyDevInfo');
    return [dhipToObservation(body.info, { ip })];
  }
  const d = decodeDahua(bytes);
  if (d.kind === 'dhip') return [dhipToObservation(d.info, { ip })];
  if (d.kind === 'v1') return [dahuaV1ToObservation(d.info, { ip })];
  throw new CamsweepError(ERR.IDENTIFY_UNREADABLE, `not a Dahua discovery reply: ${d.kind === 'invalid' ? d.reason : d.kind}`);
}

function http(bytes: Buffer, ip: string): Observation[] {
  const head = parseResponseHead(bytes);
  if (!head) throw new CamsweepError(ERR.IDENTIFY_UNREADABLE, 'not an HTTP response head');
  const body = head.body.subarray(0, MAX_CAPTURE_BYTES);
  const evidence = bannerEvidence({ status: head.status, headers: head.headers, body, truncated: false }, 80);
  return [{ protocol: 'http', ip, evidence }];
}

function rtsp(bytes: Buffer, ip: string): Observation[] {
  const heads = parseResponseHeads(bytes);
  if (heads.length === 0) throw new CamsweepError(ERR.IDENTIFY_UNREADABLE, 'not an RTSP response head');
  return heads.map((head) => ({ protocol: 'rtsp' as const, ip, evidence: rtspEvidence(head, 554) }));
}

function tls(text: string, ip: string): Observation[] {
  const certs = certificatesFromPem(text);
  if (certs.length === 0) throw new CamsweepError(ERR.IDENTIFY_UNREADABLE, 'no certificate in the PEM text');
  // The first certificate is the device's own (a chain lists the leaf first).
  return [{ protocol: 'tls', ip, evidence: certificateEvidence(certs[0]!, 443) }];
}

/** `mac`, `mac.address`, `arp.mac`: a MAC address given as an observation. */
const MAC_FIELDS: ReadonlySet<string> = new Set(['mac', 'mac.address', 'arp.mac', 'arp.mac.address', 'macaddress']);

/**
 * A JSON list of observations, `[{"protocol": "http", "field": "http.server", "value": "..."}]`
 * (or `{"observations": [...]}`): for what a source only printed. A field without its
 * protocol's prefix gets it (`server` under http -> `http.server`); `knownFields` maps a field
 * written in another letter case onto the database's spelling (`upnp.modelname` ->
 * `upnp.modelName`). A MAC is given as `{"protocol": "arp", "field": "mac", "value": "..."}`.
 */
function observationsJson(text: string, ip: string, knownFields: ReadonlyMap<string, string>): Observation[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CamsweepError(ERR.IDENTIFY_UNREADABLE, `not JSON: ${cleanText(errorMessage(err), 120)}`);
  }
  const list = Array.isArray(raw) ? raw : raw !== null && typeof raw === 'object' && Array.isArray((raw as { observations?: unknown }).observations) ? (raw as { observations: unknown[] }).observations : undefined;
  if (!list) throw new CamsweepError(ERR.IDENTIFY_UNREADABLE, 'expected a JSON list of {protocol, field, value}');
  const byProtocol = new Map<Protocol, Evidence[]>();
  let mac: string | undefined;
  for (const item of list.slice(0, MAX_JSON_OBSERVATIONS)) {
    if (item === null || typeof item !== 'object') continue;
    const { protocol: p, field: f, value: v } = item as Record<string, unknown>;
    if (typeof f !== 'string' || (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')) continue;
    const value = cleanText(String(v));
    if (value === '') continue;
    const given = cleanText(f, 128);
    const prefix = given.split('.')[0]!.toLowerCase();
    const protocol: Protocol | undefined = [p, prefix].map((x) => (typeof x === 'string' ? x.toLowerCase() : '')).find((x): x is Protocol => (PROTOCOLS as readonly string[]).includes(x));
    if (MAC_FIELDS.has(given.toLowerCase())) {
      mac ??= normaliseMac(value);
      continue;
    }
    if (protocol === undefined) continue;
    const dotted = given.includes('.') && (PROTOCOLS as readonly string[]).includes(prefix) ? given : `${protocol}.${given}`;
    // An RTSP server string written as http.server under protocol rtsp is rtsp.server.
    const own = `${protocol}.${dotted.slice(dotted.indexOf('.') + 1)}`;
    const field = knownFields.get(own.toLowerCase()) ?? knownFields.get(dotted.toLowerCase()) ?? dotted;
    const evidence = byProtocol.get(protocol) ?? [];
    evidence.push({ protocol, field, value });
    byProtocol.set(protocol, evidence);
  }
  const out: Observation[] = [...byProtocol].map(([protocol, evidence]) => ({ protocol, ip, evidence }));
  if (mac !== undefined) {
    const first = out[0];
    if (first) first.mac = mac;
    else out.push({ protocol: 'arp', ip, evidence: [], mac });
  }
  return out;
}

/**
 * Observations of one capture in a known format. Throws CamsweepError IDENTIFY_UNREADABLE
 * (or the decoder's own code, such as WSD_INVALID) when the bytes are not what the format says.
 */
export function readCapture(format: CaptureFormat, bytes: Buffer, ip: string, knownFields: ReadonlyMap<string, string>): ReadResult {
  const capped = bytes.subarray(0, MAX_CAPTURE_BYTES);
  const text = capped.toString('utf8').replace(/^\uFEFF/u, '');
  let observations: Observation[];
  switch (format) {
    case 'wsd':
      observations = wsd(text, ip);
      break;
    case 'onvif':
      observations = onvif(text, ip);
      break;
    case 'ssdp':
      observations = [ssdpToObservation(parseSsdpMessage(capped), { ip })];
      break;
    case 'upnp':
      observations = upnp(text, ip);
      break;
    case 'mdns':
      observations = mdns(capped, ip);
      break;
    case 'sadp':
      observations = sadp(capped, ip);
      break;
    case 'dhip':
    case 'dahua-v1':
      observations = dahua(capped, ip);
      break;
    case 'http':
      observations = http(capped, ip);
      break;
    case 'rtsp':
      observations = rtsp(capped, ip);
      break;
    case 'tls':
      observations = tls(text, ip);
      break;
    case 'observations':
      observations = observationsJson(text, ip, knownFields);
      break;
  }
  for (const obs of observations) {
    const mac = obs.mac ?? realmMac(obs);
    if (mac !== undefined) obs.mac = mac;
  }
  return { observations, addresses: addressesIn(observations) };
}

/**
 * The MAC a device puts in its authentication realm (Hikvision's newer firmware answers with
 * `realm="b4a38201a73f"`, its own address): a MAC source of last resort.
 */
export function realmMac(obs: Observation): string | undefined {
  for (const e of obs.evidence) {
    if (!/(?:^|\.)realm$/u.test(e.field) || !/^[0-9a-f]{12}$/iu.test(e.value)) continue;
    const mac = normaliseMac(e.value);
    // A locally administered or group address is no hardware address.
    if (mac !== undefined && (Number.parseInt(mac.slice(0, 2), 16) & 0x03) === 0) return mac;
  }
  return undefined;
}
