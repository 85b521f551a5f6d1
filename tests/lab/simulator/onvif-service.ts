import { XMLParser } from 'fast-xml-parser';
import type { OnvifProfile } from './profile.ts';
import { STYLES, onvifEnvelope, xmlEscape } from './soap-styles.ts';
import type { StyleDef } from './soap-styles.ts';
import { verifyUsernameToken } from './ws-security.ts';
import type { UsernameToken } from './ws-security.ts';

/**
 * The ONVIF device service (pure): a SOAP request body in, an HTTP status and SOAP body out.
 * GetSystemDateAndTime never needs credentials; with `requireAuth` the other operations
 * answer a SOAP 1.2 Fault with Subcode ter:NotAuthorized unless a valid UsernameToken digest
 * for the profile's credentials is present.
 */

export interface OnvifReply {
  status: number;
  reason: string;
  /** The operation asked for ('' when the body was not a SOAP request). */
  operation: string;
  authorized: boolean;
  body: string;
}

export interface OnvifDeviceState {
  ip: string;
  mac: string;
  scopes: string[];
  now: Date;
}

const MAX_REQUEST_BYTES = 256 * 1024;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

type Node = Record<string, unknown>;

function isNode(v: unknown): v is Node {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function first(node: unknown, name: string): unknown {
  if (!isNode(node)) return undefined;
  const v = node[name];
  return Array.isArray(v) ? v[0] : v;
}

function text(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  if (isNode(node) && typeof node['#text'] === 'string') return node['#text'];
  if (isNode(node)) return '';
  return undefined;
}

function attr(node: unknown, name: string): string | undefined {
  if (!isNode(node)) return undefined;
  const v = node[`@_${name}`];
  return typeof v === 'string' ? v : undefined;
}

interface SoapRequest {
  operation: string;
  token: UsernameToken | undefined;
}

export function parseSoapRequest(body: string): SoapRequest | undefined {
  if (body.length > MAX_REQUEST_BYTES || /<!DOCTYPE|<!ENTITY/iu.test(body)) return undefined;
  let doc: unknown;
  try {
    doc = parser.parse(body, true);
  } catch {
    return undefined;
  }
  const envelope = first(doc, 'Envelope');
  const soapBody = first(envelope, 'Body');
  if (!isNode(soapBody)) return undefined;
  const operation = Object.keys(soapBody).find((k) => !k.startsWith('@_') && k !== '#text');
  if (operation === undefined) return undefined;
  const ut = first(first(first(envelope, 'Header'), 'Security'), 'UsernameToken');
  let token: UsernameToken | undefined;
  if (isNode(ut)) {
    const password = first(ut, 'Password');
    token = {
      username: text(first(ut, 'Username')) ?? '',
      password: text(password) ?? '',
      passwordType: attr(password, 'Type'),
      nonce: text(first(ut, 'Nonce')),
      created: text(first(ut, 'Created')),
    };
  }
  return { operation, token };
}

function fault(style: StyleDef, code: 'Sender' | 'Receiver', subcode: string, reason: string): string {
  const e = style.env;
  return (
    `<${e}:Fault><${e}:Code><${e}:Value>${e}:${code}</${e}:Value>` +
    `<${e}:Subcode><${e}:Value>${subcode}</${e}:Value></${e}:Subcode></${e}:Code>` +
    `<${e}:Reason><${e}:Text xml:lang="en">${xmlEscape(reason)}</${e}:Text></${e}:Reason></${e}:Fault>`
  );
}

function tzOffsetMinutes(tz: string): number {
  const m = /^(?:GMT|UTC)([+-])(\d{1,2}):?(\d{2})?$/u.exec(tz);
  if (m === null) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? '0');
  return m[1] === '-' ? -minutes : minutes;
}

function dateTimeXml(tag: string, d: Date): string {
  return (
    `<tt:${tag}><tt:Time><tt:Hour>${d.getUTCHours()}</tt:Hour><tt:Minute>${d.getUTCMinutes()}</tt:Minute>` +
    `<tt:Second>${d.getUTCSeconds()}</tt:Second></tt:Time><tt:Date><tt:Year>${d.getUTCFullYear()}</tt:Year>` +
    `<tt:Month>${d.getUTCMonth() + 1}</tt:Month><tt:Day>${d.getUTCDate()}</tt:Day></tt:Date></tt:${tag}>`
  );
}

