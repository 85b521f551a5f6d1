import { ERR, errorCode, errorMessage } from '../../domain/errors.ts';
import type { Observation, SweepError } from '../../domain/types.ts';
import type { Logger } from '../../util/log.ts';
import { MAX_ERROR_SOURCES } from '../../domain/error-log.ts';
import { replyErrors } from '../reply-errors.ts';
import { parseSsdpMessage, ssdpToObservation } from './decode.ts';

/**
 * What to do with one datagram on an SSDP socket (socket-free, never throws): decode it into
 * an Observation attributed to the datagram's source address, never to anything it claims.
 * An undecodable reply is an error (at most MAX_ERRORS_PER_SOURCE per host); replies beyond
 * `maxPerHost` from one host are dropped (repeats are normal: every search is answered once
 * per root device, embedded device and service, and again for each repeat).
 */
export interface SsdpReplyOptions {
  /** The interface's name, for the observations and errors. */
  iface: string;
  /** Replies kept per host. */
  maxPerHost: number;
  emit(obs: Observation): void;
  error(err: SweepError): void;
  log: Logger;
}

export interface SsdpReplyStats {
  received: number;
  emitted: number;
  /** Over the per-host reply cap. */
  capped: number;
  invalid: number;
}

/** Distinct source addresses whose replies are counted. */
const MAX_HOSTS = MAX_ERROR_SOURCES;

export function createSsdpReplyHandler(opts: SsdpReplyOptions): { onMessage(msg: Buffer, ip: string): void; readonly stats: SsdpReplyStats } {
  const stats: SsdpReplyStats = { received: 0, emitted: 0, capped: 0, invalid: 0 };
  const replies = new Map<string, number>();
  const report = replyErrors({ protocol: 'ssdp', iface: opts.iface, error: (e) => opts.error(e), log: opts.log });

  const onMessage = (msg: Buffer, ip: string): void => {
    stats.received += 1;
    let obs: Observation;
    try {
      obs = ssdpToObservation(parseSsdpMessage(msg), { ip, iface: opts.iface });
    } catch (err) {
      stats.invalid += 1;
      report(ip, errorCode(err, ERR.SSDP_INVALID), errorMessage(err));
      return;
    }
    if (!replies.has(ip) && replies.size >= MAX_HOSTS) {
      stats.capped += 1;
      return;
    }
    const n = (replies.get(ip) ?? 0) + 1;
    replies.set(ip, n);
    if (n > opts.maxPerHost) {
      stats.capped += 1;
      if (n === opts.maxPerHost + 1) opts.log.debug({ device: { ip } }, 'ssdp: per-host reply cap reached');
      return;
    }
    stats.emitted += 1;
    opts.emit(obs);
  };

  return {
    onMessage(msg, ip) {
      try {
        onMessage(msg, ip);
      } catch (err) {
        report(ip, errorCode(err, ERR.SSDP_INTERNAL), errorMessage(err));
      }
    },
    stats,
  };
}
