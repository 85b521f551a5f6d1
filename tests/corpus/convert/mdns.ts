import dnsPacket from 'dns-packet';
import type { Answer } from 'dns-packet';
import { csvRow } from './csv.ts';

/**
 * mDNS responses rebuilt from captures that kept records' contents but not the packet
 * (noddos' TXT rdata with placeholder length bytes, Shadowserver's parsed mDNS scan). The
 * records hold the capture's values only; dns-packet encodes them as a responder would.
 */

function response(answers: Answer[]): Buffer {
  return dnsPacket.encode({ type: 'response', id: 0, flags: dnsPacket.AUTHORITATIVE_ANSWER, answers });
}

/**
 * noddos' TXT rdata: each string is preceded by one placeholder byte (`^`, once `&`) where
 * the test writes the length. Splitting at the placeholders gives the strings; they become
 * the TXT record of `instance` under service type `type` (e.g. `_ipp._tcp`), announced by a
 * PTR as a responder sends it.
 */
export function txtPlaceholderStrings(text: string): string[] {
  const body = text.replace(/\n$/u, '');
  if (!/^[\^&]/u.test(body)) throw new Error('TXT rdata does not start with a length placeholder');
  return body.slice(1).split(/[\^&]/u);
}

export function mdnsFromTxtPlaceholders(text: string, instance: string, type: string): Buffer {
  const full = `${instance}.${type}.local`;
  return response([
    { type: 'PTR', name: `${type}.local`, data: full },
    { type: 'TXT', name: full, data: txtPlaceholderStrings(text).map((s) => Buffer.from(s, 'latin1')) },
  ]);
}

const stripDot = (name: string): string => name.replace(/\.$/u, '');

/** `""key=value"" ""key=value""` as the CSV gives it (after unquoting: `"key=value" "key=value"`). */
export function txtStringsFromShadowserver(info: string): string[] {
  return [...info.matchAll(/"+([^"]*)"+/gu)].map((m) => m[1]!).filter((s) => s !== '');
}

/**
 * One row of Shadowserver's open-mDNS scan: `services` is the answer to a service
 * enumeration (`_services._dns-sd._udp.local` PTRs); `http_ptr`, `http_info`, `http_target`
 * and `http_port` are the `_http._tcp` instance's PTR, TXT, SRV. The host's A record carries
 * `ip`, the address the rebuilt reply comes from (Shadowserver's addresses are anonymised).
 */
export function mdnsFromShadowserverRow(text: string, row: number, ip: string): Buffer {
  const r = csvRow(text, row);
  const answers: Answer[] = [];
  for (const service of (r['services'] ?? '').split(';')) {
    const type = stripDot(service.trim());
    if (type !== '') answers.push({ type: 'PTR', name: '_services._dns-sd._udp.local', data: type });
  }
  const ptr = stripDot(r['http_ptr'] ?? '');
  if (ptr !== '') {
    answers.push({ type: 'PTR', name: '_http._tcp.local', data: ptr });
    const strings = txtStringsFromShadowserver(r['http_info'] ?? '');
    if (strings.length > 0) answers.push({ type: 'TXT', name: ptr, data: strings.map((s) => Buffer.from(s, 'utf8')) });
    const target = stripDot(r['http_target'] ?? '');
    const port = Number(r['http_port'] ?? '');
    if (target !== '' && Number.isInteger(port) && port > 0) {
      answers.push({ type: 'SRV', name: ptr, data: { target, port } });
      answers.push({ type: 'A', name: target, data: ip });
    }
  }
  return response(answers);
}
