import { evidenceList } from '../domain/evidence.ts';
import { CamsweepError, ERR, errorCode, errorMessage, httpStatusCode } from '../domain/errors.ts';
import type { Observation, SweepError } from '../domain/types.ts';
import { cleanOptional, cleanText } from '../util/text.ts';
import { parseWwwAuthenticate } from './banner.ts';
import { child, parseXml, textAt, textOf, xmlNamespaces, type XmlNode } from '../util/xml.ts';
import { speaksOnvif } from '../discovery/wsd/onvif.ts';
import type { EnrichContext, EnrichResult, Enricher } from './types.ts';
import { sameHost } from './types.ts';
import { clockOffsetMs, usernameTokenHeader } from './wsse.ts';

/**
 * ONVIF device service enrichment: GetSystemDateAndTime (unauthenticated; gives the device
 * clock and vendor-revealing namespaces) then GetDeviceInformation (manufacturer, model,
 * firmware, serial), retried once with a WS-UsernameToken only when the device says
 * NotAuthorized and the operator configured credentials for it. Values are read from the
 * raw XML as strings. Only XAddrs on the replying host are contacted.
 */
export const NS_SOAP = 'http://www.w3.org/2003/05/soap-envelope';
export const NS_DEVICE = 'http://www.onvif.org/ver10/device/wsdl';
export const SOAP_CONTENT_TYPE = 'application/soap+xml; charset=utf-8';

type Operation = 'GetSystemDateAndTime' | 'GetDeviceInformation';

/** Evidence field prefix per operation (`onvif.deviceInformation.fault`). */
const FIELD: Record<Operation, string> = {
  GetSystemDateAndTime: 'onvif.systemDateAndTime',
  GetDeviceInformation: 'onvif.deviceInformation',
};

