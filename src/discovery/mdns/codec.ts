/**
 * The one place dns-packet's per-part codecs are typed. @types/dns-packet declares only the
 * whole-message encode/decode; the name and resource-record codecs are exported by the
 * package too, and decoding record by record lets one bad record be skipped instead of
 * losing the whole reply.
 */
import dnsPacket from 'dns-packet';
import type { Answer } from 'dns-packet';

interface PartDecoder<T> {
  (buf: Buffer, offset?: number): T;
  /** Bytes consumed by the last decode. */
  bytes: number;
}

interface DnsPacketParts {
  name: { decode: PartDecoder<string> };
  answer: { decode: PartDecoder<Answer> };
}

const parts = dnsPacket as unknown as DnsPacketParts;

/**
 * Decodes a (possibly compressed) name at `offset`. dns-packet rejects forward and
 * self pointers (so pointer loops end), names over 254 bytes and reserved label types.
 */
export function decodeName(buf: Buffer, offset: number): { name: string; bytes: number } {
  const name = parts.name.decode(buf, offset);
  return { name, bytes: parts.name.decode.bytes };
}

/** Decodes one resource record starting at its owner name. */
export function decodeRecord(buf: Buffer, offset: number): Answer {
  return parts.answer.decode(buf, offset);
}
