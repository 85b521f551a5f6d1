import { ERR, errorCode, errorMessage } from '../../domain/errors.ts';
import type { Observation, SweepError } from '../../domain/types.ts';
import type { Logger } from '../../util/log.ts';
import { onSubnet } from '../../util/ip.ts';
import type { NetInterface } from '../interfaces.ts';
import { replyErrors } from '../reply-errors.ts';
import { seenOnce } from '../seen.ts';
import { decodeSadp, sadpToObservation, type SadpProbeMatch } from './decode.ts';

/**
 * What to do with one datagram on one of the two SADP sockets of an interface. Socket-free,
 * so the rules are tested without a network; never throws.
 *
 * - `unicast`: the socket our inquiries leave from. A reply there was sent to us, so it belongs
 *   to this interface; one that echoes a Uuid we never sent is recorded as a mismatch (like
 *   WS-Discovery's RelatesTo) and dropped.
 * - `group`: the 0.0.0.0:37020 listener, where devices answer (to 239.255.255.250:37020,
 *   which every SADP tool on the segment hears). The kernel hands every such datagram to every
 *   listener of every interface, so a reply counts here when it echoes a Uuid this
 *   interface sent (it answers our inquiry, which left through this interface: this also finds
 *   devices whose address is on no local subnet, e.g. a factory-default 192.0.0.64, which is
 *   what SADP is for); a reply echoing someone else's Uuid answers another tool and is
 *   ignored (the device answers ours too); a reply without a Uuid counts when its source is on
 *   this interface's subnet.
 */
export type SadpVia = 'unicast' | 'group';

export interface SadpReplyOptions {
  /** Uuids of the inquiries sent on this interface so far (upper case). */
  sent: ReadonlySet<string>;
  iface: NetInterface;
  emit(obs: Observation): void;
  error(err: SweepError): void;
  log: Logger;
}

export interface SadpReplyStats {
  received: number;
  emitted: number;
  duplicates: number;
  /** Inquiries heard (ours by broadcast, other tools'). */
  probes: number;
  /** Group replies to other tools' inquiries. */
  foreign: number;
  offSubnet: number;
  invalid: number;
}

/** Distinct replies remembered (bounds memory whatever the segment sends). */
const MAX_TRACKED = 4096;

export function createSadpReplyHandler(opts: SadpReplyOptions): {
  onMessage(msg: Buffer, ip: string, via: SadpVia): void;
  readonly stats: SadpReplyStats;
} {
  const stats: SadpReplyStats = { received: 0, emitted: 0, duplicates: 0, probes: 0, foreign: 0, offSubnet: 0, invalid: 0 };
  const firstTime = seenOnce(MAX_TRACKED);
  const report = replyErrors({ protocol: 'sadp', iface: opts.iface.name, error: (e) => opts.error(e), log: opts.log });

  const accept = (match: SadpProbeMatch, ip: string): void => {
    const { uuid: _uuid, ...content } = match;
    if (!firstTime(`${ip}\n${JSON.stringify(content)}`)) {
      stats.duplicates += 1;
      return;
    }
    stats.emitted += 1;
    opts.emit(sadpToObservation(match, { ip, iface: opts.iface.name }));
  };

  const onMessage = (msg: Buffer, ip: string, via: SadpVia): void => {
    stats.received += 1;
    const local = onSubnet(opts.iface, ip);
    const decoded = decodeSadp(msg);
    if (decoded.kind === 'probe') {
      stats.probes += 1;
      return;
    }
    if (decoded.kind === 'invalid') {
      if (via === 'group' && !local) {
        stats.offSubnet += 1;
        return;
      }
      stats.invalid += 1;
      report(ip, ERR.SADP_INVALID, decoded.reason);
      opts.log.debug({ device: { ip, bytes: msg.length, reason: decoded.reason } }, 'sadp: undecodable datagram');
      return;
    }
    const uuid = decoded.match.uuid?.toUpperCase();
    const ours = uuid !== undefined && opts.sent.has(uuid);
    if (via === 'unicast' && uuid !== undefined && !ours) {
      report(ip, ERR.SADP_UUID_MISMATCH, 'reply echoes a Uuid we never sent');
      return;
    }
    if (via === 'group' && !ours) {
      if (uuid !== undefined) {
        stats.foreign += 1;
        return;
      }
      if (!local) {
        stats.offSubnet += 1;
        return;
      }
    }
    if (!decoded.wellFormed) {
      report(ip, ERR.SADP_MALFORMED, 'reply is not well-formed XML (cut or broken): its closed elements were read one by one');
    }
    accept(decoded.match, ip);
  };

  return {
    onMessage(msg, ip, via) {
      try {
        onMessage(msg, ip, via);
      } catch (err) {
        report(ip, errorCode(err, ERR.SADP_INTERNAL), errorMessage(err));
      }
    },
    stats,
  };
}
