import { ERR, errorCode, errorMessage } from '../../domain/errors.ts';
import type { Observation, SweepError } from '../../domain/types.ts';
import type { Logger } from '../../util/log.ts';
import { onSubnet } from '../../util/ip.ts';
import type { NetInterface } from '../interfaces.ts';
import { replyErrors } from '../reply-errors.ts';
import { seenOnce } from '../seen.ts';
import { dahuaV1ToObservation, decodeDahua, dhipToObservation } from './decode.ts';

/**
 * What to do with one datagram on one of the two Dahua sockets of an interface. Socket-free,
 * never throws.
 *
 * - `unicast`: the socket the searches leave from; devices answer the sender (DHIP and v1),
 *   so everything here belongs to this interface.
 * - `group`: the 0.0.0.0:37810 listener joined to 239.255.255.251, for firmware that answers
 *   the group. The kernel hands such datagrams to the listeners of every interface, and a
 *   DHIP search carries no id a reply could echo, so a datagram counts here only when its
 *   source is on this interface's subnet.
 *
 * The same reply often arrives twice (to us and to the group, and once per search sent):
 * one Observation per distinct content per source.
 */
export type DahuaVia = 'unicast' | 'group';

export interface DahuaReplyOptions {
  iface: NetInterface;
  emit(obs: Observation): void;
  error(err: SweepError): void;
  log: Logger;
}

export interface DahuaReplyStats {
  received: number;
  emitted: number;
  duplicates: number;
  /** Searches heard (ours by broadcast, other tools'). */
  searches: number;
  /** DHIP messages with another method. */
  other: number;
  offSubnet: number;
  invalid: number;
}

/** Distinct replies remembered (bounds memory whatever the segment sends). */
const MAX_TRACKED = 4096;
/** Bytes of the datagrams remembered as repeats (below), all together. */
const MAX_REPEAT_BYTES = 1024 * 1024;

export function createDahuaReplyHandler(opts: DahuaReplyOptions): {
  onMessage(msg: Buffer, ip: string, via: DahuaVia): void;
  readonly stats: DahuaReplyStats;
} {
  const stats: DahuaReplyStats = { received: 0, emitted: 0, duplicates: 0, searches: 0, other: 0, offSubnet: 0, invalid: 0 };
  const seen = seenOnce(MAX_TRACKED);
  const report = replyErrors({ protocol: 'dhip', iface: opts.iface.name, error: (e) => opts.error(e), log: opts.log });

  const firstTime = (key: string): boolean => {
    if (seen(key)) return true;
    stats.duplicates += 1;
    return false;
  };
  // Datagrams that decoded to a reply already seen from their source, by source, socket and
  // bytes: the same bytes again decode to that reply again, a duplicate, so they are counted as
  // one without decoding them (a device answers each of the six searches alike, to us and to
  // the group: ~10 copies of one reply per device). Bounded by MAX_TRACKED and MAX_REPEAT_BYTES.
  const repeats = new Set<string>();
  let repeatBytes = 0;
  const remember = (key: string): void => {
    if (repeats.size >= MAX_TRACKED || repeatBytes + key.length > MAX_REPEAT_BYTES) return;
    repeats.add(key);
    repeatBytes += key.length;
  };

  const onMessage = (msg: Buffer, ip: string, via: DahuaVia): void => {
    stats.received += 1;
    if (via === 'group' && !onSubnet(opts.iface, ip)) {
      stats.offSubnet += 1;
      return;
    }
    const bytesKey = `${ip}\n${via}\n${msg.toString('latin1')}`;
    if (repeats.has(bytesKey)) {
      stats.duplicates += 1;
      return;
    }
    const decoded = decodeDahua(msg);
    switch (decoded.kind) {
      case 'search':
        stats.searches += 1;
        return;
      case 'other':
        stats.other += 1;
        if (via === 'unicast') report(ip, ERR.DHIP_INVALID, `unexpected DHIP method ${JSON.stringify(decoded.method)}`);
        else opts.log.debug({ device: { ip, method: decoded.method } }, 'dhip: other method on the group');
        return;
      case 'invalid':
        stats.invalid += 1;
        report(ip, ERR.DHIP_INVALID, decoded.reason);
        opts.log.debug({ device: { ip, bytes: msg.length, reason: decoded.reason } }, 'dhip: undecodable datagram');
        return;
      case 'dhip': {
        if (!firstTime(`${ip}\ndhip\n${JSON.stringify(decoded.info)}`)) {
          remember(bytesKey);
          return;
        }
        if (!decoded.wellFormed) report(ip, ERR.DHIP_MALFORMED, 'notifyDevInfo body cut short or not valid JSON: values extracted key by key');
        stats.emitted += 1;
        opts.emit(dhipToObservation(decoded.info, { ip, iface: opts.iface.name }));
        return;
      }
      case 'v1': {
        if (!firstTime(`${ip}\nv1\n${JSON.stringify(decoded.info)}`)) {
          remember(bytesKey);
          return;
        }
        if (decoded.truncated) report(ip, ERR.DHIP_MALFORMED, 'Dahua v1 reply shorter than its section lengths: read as far as it goes');
        stats.emitted += 1;
        opts.emit(dahuaV1ToObservation(decoded.info, { ip, iface: opts.iface.name }));
        return;
      }
    }
  };

  return {
    onMessage(msg, ip, via) {
      try {
        onMessage(msg, ip, via);
      } catch (err) {
        report(ip, errorCode(err, ERR.DHIP_INTERNAL), errorMessage(err));
      }
    },
    stats,
  };
}
