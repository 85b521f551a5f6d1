import { randomUUID } from 'node:crypto';
import type { Answer } from 'dns-packet';
import dnsPacket from 'dns-packet';
import type { MdnsProfile, SsdpProfile, WsdMatch, WsdProfile } from './profile.ts';
import { STYLES, namespaceAttrs, xmlEscape } from './soap-styles.ts';
import type { SearchTarget } from './ssdp-messages.ts';
import { answersFor, SERVICES_META, type MdnsRecord } from './mdns-answers.ts';

/**
 * What a device says unprompted (pure), laid out as real devices lay it out:
 *
 * - WS-Discovery Hello and Bye (2005/04 §4.1, §4.2) to 239.255.255.250:3702 / [ff02::c]:3702
 *   in the device's SOAP style: the Hello of corpus/dahua/ws-discovery-Hello-1.xml (MessageID,
 *   To the discovery URN, Action .../Hello; EPR, Types, Scopes, XAddrs, MetadataVersion), with
 *   the style's AppSequence where it has one (InstanceId: the boot); a Bye names the EPR only;
 * - SSDP NOTIFY ssdp:alive and ssdp:byebye (UDA 1.1 §1.2.2, §1.2.3) for the root device, its
 *   UUID, its type and each service, with the header set and order of
 *   corpus/captures/network/freebsd-miniupnpd-gateway.ssdp-notify.txt (HOST, CACHE-CONTROL,
 *   LOCATION, SERVER, NT, USN, NTS, OPT, 01-NLS, BOOTID.UPNP.ORG, CONFIGID.UPNP.ORG); a byebye
 *   keeps HOST, NT, NTS, USN, BOOTID and CONFIGID, as corpus/captures/axis/m1014.ssdp-notify-byebye.txt
 *   keeps its NT/NTS/USN;
 * - an mDNS announcement (RFC 6762 §8.3): an unsolicited response holding every record the
 *   device answers with (service list, PTR, SRV, TXT, A), and its goodbye (§10.1): the same
 *   records with TTL 0.
 */

export function buildWsdAnnouncement(kind: 'Hello' | 'Bye', wsd: WsdProfile, seq: { instanceId: number; messageNumber: number }): string {
  const s = STYLES[wsd.style];
  const { env, d, wsa, nl } = s;
  const m: WsdMatch = wsd.match;
  const mu = s.mustUnderstand ? ` ${env}:mustUnderstand="true"` : '';
  const header = [
    `<${wsa}:MessageID>${s.messageIdScheme}${randomUUID()}</${wsa}:MessageID>`,
    `<${wsa}:To${mu}>urn:schemas-xmlsoap-org:ws:2005:04:discovery</${wsa}:To>`,
    `<${wsa}:Action${mu}>http://schemas.xmlsoap.org/ws/2005/04/discovery/${kind}</${wsa}:Action>`,
    s.appSequence ? `<${d}:AppSequence${mu} InstanceId="${seq.instanceId}" MessageNumber="${seq.messageNumber}"/>` : '',
  ].filter((p) => p !== '');
  const epr = `<${wsa}:EndpointReference><${wsa}:Address>${xmlEscape(m.endpoint)}</${wsa}:Address></${wsa}:EndpointReference>`;
  const body =
    kind === 'Bye'
      ? `<${d}:Bye>${nl}${epr}${nl}</${d}:Bye>`
      : `<${d}:Hello>${nl}${epr}${nl}` +
        (m.types === undefined ? '' : `<${d}:Types>${xmlEscape(m.types)}</${d}:Types>${nl}`) +
        (m.scopes === undefined ? '' : `<${d}:Scopes>${xmlEscape(m.scopes.join(' '))}</${d}:Scopes>${nl}`) +
        `<${d}:XAddrs>${xmlEscape(m.xaddrs.join(' '))}</${d}:XAddrs>${nl}` +
        `<${d}:MetadataVersion>${m.metadataVersion}</${d}:MetadataVersion>${nl}</${d}:Hello>`;
  const prefixes = (m.types ?? '').split(/\s+/u).map((t) => t.split(':')[0] ?? '').filter((p) => p !== '');
  return (
    `${s.decl}${nl}<${env}:Envelope ${namespaceAttrs(s, prefixes)}>${nl}` +
    `<${env}:Header>${nl}${header.join(nl)}${nl}</${env}:Header>${nl}` +
    `<${env}:Body>${nl}${body}${nl}</${env}:Body>${nl}</${env}:Envelope>${nl}`
  );
}

export interface NotifyInput {
  target: SearchTarget;
  location: string;
  bootId: number;
  configId: number;
  /** `239.255.255.250:1900` or `[FF02::C]:1900`. */
  host: string;
}

export function buildNotify(nts: 'ssdp:alive' | 'ssdp:byebye', ssdp: SsdpProfile, input: NotifyInput): string {
  const eol = ssdp.lineEnding === 'lf' ? '\n' : '\r\n';
  const lines =
    nts === 'ssdp:alive'
      ? [
          'NOTIFY * HTTP/1.1',
          `HOST: ${input.host}`,
          `CACHE-CONTROL: max-age=${ssdp.maxAge}`,
          `LOCATION: ${input.location}`,
          `SERVER: ${ssdp.server}`,
          `NT: ${input.target.st}`,
          `USN: ${input.target.usn}`,
          'NTS: ssdp:alive',
          'OPT: "http://schemas.upnp.org/upnp/1/0/"; ns=01',
          `01-NLS: ${input.bootId}`,
          `BOOTID.UPNP.ORG: ${input.bootId}`,
          `CONFIGID.UPNP.ORG: ${input.configId}`,
        ]
      : [
          'NOTIFY * HTTP/1.1',
          `HOST: ${input.host}`,
          `NT: ${input.target.st}`,
          `USN: ${input.target.usn}`,
          'NTS: ssdp:byebye',
          `BOOTID.UPNP.ORG: ${input.bootId}`,
          `CONFIGID.UPNP.ORG: ${input.configId}`,
        ];
  return `${lines.join(eol)}${eol}${eol}`;
}

/** Every record the device answers with, as its announcement (TTL as answered) or its goodbye (TTL 0). */
export function buildMdnsAnnouncement(mdns: MdnsProfile, ip: string, goodbye: boolean): Buffer {
  const questions = [
    { name: SERVICES_META, type: 'PTR', qu: false },
    ...mdns.services.map((s) => ({ name: `${s.type}.local`, type: 'PTR', qu: false })),
  ];
  const { answers, additionals } = answersFor(questions, mdns, ip);
  const ttl = (r: MdnsRecord): Answer => (goodbye ? { ...r, ttl: 0 } : r);
  // The service list (meta-query PTRs) is not withdrawn record by record; a goodbye sends the rest.
  const records = [...answers, ...additionals].filter((r) => !(goodbye && r.name === SERVICES_META)).map(ttl);
  return dnsPacket.encode({ type: 'response', id: 0, flags: dnsPacket.AUTHORITATIVE_ANSWER, answers: records });
}
