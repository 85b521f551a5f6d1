/**
 * Dahua discovery payloads, as data. camsweep sends exactly two Dahua messages, both
 * read-only searches, and nothing here can build any other:
 *
 * - DHIP `DHDiscover.search`: a 32-byte header (u32le 0x20, ASCII `DHIP`, u32 0, u32 0,
 *   u32le body length, u32 0, u32le body length again, u32 0) and a constant JSON body. The
 *   framing is the one in corpus/dahua/dhip-notifyDevInfo-1.bin (devices frame replies the
 *   same way); a body without the header gets no answer.
 * - the legacy Dahua "v1" search: 32 bytes, `a3 01 00 01`, zeros, 0x02 at offset 0x10
 *   (UniversalScanner Dahua1.cs).
 */
export const DHIP_GROUP = '239.255.255.251';
export const DHIP_BROADCAST = '255.255.255.255';
export const DHIP_PORT = 37810;
export const DAHUA_V1_PORT = 5050;

export const DHIP_HEADER_LENGTH = 32;
export const DHIP_MAGIC = 'DHIP';
/** The only DHIP method camsweep ever sends. */
export const DHIP_SEARCH_METHOD = 'DHDiscover.search';
export const DHIP_SEARCH_BODY = `{"method":"${DHIP_SEARCH_METHOD}","params":{"mac":"","uni":1}}\n`;

/** The DHIP search datagram: header + body (91 bytes). A new Buffer each call. */
export function buildDhipSearch(): Buffer {
  const body = Buffer.from(DHIP_SEARCH_BODY, 'utf8');
  const header = Buffer.alloc(DHIP_HEADER_LENGTH);
  header.writeUInt32LE(DHIP_HEADER_LENGTH, 0);
  header.write(DHIP_MAGIC, 4, 'latin1');
  header.writeUInt32LE(body.length, 16);
  header.writeUInt32LE(body.length, 24);
  return Buffer.concat([header, body]);
}

export const DAHUA_V1_PROBE_LENGTH = 32;

/** The Dahua v1 search datagram. A new Buffer each call. */
export function buildDahuaV1Probe(): Buffer {
  const probe = Buffer.alloc(DAHUA_V1_PROBE_LENGTH);
  probe.set([0xa3, 0x01, 0x00, 0x01], 0);
  probe[0x10] = 0x02;
  return probe;
}
