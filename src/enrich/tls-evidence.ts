import { X509Certificate } from 'node:crypto';
import { evidenceList } from '../domain/evidence.ts';
import type { Evidence } from '../domain/types.ts';

/**
 * What a device's TLS certificate says about its maker (pure): the subject's and issuer's
 * organisation, unit and common name (makers' device CAs name them: `O=HIKVISION`,
 * `CN=Axis Communications AB Root CA`), the DNS names it is for, and whether it signs itself.
 * Nothing is verified: the certificate is evidence, not trust.
 */

/** `CN=a\nO=b` (Node's X509Certificate form) or `CN=a, O=b` -> [['CN','a'], ['O','b']]. */
export function parseDistinguishedName(dn: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const parts = dn.includes('\n') ? dn.split('\n') : dn.split(/,(?=\s*[A-Za-z.0-9]{1,40}=)/u);
  for (const part of parts.slice(0, 32)) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    out.push([part.slice(0, eq).trim().toUpperCase(), part.slice(eq + 1).trim()]);
  }
  return out;
}

const KEYS: Record<string, string> = { O: 'o', OU: 'ou', CN: 'cn' };

export function certificateEvidence(cert: X509Certificate, port: number): Evidence[] {
  const { list, add } = evidenceList('tls');
  add('tls.port', String(port));
  for (const [side, dn] of [['subject', cert.subject], ['issuer', cert.issuer]] as const) {
    for (const [key, value] of parseDistinguishedName(dn)) {
      const field = KEYS[key];
      if (field !== undefined) add(`tls.${side}.${field}`, value);
    }
  }
  for (const name of (cert.subjectAltName ?? '').split(/,\s*/u).slice(0, 8)) {
    if (name.startsWith('DNS:')) add('tls.san', name.slice(4));
  }
  add('tls.selfSigned', String(cert.subject === cert.issuer));
  return list;
}

/** The certificates in a PEM text (at most `max`), skipping blocks that do not parse. */
export function certificatesFromPem(text: string, max = 4): X509Certificate[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]{1,16384}?-----END CERTIFICATE-----/gu) ?? [];
  const out: X509Certificate[] = [];
  for (const block of blocks.slice(0, max)) {
    try {
      out.push(new X509Certificate(block));
    } catch {
      // Not a certificate after all: nothing to read from it.
    }
  }
  return out;
}
