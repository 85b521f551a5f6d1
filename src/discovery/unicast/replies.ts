import { createHash } from 'node:crypto';
import { ERR, errorCode, errorMessage } from '../../domain/errors.ts';
import type { Observation, SweepError } from '../../domain/types.ts';
import type { Logger } from '../../util/log.ts';
import { createDahuaReplyHandler } from '../dhip/replies.ts';
import type { NetInterface } from '../interfaces.ts';
import { capErrorsPerSource } from '../../domain/error-log.ts';
import { seenOnce } from '../seen.ts';
import { decodeMdnsResponse, mdnsToObservations } from '../mdns/decode.ts';
import { FollowUpTracker } from '../mdns/followup.ts';
import { CAMERA_SERVICE_TYPES, type MdnsQuestion } from '../mdns/payloads.ts';
import { createSadpReplyHandler } from '../sadp/replies.ts';
import { createSsdpReplyHandler } from '../ssdp/replies.ts';
import { createReplyHandler as createWsdReplyHandler } from '../wsd/replies.ts';
import type { ProbeIds, UnicastProtocol } from './probes.ts';

/**
 * What to do with one datagram on one of the routed sweep's sockets (socket-free, never
 * throws). A reply counts only when its source address was probed in this sweep: anything
 * else is recorded (`UNICAST_UNEXPECTED_SOURCE`) and dropped. The reply is then read by its
 * protocol's own rules: WS-Discovery, SADP and DHIP through their reply handlers (RelatesTo
 * and Uuid must echo the id sent to *that* address), SSDP and mDNS through their pure decoders
 * (an mDNS reply must echo the DNS message ID sent to that address, RFC 6762 §6.7).
 *
 * Observations carry the swept interface whose subnet holds the address, or none for a host
 * behind a router (it is on no local segment).
 */
export interface UnicastReplyOptions {
  ids: ProbeIds;
  /** Whether a probe went to `ip` in this sweep. */
  wasProbed(ip: string): boolean;
  interfaceOf(ip: string): string | undefined;
  emit(obs: Observation): void;
  error(err: SweepError): void;
  log: Logger;
  /** An mDNS reply from `ip` left questions worth asking it (see mdnsFollowUps). */
  onMdnsFollowUp?(ip: string): void;
}

export interface UnicastReplyStats {
  received: number;
  emitted: number;
  duplicates: number;
  /** Datagrams from addresses that were never probed. */
  unexpected: number;
}

export interface UnicastReplyHandler {
  onMessage(protocol: UnicastProtocol, msg: Buffer, from: { address: string }): void;
  /** mDNS questions still worth asking `ip` (each call counts as one ask). */
  mdnsFollowUps(ip: string): MdnsQuestion[];
  readonly stats: UnicastReplyStats;
}

/** Hosts (errors are capped per protocol and host) and replies remembered, whatever the network sends. */
const MAX_TRACKED = 16_384;
/** Hosts whose mDNS answers are followed up. */
const MAX_MDNS_HOSTS = 1024;

/** The observation or error re-labelled with the local interface (or none) of its address. */
function relabel<T extends { interface?: string }>(item: T, iface: string | undefined): T {
  const { interface: _ignored, ...rest } = item;
  return (iface === undefined ? rest : { ...rest, interface: iface }) as T;
}

/** A stand-in interface for the reply handlers, which only read it for group replies. */
function pseudoInterface(name: string): NetInterface {
  return { name, address: '0.0.0.0', netmask: '255.255.255.255', prefix: 32, mac: null };
}

