/** The decoded form of an mDNS message: plain data, no Buffers except TXT strings. */

export type MdnsSection = 'answer' | 'authority' | 'additional';

interface RecordBase {
  section: MdnsSection;
  /** Owner name, decoded and made printable-safe (see cleanName). */
  name: string;
  ttl: number;
}

export interface SrvData {
  target: string;
  port: number;
  priority: number;
  weight: number;
}

export type MdnsRecord = RecordBase &
  (
    | { type: 'PTR'; data: string }
    | { type: 'SRV'; data: SrvData }
    | { type: 'TXT'; data: Buffer[] }
    | { type: 'A'; data: string }
    | { type: 'AAAA'; data: string }
  );

export interface MdnsRecords {
  /**
   * response: a reply (QR=1) with its records; query: a well-formed query (QR=0), no records;
   * ignored: opcode or rcode not 0 (RFC 6762 §18.3, §18.11); invalid: not a usable DNS message.
   */
  kind: 'response' | 'query' | 'ignored' | 'invalid';
  /** TC bit: the responder could not fit everything. */
  truncated: boolean;
  records: MdnsRecord[];
  /** Records of other types (NSEC, HINFO, ...) that were skipped. */
  skipped: number;
  /** What went wrong; a response may still carry the records decoded before the problem. */
  problems: string[];
}
