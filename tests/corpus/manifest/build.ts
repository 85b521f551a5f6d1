import type { Case, Entry, Expectation, Gap, JudgedCase, Reader, Trap, UnusableCase } from '../types.ts';

/** Small constructors that keep the manifest readable. */

export function entry(corpus: string, fixture: string | null, sha256: string, cases: Case[]): Entry {
  return { corpus, vendor: corpus.split('/')[0]!, fixture, sha256, cases };
}

export function unusableFile(corpus: string, sha256: string, why: string): Entry {
  return { corpus, vendor: corpus.split('/')[0]!, fixture: null, sha256, unusable: why, cases: [] };
}

export function judged(id: string, read: Reader, expect: Expectation, extra: { truth?: string | null; trap?: Trap; gap?: Gap } = {}): JudgedCase {
  return { id, read, expect, ...extra };
}

/** Why each Recog database's examples are not seen by camsweep. */
const NOT_SEEN: Readonly<Record<string, string>> = {
  x509_subjects: 'a TLS certificate subject: camsweep opens no TLS connection',
  telnet_banners: 'a telnet banner: camsweep never connects to telnet',
  rtsp_servers:
    'an RTSP Server header: camsweep never connects to an RTSP port (its HTTP banner reads port 80 and the HTTP ports a device advertises), so this value never reaches the evidence',
  dhcp_vendor_class: 'a DHCP vendor class: camsweep does not see DHCP',
  favicons: 'a favicon hash: camsweep does not fetch /favicon.ico',
};

/** One Recog example of an HTTP database, judged as the response a banner fetch gets. */
export function recog(fingerprint: number, example: number, database: string, value: string, expect: Expectation, extra: { truth?: string | null; trap?: Trap; gap?: Gap } = {}): JudgedCase {
  return judged(`${database} ${JSON.stringify(value)}`, { kind: 'http-recog', fingerprint, example, value }, expect, extra);
}

/** One Recog example camsweep cannot observe; the test checks that the reader yields nothing. */
export function recogNotSeen(fingerprint: number, example: number, database: string, value: string): UnusableCase {
  const why = NOT_SEEN[database];
  if (why === undefined) throw new Error(`no reason recorded for Recog database ${database}`);
  return { id: `${database} ${JSON.stringify(value)}`, unusable: why, read: { kind: 'http-recog', fingerprint, example, value } };
}