export function createUnicastReplyHandler(opts: UnicastReplyOptions): UnicastReplyHandler {
  const stats: UnicastReplyStats = { received: 0, emitted: 0, duplicates: 0, unexpected: 0 };
  const firstTime = seenOnce(MAX_TRACKED);
  const trackers = new Map<string, FollowUpTracker>();

  const capped = capErrorsPerSource({
    record: (err) => opts.error(err),
    maxSources: MAX_TRACKED,
    onCapped: (err) => opts.log.debug({ device: { ip: err.ip, protocol: err.protocol, code: err.code } }, 'unicast: error not recorded (per-host cap)'),
  });
  const error = (protocol: UnicastProtocol, ip: string, err: SweepError): void =>
    capped(`${protocol}\n${ip}`, relabel({ ...err, protocol, ip }, opts.interfaceOf(ip)));

  const emit = (ip: string, obs: Observation): void => {
    const labelled = relabel({ ...obs, ip }, opts.interfaceOf(ip));
    if (!firstTime(createHash('sha1').update(JSON.stringify(labelled)).digest('base64'))) {
      stats.duplicates += 1;
      return;
    }
    stats.emitted += 1;
    opts.emit(labelled);
  };

  const sinks = (protocol: UnicastProtocol, ip: string) => ({
    emit: (obs: Observation) => emit(ip, obs),
    error: (err: SweepError) => error(protocol, ip, err),
    log: opts.log,
  });

  const mdns = (msg: Buffer, ip: string): void => {
    const decoded = decodeMdnsResponse(msg);
    if (decoded.kind === 'invalid') {
      error('mdns', ip, { code: ERR.MDNS_INVALID, message: `not a valid mDNS message: ${decoded.problems.join('; ')}` });
      return;
    }
    if (decoded.kind !== 'response') return;
    if (msg.readUInt16BE(0) !== opts.ids.mdns(ip)) {
      error('mdns', ip, { code: ERR.MDNS_ID_MISMATCH, message: 'reply does not echo the message ID of the query sent to this address' });
      return;
    }
    if (decoded.problems.length > 0) {
      error('mdns', ip, { code: ERR.MDNS_INVALID, message: `reply partly decoded: ${decoded.problems.slice(0, 3).join('; ')}` });
    }
    let tracker = trackers.get(ip);
    if (!tracker && trackers.size < MAX_MDNS_HOSTS) {
      tracker = new FollowUpTracker([...CAMERA_SERVICE_TYPES]);
      trackers.set(ip, tracker);
    }
    tracker?.learn(decoded.records);
    for (const obs of mdnsToObservations(decoded, { ip })) emit(ip, obs);
    if (tracker) opts.onMdnsFollowUp?.(ip);
  };

  const dispatch = (protocol: UnicastProtocol, msg: Buffer, ip: string): void => {
    switch (protocol) {
      case 'wsd':
        createWsdReplyHandler({ sent: new Set(opts.ids.wsd(ip)), iface: '', ...sinks('wsd', ip) })(msg, { address: ip });
        return;
      case 'sadp':
        createSadpReplyHandler({ sent: new Set([opts.ids.sadp(ip)]), iface: pseudoInterface(''), ...sinks('sadp', ip) }).onMessage(msg, ip, 'unicast');
        return;
      case 'dhip':
        createDahuaReplyHandler({ iface: pseudoInterface(''), ...sinks('dhip', ip) }).onMessage(msg, ip, 'unicast');
        return;
      case 'ssdp':
        createSsdpReplyHandler({ iface: '', maxPerHost: 1, ...sinks('ssdp', ip) }).onMessage(msg, ip);
        return;
      case 'mdns':
        mdns(msg, ip);
        return;
    }
  };

  return {
    stats,
    onMessage(protocol, msg, from) {
      const ip = from.address;
      stats.received += 1;
      try {
        if (!opts.wasProbed(ip)) {
          stats.unexpected += 1;
          error(protocol, ip, { code: ERR.UNICAST_UNEXPECTED_SOURCE, message: `${protocol} reply from an address that was not probed: dropped` });
          return;
        }
        dispatch(protocol, msg, ip);
      } catch (err) {
        error(protocol, ip, { code: errorCode(err, ERR.UNICAST_INTERNAL), message: errorMessage(err) });
      }
    },
    mdnsFollowUps(ip) {
      return trackers.get(ip)?.pending() ?? [];
    },
  };
}
