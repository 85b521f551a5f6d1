import { ERR, errorCode, errorMessage } from '../../domain/errors.ts';
import type { Observation, SweepError } from '../../domain/types.ts';
import type { Logger } from '../../util/log.ts';
import { xmlNamespaces } from '../../util/xml.ts';
import { capErrorsPerSource } from '../../domain/error-log.ts';
import { seenOnce } from '../seen.ts';
import { decodeProbeMatches, decodeRepeat, probeMatchToObservation, WSD_LIMITS, wsdHeaderIds, type DecodedWsd } from './decode.ts';

/**
 * What to do with one datagram that arrived on the probing socket: decode it, check that it
 * answers one of our probes, emit one Observation per ProbeMatch. Socket-free, so the rules
 * are tested without a network. Never throws: every failure becomes a SweepError, and one bad
 * datagram never affects another.
 */
export interface ReplyHandlerOptions {
  /** MessageIDs of the probes sent so far (added before each send). */
  sent: ReadonlySet<string>;
  iface: string;
  emit(obs: Observation): void;
  error(err: SweepError): void;
  log: Logger;
  /**
   * Recognise a host's repeats (the same reply to each of our probes, with new header ids)
   * without parsing them again (decodeRepeat). Default true; false parses every datagram.
   */
  reuseRepeats?: boolean;
}

/** Upper bound of distinct (source, match) pairs remembered to suppress repeats. */
const MAX_SEEN = 4096;
/** Characters of the replies remembered to recognise a host's repeats, all hosts together. */
const MAX_SKELETON_CHARS = 4 * 1024 * 1024;

/**
 * `urn:uuid:X`, `uuid:X` and `X` name the same message (devices echo our MessageID with or
 * without the `urn:` prefix; uuid case varies): compare the bare, lowercased id.
 */
export function messageIdKey(id: string): string {
  return id.trim().toLowerCase().replace(/^urn:/u, '').replace(/^uuid:/u, '');
}

export function createReplyHandler(opts: ReplyHandlerOptions): (msg: Buffer, from: { address: string }) => void {
  const firstTime = seenOnce(MAX_SEEN);
  const base = { protocol: 'wsd' as const, interface: opts.iface };
  // A host that floods junk costs at most MAX_ERRORS_PER_SOURCE records, whatever it sends.
  const capped = capErrorsPerSource({ record: (err) => opts.error(err) });
  const error = (err: SweepError & { ip: string }): void => capped(err.ip, err);

  // Per host, the skeleton of its last reply decoded and that decode (MAX_SEEN hosts, and
  // MAX_SKELETON_CHARS of skeletons in all: a miss only means a parse).
  const lastDecoded = new Map<string, { skeleton: string; decoded: DecodedWsd }>();
  let skeletonChars = 0;
  const remember = (ip: string, skeleton: string, decoded: DecodedWsd): void => {
    const old = lastDecoded.get(ip);
    if (old !== undefined) {
      lastDecoded.delete(ip);
      skeletonChars -= old.skeleton.length;
    }
    if (lastDecoded.size >= MAX_SEEN || skeletonChars + skeleton.length > MAX_SKELETON_CHARS) return;
    lastDecoded.set(ip, { skeleton, decoded });
    skeletonChars += skeleton.length;
  };
  const reuse = opts.reuseRepeats !== false;

  return (msg, from) => {
    const ip = from.address;
    try {
      const text = msg.toString('utf8');
      let decoded;
      const ids = reuse && Buffer.byteLength(text, 'utf8') <= WSD_LIMITS.maxBytes ? wsdHeaderIds(text) : undefined;
      const earlier = ids === undefined ? undefined : lastDecoded.get(ip);
      try {
        decoded = earlier !== undefined && earlier.skeleton === ids!.skeleton ? decodeRepeat(earlier.decoded, ids!) : undefined;
        if (decoded === undefined) {
          decoded = decodeProbeMatches(text);
          if (ids !== undefined) remember(ip, ids.skeleton, decoded);
        }
      } catch (err) {
        error({ ...base, ip, code: ERR.WSD_INVALID, message: errorMessage(err) });
        opts.log.debug({ device: { ip, bytes: msg.length } }, 'undecodable WS-Discovery reply');
        return;
      }
      const ours = [...opts.sent].some((id) => decoded.relatesTo !== undefined && messageIdKey(id) === messageIdKey(decoded.relatesTo));
      if (!ours) {
        error({
          ...base,
          ip,
          code: ERR.WSD_RELATES_TO_MISMATCH,
          message: decoded.relatesTo === undefined ? 'reply without RelatesTo' : 'reply RelatesTo names no probe we sent',
        });
        return;
      }
      if (decoded.truncated) {
        error({ ...base, ip, code: ERR.WSD_TRUNCATED, message: 'reply ends inside an element; kept what was whole' });
      } else if (decoded.matches.length === 0) {
        error({ ...base, ip, code: ERR.WSD_INVALID, message: `${decoded.kind} reply without a usable ProbeMatch` });
        return;
      }
      const namespaces = xmlNamespaces(text);
      for (const match of decoded.matches) {
        if (!firstTime(`${ip}\n${JSON.stringify(match)}`)) continue;
        opts.emit(probeMatchToObservation(match, { ip, iface: opts.iface }, namespaces));
      }
    } catch (err) {
      error({ ...base, ip, code: errorCode(err, ERR.WSD_INTERNAL), message: errorMessage(err) });
    }
  };
}
