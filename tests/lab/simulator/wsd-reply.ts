import { randomBytes, randomUUID } from 'node:crypto';
import type { SoapStyle, WsdMatch } from './profile.ts';
import { STYLES, namespaceAttrs, xmlEscape } from './soap-styles.ts';

/** ProbeMatches messages in each device style, plus the hostile variants. */

export interface ProbeMatchesInput {
  style: SoapStyle;
  /** The probe's MessageID, echoed in RelatesTo. */
  relatesTo: string;
  matches: WsdMatch[];
  instanceId: number;
  messageNumber: number;
  /** Pad the first match's Scopes until the message is at least this many bytes. */
  padToBytes?: number;
  /** Raw text put inside the first Scopes element unescaped (used for the entity bomb). */
  rawScopesSuffix?: string;
  /** A DOCTYPE placed before the envelope. */
  doctype?: string;
}

function typePrefixes(matches: WsdMatch[]): string[] {
  const prefixes = new Set<string>();
  for (const m of matches) {
    for (const t of (m.types ?? '').split(/\s+/u)) {
      const i = t.indexOf(':');
      if (i > 0) prefixes.add(t.slice(0, i));
    }
  }
  return [...prefixes];
}

function matchXml(input: ProbeMatchesInput, m: WsdMatch, extraScopes: string[], rawSuffix: string): string {
  const s = STYLES[input.style];
  const { d, wsa, nl } = s;
  const scopes = [...(m.scopes ?? []), ...extraScopes];
  const scopesXml =
    m.scopes === undefined && extraScopes.length === 0 && rawSuffix === ''
      ? ''
      : `<${d}:Scopes>${xmlEscape(scopes.join(' '))}${rawSuffix}</${d}:Scopes>${nl}`;
  return (
    `<${d}:ProbeMatch>${nl}` +
    `<${wsa}:EndpointReference><${wsa}:Address>${xmlEscape(m.endpoint)}</${wsa}:Address></${wsa}:EndpointReference>${nl}` +
    (m.types === undefined ? '' : `<${d}:Types>${xmlEscape(m.types)}</${d}:Types>${nl}`) +
    scopesXml +
    `<${d}:XAddrs>${xmlEscape(m.xaddrs.join(' '))}</${d}:XAddrs>${nl}` +
    `<${d}:MetadataVersion>${m.metadataVersion}</${d}:MetadataVersion>${nl}` +
    `</${d}:ProbeMatch>${nl}`
  );
}

function render(input: ProbeMatchesInput, extraScopes: string[]): string {
  const s = STYLES[input.style];
  const { env, d, wsa, nl } = s;
  const first = input.matches[0];
  const messageId =
    input.style === 'hikvision' && first !== undefined ? first.endpoint : `${s.messageIdScheme}${randomUUID()}`;
  const mu = s.mustUnderstand ? ` ${env}:mustUnderstand="true"` : '';
  const to = `<${wsa}:To${mu}>${s.to}</${wsa}:To>`;
  const action = `<${wsa}:Action${mu}>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</${wsa}:Action>`;
  const msgId = `<${wsa}:MessageID>${xmlEscape(messageId)}</${wsa}:MessageID>`;
  const relates = `<${wsa}:RelatesTo>${xmlEscape(input.relatesTo)}</${wsa}:RelatesTo>`;
  const appSeq = s.appSequence
    ? `<${d}:AppSequence${mu} InstanceId="${input.instanceId}" MessageNumber="${input.messageNumber}"/>`
    : '';
  const headerParts =
    input.style === 'dahua'
      ? [msgId, to, action, relates]
      : input.style === 'printer'
        ? [action, to, msgId, relates, appSeq]
        : input.style === 'windows'
          ? [to, action, msgId, relates, appSeq]
          : [msgId, relates, to, action, appSeq];
  const matches = input.matches
    .map((m, i) => matchXml(input, m, i === 0 ? extraScopes : [], i === 0 ? (input.rawScopesSuffix ?? '') : ''))
    .join('');
  return (
    `${s.decl}${nl}${input.doctype ?? ''}` +
    `<${env}:Envelope ${namespaceAttrs(s, typePrefixes(input.matches))}>${nl}` +
    `<${env}:Header>${nl}${headerParts.filter((p) => p !== '').join(nl)}${nl}</${env}:Header>${nl}` +
    `<${env}:Body>${nl}<${d}:ProbeMatches>${nl}${matches}</${d}:ProbeMatches>${nl}</${env}:Body>${nl}` +
    `</${env}:Envelope>${nl}`
  );
}

export function buildProbeMatches(input: ProbeMatchesInput): string {
  const base = render(input, []);
  const target = input.padToBytes;
  if (target === undefined || Buffer.byteLength(base) >= target) return base;
  const pad: string[] = [];
  let size = Buffer.byteLength(base);
  for (let i = 0; size < target; i += 1) {
    const scope = `onvif://www.onvif.org/extension/padding/${i.toString().padStart(5, '0')}-${'x'.repeat(24)}`;
    pad.push(scope);
    size += scope.length + 1;
  }
  return render(input, pad);
}

/** A billion-laughs DOCTYPE and a ProbeMatches whose Scopes reference the top entity. */
export function buildXmlBomb(input: Omit<ProbeMatchesInput, 'rawScopesSuffix' | 'doctype'>): string {
  const lines = ['<!DOCTYPE lolz [', '<!ENTITY lol "lol">'];
  lines.push('<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">');
  for (let i = 2; i <= 9; i += 1) {
    const prev = `&lol${i - 1};`;
    lines.push(`<!ENTITY lol${i} "${prev.repeat(10)}">`);
  }
  lines.push(']>');
  return buildProbeMatches({ ...input, doctype: `${lines.join('\n')}\n`, rawScopesSuffix: ' onvif://www.onvif.org/name/&lol9;' });
}

/** Not XML at all: binary noise, control characters and a broken tag. */
export function buildNotXml(): Buffer {
  return Buffer.concat([
    Buffer.from('\u0000\u0001\u0002garbage HTTP/1.1 200 OK\r\n\r\n'),
    randomBytes(200),
    Buffer.from('<d:ProbeMatches><<< \u001b[31m not xml &&& </Envelope'),
  ]);
}
