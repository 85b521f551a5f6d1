import { evidenceList } from '../domain/evidence.ts';
import type { Evidence } from '../domain/types.ts';
import type { ResponseHead } from '../util/response-head.ts';
import { parseWwwAuthenticate } from './banner.ts';

/**
 * What an RTSP server says about itself (pure): the status, the `Server` header (`Dahua Rtsp
 * Server`), the WWW-Authenticate scheme and realm (`Digest realm="Login to <serial>"`), the
 * methods it offers, and, when the answer carries a session description (a DESCRIBE answer in
 * a capture: the agent itself only sends OPTIONS), the stream path of its Content-Base
 * (`/Streaming/Channels/101/`, `/cam/realmonitor`: the host part is an address, never a tell),
 * the SDP session name and tool, and its attribute lines (`a=Media_header:MEDIAINFO=494D4B48...`).
 */

/** SDP attribute lines recorded per answer (the media lines repeat the same few). */
const MAX_SDP_ATTRIBUTES = 24;
/** Standard SDP attributes (RFC 8866 and RTP profiles) that say nothing about the maker. */
const STANDARD_ATTRIBUTES: ReadonlySet<string> = new Set([
  'control', 'rtpmap', 'fmtp', 'recvonly', 'sendonly', 'sendrecv', 'inactive', 'range', 'framerate', 'framesize', 'cliprect',
  'ptime', 'maxptime', 'orient', 'type', 'charset', 'sdplang', 'lang', 'quality', 'rtcp', 'rtcp-mux', 'ssrc', 'mid', 'fingerprint', 'setup',
]);

function pathOf(url: string): string | undefined {
  const m = /^rtsps?:\/\/[^/\s]*(\/[^\s]*)?$/iu.exec(url.trim());
  if (!m) return undefined;
  return m[1] ?? '/';
}

function sdpEvidence(body: string, add: (field: string, value: string | undefined) => void): void {
  let attributes = 0;
  for (const raw of body.split(/\r?\n/u).slice(0, 400)) {
    const line = raw.trim();
    if (line.startsWith('s=')) add('rtsp.sdp.session', line.slice(2));
    else if (line.startsWith('a=tool:')) add('rtsp.sdp.tool', line.slice(7));
    else if (line.startsWith('a=') && attributes < MAX_SDP_ATTRIBUTES) {
      const name = /^a=([\w.-]{1,64})/u.exec(line)?.[1];
      if (name === undefined || STANDARD_ATTRIBUTES.has(name.toLowerCase())) continue;
      add('rtsp.sdp.attribute', line.slice(2));
      attributes += 1;
    }
  }
}

export function rtspEvidence(res: Pick<ResponseHead, 'status' | 'headers'> & { body?: Buffer }, port: number): Evidence[] {
  const { list, add } = evidenceList('rtsp');
  add('rtsp.port', String(port));
  add('rtsp.status', String(res.status));
  add('rtsp.server', res.headers['server']);
  const auth = res.headers['www-authenticate'];
  if (auth !== undefined) {
    for (const challenge of parseWwwAuthenticate(auth)) {
      add('rtsp.authScheme', challenge.scheme);
      add('rtsp.realm', challenge.realm);
    }
  }
  add('rtsp.public', res.headers['public']);
  const base = res.headers['content-base'] ?? res.headers['content-location'];
  if (base !== undefined) add('rtsp.contentBase', pathOf(base));
  if (res.body !== undefined && res.body.length > 0 && /application\/sdp/iu.test(res.headers['content-type'] ?? 'application/sdp')) {
    sdpEvidence(res.body.subarray(0, 16 * 1024).toString('latin1'), add);
  }
  return list;
}