/** A SOAP 1.2 request to the device service; `security` is a `<wsse:Security>` block. */
export function buildDeviceRequest(operation: Operation, security?: string): string {
  const header = security === undefined ? '' : `<s:Header>${security}</s:Header>`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<s:Envelope xmlns:s="${NS_SOAP}" xmlns:tds="${NS_DEVICE}">` +
    `${header}<s:Body><tds:${operation}/></s:Body></s:Envelope>`
  );
}

export interface SoapFault {
  /** Local name of the deepest Subcode Value, else of the Code Value (`NotAuthorized`, `Sender`). */
  code: string;
  reason?: string;
  notAuthorized: boolean;
}

export interface SoapReply {
  body: XmlNode | undefined;
  fault?: SoapFault;
  namespaces: Array<{ prefix: string; uri: string }>;
}

function localName(qname: string | undefined): string | undefined {
  const name = cleanOptional(qname, 128);
  return name?.slice(name.lastIndexOf(':') + 1);
}

function decodeFault(fault: XmlNode): SoapFault {
  // SOAP 1.2: Code/Value with nested Subcode/Value; SOAP 1.1 (old stacks): faultcode/faultstring.
  let code = localName(textAt(fault, 'Code', 'Value')) ?? localName(textAt(fault, 'faultcode')) ?? 'Unknown';
  let sub = child(fault, 'Code', 'Subcode');
  for (let depth = 0; sub !== undefined && depth < 8; depth += 1) {
    code = localName(textAt(sub, 'Value')) ?? code;
    sub = child(sub, 'Subcode');
  }
  const reason = cleanOptional(textAt(fault, 'Reason', 'Text') ?? textAt(fault, 'faultstring'), 256);
  const notAuthorized = /^NotAuthori[sz]ed$/iu.test(code) || /not\s+authori[sz]ed/iu.test(reason ?? '');
  const out: SoapFault = { code, notAuthorized };
  if (reason !== undefined) out.reason = reason;
  return out;
}

/**
 * Decodes a SOAP reply. Throws CamsweepError `ONVIF_INVALID` when it is not XML, carries a
 * DOCTYPE (SOAP 1.2 forbids one; it is how entity bombs arrive) or has no Envelope/Body.
 */
export function decodeSoapReply(text: string, maxBytes: number): SoapReply {
  if (/<!DOCTYPE/iu.test(text)) throw new CamsweepError(ERR.ONVIF_INVALID, 'SOAP reply with a DOCTYPE');
  let doc;
  try {
    doc = parseXml(text, maxBytes);
  } catch (err) {
    throw new CamsweepError(ERR.ONVIF_INVALID, `reply is not XML: ${errorMessage(err)}`, { cause: err });
  }
  const body = child(doc, 'Envelope', 'Body');
  if (body === undefined) throw new CamsweepError(ERR.ONVIF_INVALID, 'reply is not a SOAP envelope');
  const reply: SoapReply = { body, namespaces: xmlNamespaces(text) };
  const fault = child(body, 'Fault');
  if (fault !== undefined) reply.fault = decodeFault(fault);
  return reply;
}

function intField(node: XmlNode | undefined, name: string, min: number, max: number): number | undefined {
  const text = textAt(node, name)?.trim();
  if (text === undefined || !/^\d{1,4}$/u.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}

/** The device's UTC clock and time zone from a GetSystemDateAndTimeResponse body. */
export function parseSystemDateAndTime(body: XmlNode | undefined): { utc?: Date; timezone?: string } {
  const sdt = child(body, 'GetSystemDateAndTimeResponse', 'SystemDateAndTime');
  const out: { utc?: Date; timezone?: string } = {};
  const timezone = cleanOptional(textAt(sdt, 'TimeZone', 'TZ'), 128);
  if (timezone !== undefined) out.timezone = timezone;
  const utc = child(sdt, 'UTCDateTime');
  const date = child(utc, 'Date');
  const time = child(utc, 'Time');
  const parts = [
    intField(date, 'Year', 1970, 9999),
    intField(date, 'Month', 1, 12),
    intField(date, 'Day', 1, 31),
    intField(time, 'Hour', 0, 23),
    intField(time, 'Minute', 0, 59),
    intField(time, 'Second', 0, 60),
  ];
  if (parts.every((p) => p !== undefined)) {
    const [y, mo, d, h, mi, s] = parts as number[];
    const when = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, Math.min(s!, 59)));
    // Day 31 of a 30-day month would roll over: refuse rather than invent a date.
    if (when.getUTCDate() === d) out.utc = when;
  }
  return out;
}

export interface DeviceInformation {
  manufacturer?: string;
  model?: string;
  firmware?: string;
  serial?: string;
  hardware?: string;
}

/** Fields of a GetDeviceInformationResponse body, as strings; undefined when absent. */
export function parseDeviceInformation(body: XmlNode | undefined): DeviceInformation | undefined {
  const info = child(body, 'GetDeviceInformationResponse');
  if (info === undefined) return undefined;
  const out: DeviceInformation = {};
  const pairs: Array<[keyof DeviceInformation, string]> = [
    ['manufacturer', 'Manufacturer'],
    ['model', 'Model'],
    ['firmware', 'FirmwareVersion'],
    ['serial', 'SerialNumber'],
    ['hardware', 'HardwareId'],
  ];
  for (const [key, element] of pairs) {
    const value = cleanOptional(textOf(child(info, element)));
    if (value !== undefined) out[key] = value;
  }
  return out;
}

type Outcome =
  | { kind: 'ok'; reply: SoapReply; receivedAt: Date }
  | { kind: 'notAuthorized'; reply?: SoapReply; realm?: string }
  | { kind: 'fault'; reply: SoapReply; fault: SoapFault }
  | { kind: 'error'; error: SweepError; reply?: SoapReply; transport: boolean };

interface Exchange {
  ctx: EnrichContext;
  ip: string;
  url: string;
}

function transportCode(err: unknown): string {
  const code = errorCode(err, 'ERROR');
  if (code === ERR.HTTP_TIMEOUT) return ERR.ONVIF_TIMEOUT;
  if (code === ERR.HTTP_ABORTED) return ERR.ONVIF_ABORTED;
  return ERR.ONVIF_REQUEST_FAILED;
}

/** One POST and its classification. Never throws; never puts request content in an error. */
async function exchange(ex: Exchange, operation: Operation, security?: string): Promise<Outcome> {
  const { ctx, ip, url } = ex;
  const where = `${operation} ${cleanText(url, 200)}`;
  const fail = (code: string, message: string, transport: boolean, reply?: SoapReply): Outcome => {
    const out: Outcome = { kind: 'error', error: { code, message, protocol: 'onvif', ip }, transport };
    if (reply) out.reply = reply;
    return out;
  };
  let res;
  try {
    res = await ctx.http({
      url,
      method: 'POST',
      headers: { 'content-type': SOAP_CONTENT_TYPE },
      body: buildDeviceRequest(operation, security),
      timeoutMs: ctx.requestTimeoutMs,
      maxBytes: ctx.maxBodyBytes,
      signal: ctx.signal,
    });
  } catch (err) {
    // Only the code: a client's message could echo what was sent.
    return fail(transportCode(err), `${where}: ${errorCode(err, 'ERROR')}`, true);
  }
  const receivedAt = ctx.now();
  ctx.log.debug({ device: { ip, operation, status: res.status, bytes: res.body.length } }, 'onvif reply');
  if (res.status === 401) {
    // The HTTP challenge names the device's realm: many makers put their name, model or serial there.
    const realm = parseWwwAuthenticate(res.headers['www-authenticate'] ?? '').find((c) => c.realm !== undefined)?.realm;
    return realm === undefined ? { kind: 'notAuthorized' } : { kind: 'notAuthorized', realm };
  }
  if (res.truncated) return fail(ERR.ONVIF_INVALID, `${where}: reply larger than ${ctx.maxBodyBytes} bytes`, false);

  let reply: SoapReply | undefined;
  let invalid: string | undefined;
  try {
    reply = decodeSoapReply(res.body.toString('utf8'), ctx.maxBodyBytes);
  } catch (err) {
    invalid = errorMessage(err);
  }
  if (reply?.fault) {
    return reply.fault.notAuthorized ? { kind: 'notAuthorized', reply } : { kind: 'fault', reply, fault: reply.fault };
  }
  if (res.status < 200 || res.status > 299) return fail(httpStatusCode('ONVIF', res.status), `${where}: HTTP ${res.status}`, false, reply);
  if (!reply) return fail(ERR.ONVIF_INVALID, `${where}: ${invalid ?? 'unreadable reply'}`, false);
  return { kind: 'ok', reply, receivedAt };
}

/** The device-service URLs we may contact, or the reason there are none. */
function pickServiceUrls(target: { ip: string; xaddrs: string[] }): { urls: string[] } | { error: SweepError } {
  const base = { protocol: 'onvif' as const, ip: target.ip };
  const scheme = (url: string): string | undefined => {
    try {
      return new URL(url).protocol;
    } catch {
      return undefined; // not a URL: cannot be contacted
    }
  };
  const local = target.xaddrs.filter((x) => sameHost(x, target.ip));
  const http = [...new Set(local.filter((x) => scheme(x) === 'http:'))];
  if (http.length > 0) return { urls: http.slice(0, 2) };
  if (local.some((x) => scheme(x) === 'https:')) {
    return { error: { ...base, code: ERR.ONVIF_HTTPS_ONLY, message: 'device service offered over https only (not contacted)' } };
  }
  if (target.xaddrs.length > 0) {
    return { error: { ...base, code: ERR.ONVIF_XADDR_FOREIGN_HOST, message: 'no XAddr on the replying host; others are never contacted' } };
  }
  return { error: { ...base, code: ERR.ONVIF_NO_XADDR, message: 'no XAddr advertised' } };
}

/**
 * The ONVIF device service (GetSystemDateAndTime, GetDeviceInformation) of a host whose
 * WS-Discovery reply declared XAddrs and speaks ONVIF (printers and computers answer
 * WS-Discovery too; their XAddrs are other services): one query per host, to its XAddrs on
 * that host only.
 */
export function onvifEnricher(query: (target: { ip: string; xaddrs: string[] }, ctx: EnrichContext) => Promise<EnrichResult> = enrichOnvif): Enricher {
  return {
    name: 'onvif',
    protocol: 'onvif',
    maxPerHost: 1,
    plan(obs) {
      const xaddrs = obs.endpoints?.xaddrs ?? [];
      if (xaddrs.length === 0 || !speaksOnvif(obs)) return [];
      return [{ key: 'device-service', run: (ctx) => query({ ip: obs.ip, xaddrs }, ctx) }];
    },
  };
}

export interface EnrichOnvifOptions {
  /** WS-UsernameToken nonce source (tests); 16 random bytes by default. */
  nonce?: () => Buffer;
}

export async function enrichOnvif(
  target: { ip: string; xaddrs: string[] },
  ctx: EnrichContext,
  options: EnrichOnvifOptions = {},
): Promise<EnrichResult> {
  const log = ctx.log.child({ module: 'onvif' });
  const errors: SweepError[] = [];
  const { list: evidence, add } = evidenceList('onvif');
  const addNamespaces = (reply: SoapReply | undefined): void => {
    for (const ns of reply?.namespaces ?? []) add('onvif.namespace', cleanText(`${ns.prefix}=${ns.uri}`));
  };
  let serial: string | undefined;

  const finish = (): EnrichResult => {
    const observations: Observation[] = [];
    if (evidence.length > 0) {
      const obs: Observation = { protocol: 'onvif', ip: target.ip, evidence };
      if (serial !== undefined) obs.identifiers = { serial };
      observations.push(obs);
    }
    return { observations, errors };
  };

  /** A NotAuthorized answer or another SOAP fault is a fact about the device, not an error. */
  const recordOutcome = (outcome: Outcome, operation: Operation): void => {
    if (outcome.kind === 'notAuthorized') {
      add(`${FIELD[operation]}.fault`, 'NotAuthorized');
      add('onvif.realm', outcome.realm);
      add('onvif.fault.reason', outcome.reply?.fault?.reason);
    }
    if (outcome.kind === 'fault') {
      add(`${FIELD[operation]}.fault`, outcome.fault.code);
      add('onvif.fault.reason', outcome.fault.reason);
    }
    if (outcome.kind === 'error') errors.push(outcome.error);
    addNamespaces(outcome.reply);
  };

  try {
    const picked = pickServiceUrls(target);
    if ('error' in picked) {
      errors.push(picked.error);
      return finish();
    }

    // 1. GetSystemDateAndTime, on the first candidate that answers at all.
    let ex: Exchange | undefined;
    let timeOutcome: Outcome | undefined;
    for (const url of picked.urls) {
      if (ctx.signal.aborted) return finish();
      const candidate = { ctx: { ...ctx, log }, ip: target.ip, url };
      const outcome = await exchange(candidate, 'GetSystemDateAndTime');
      if (outcome.kind === 'error' && outcome.transport) {
        errors.push(outcome.error);
        continue;
      }
      ex = candidate;
      timeOutcome = outcome;
      break;
    }
    if (ex === undefined || timeOutcome === undefined) return finish();

    let offsetMs = 0;
    if (timeOutcome.kind === 'ok') {
      if (child(timeOutcome.reply.body, 'GetSystemDateAndTimeResponse') === undefined) {
        errors.push({ code: ERR.ONVIF_INVALID, message: 'GetSystemDateAndTime reply without GetSystemDateAndTimeResponse', protocol: 'onvif', ip: target.ip });
      }
      const { utc, timezone } = parseSystemDateAndTime(timeOutcome.reply.body);
      if (utc !== undefined) {
        add('onvif.systemTime', utc.toISOString());
        offsetMs = clockOffsetMs(utc, timeOutcome.receivedAt);
      }
      add('onvif.timezone', timezone);
    }
    recordOutcome(timeOutcome, 'GetSystemDateAndTime');

    // 2. GetDeviceInformation, unauthenticated first.
    if (ctx.signal.aborted) return finish();
    let info = await exchange(ex, 'GetDeviceInformation');
    let auth: 'none' | 'wsse' = 'none';
    if (info.kind === 'notAuthorized' && ctx.credentials !== undefined && !ctx.signal.aborted) {
      addNamespaces(info.reply);
      const tokenOptions = options.nonce === undefined ? { now: ctx.now, offsetMs } : { now: ctx.now, offsetMs, nonce: options.nonce };
      info = await exchange(ex, 'GetDeviceInformation', usernameTokenHeader(ctx.credentials, tokenOptions));
      auth = 'wsse';
      if (info.kind === 'notAuthorized') {
        errors.push({ code: ERR.ONVIF_AUTH_REJECTED, message: 'configured credentials were not accepted', protocol: 'onvif', ip: target.ip });
      }
    }
    if (info.kind === 'ok') {
      const fields = parseDeviceInformation(info.reply.body);
      if (fields === undefined) {
        errors.push({ code: ERR.ONVIF_INVALID, message: 'GetDeviceInformation reply without GetDeviceInformationResponse', protocol: 'onvif', ip: target.ip });
      } else {
        add('onvif.manufacturer', fields.manufacturer);
        add('onvif.model', fields.model);
        add('onvif.firmware', fields.firmware);
        add('onvif.serial', fields.serial);
        add('onvif.hardware', fields.hardware);
        add('onvif.auth', auth);
        serial = fields.serial;
      }
    }
    recordOutcome(info, 'GetDeviceInformation');
  } catch (err) {
    errors.push({ code: errorCode(err, ERR.ONVIF_INTERNAL), message: errorMessage(err), protocol: 'onvif', ip: target.ip });
  }
  return finish();
}