function operationBody(operation: string, profile: OnvifProfile, state: OnvifDeviceState): string | undefined {
  const info = profile.deviceInformation;
  switch (operation) {
    case 'GetSystemDateAndTime': {
      const local = new Date(state.now.getTime() + tzOffsetMinutes(profile.timeZone) * 60_000);
      return (
        `<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>Manual</tt:DateTimeType>` +
        `<tt:DaylightSavings>false</tt:DaylightSavings><tt:TimeZone><tt:TZ>${xmlEscape(profile.timeZone)}</tt:TZ></tt:TimeZone>` +
        `${dateTimeXml('UTCDateTime', state.now)}${dateTimeXml('LocalDateTime', local)}` +
        `</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`
      );
    }
    case 'GetDeviceInformation':
      return (
        `<tds:GetDeviceInformationResponse><tds:Manufacturer>${xmlEscape(info.manufacturer)}</tds:Manufacturer>` +
        `<tds:Model>${xmlEscape(info.model)}</tds:Model><tds:FirmwareVersion>${xmlEscape(info.firmwareVersion)}</tds:FirmwareVersion>` +
        `<tds:SerialNumber>${xmlEscape(info.serialNumber)}</tds:SerialNumber><tds:HardwareId>${xmlEscape(info.hardwareId)}</tds:HardwareId>` +
        `</tds:GetDeviceInformationResponse>`
      );
    case 'GetNetworkInterfaces':
      return (
        `<tds:GetNetworkInterfacesResponse><tds:NetworkInterfaces token="eth0"><tt:Enabled>true</tt:Enabled>` +
        `<tt:Info><tt:Name>eth0</tt:Name><tt:HwAddress>${state.mac}</tt:HwAddress><tt:MTU>1500</tt:MTU></tt:Info>` +
        `<tt:IPv4><tt:Enabled>true</tt:Enabled><tt:Config><tt:Manual><tt:Address>${state.ip}</tt:Address>` +
        `<tt:PrefixLength>24</tt:PrefixLength></tt:Manual><tt:DHCP>false</tt:DHCP></tt:Config></tt:IPv4>` +
        `</tds:NetworkInterfaces></tds:GetNetworkInterfacesResponse>`
      );
    case 'GetHostname':
      return (
        `<tds:GetHostnameResponse><tds:HostnameInformation><tt:FromDHCP>false</tt:FromDHCP>` +
        `<tt:Name>${xmlEscape(profile.hostname)}</tt:Name></tds:HostnameInformation></tds:GetHostnameResponse>`
      );
    case 'GetScopes':
      return (
        `<tds:GetScopesResponse>` +
        state.scopes
          .map((s) => `<tds:Scopes><tt:ScopeDef>Fixed</tt:ScopeDef><tt:ScopeItem>${xmlEscape(s)}</tt:ScopeItem></tds:Scopes>`)
          .join('') +
        `</tds:GetScopesResponse>`
      );
    default:
      return undefined;
  }
}

const OPEN_OPERATIONS = new Set(['GetSystemDateAndTime']);

export function handleOnvifRequest(requestBody: string, profile: OnvifProfile, state: OnvifDeviceState): OnvifReply {
  const style = STYLES[profile.style];
  const request = parseSoapRequest(requestBody);
  if (request === undefined) {
    return {
      status: 400,
      reason: 'Bad Request',
      operation: '',
      authorized: false,
      body: onvifEnvelope(style, fault(style, 'Sender', 'ter:WellFormed', 'Not a well-formed SOAP request'), profile.namespaces),
    };
  }
  const { operation } = request;
  const needsAuth = profile.requireAuth && !OPEN_OPERATIONS.has(operation);
  const authorized =
    !needsAuth || (profile.credentials !== undefined && verifyUsernameToken(request.token, profile.credentials));
  if (!authorized) {
    return {
      status: profile.authFailureStatus,
      reason: profile.authFailureStatus === 401 ? 'Unauthorized' : 'Bad Request',
      operation,
      authorized,
      body: onvifEnvelope(style, fault(style, 'Sender', 'ter:NotAuthorized', 'Sender not Authorized'), profile.namespaces),
    };
  }
  const body = operationBody(operation, profile, state);
  if (body === undefined) {
    return {
      status: 400,
      reason: 'Bad Request',
      operation,
      authorized,
      body: onvifEnvelope(style, fault(style, 'Receiver', 'ter:ActionNotSupported', 'Optional Action Not Implemented'), profile.namespaces),
    };
  }
  return { status: 200, reason: 'OK', operation, authorized, body: onvifEnvelope(style, body, profile.namespaces) };
}
