import { evidenceList } from '../domain/evidence.ts';
import type { Evidence } from '../domain/types.ts';
import type { ResponseHead } from '../util/response-head.ts';
import { parseWwwAuthenticate } from './banner.ts';

/**
 * What an RTSP server says about itself in its answer to OPTIONS (pure): the status, the
 * `Server` header (`Dahua Rtsp Server`, `Hikvision-Webs`...) and the WWW-Authenticate scheme
 * and realm (`Digest realm="Hikvision"`, `realm="Login to <serial>"`).
 */
export function rtspEvidence(res: Pick<ResponseHead, 'status' | 'headers'>, port: number): Evidence[] {
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
  return list;
}
