import type { Logger } from '../util/log.ts';
import type { Observation, Protocol, SweepError } from '../domain/types.ts';
import type { NetInterface } from './interfaces.ts';
import type { DatagramAudit } from '../domain/audit.ts';
import type { UdpFactory } from './udp.ts';

/** What a discoverer gets for one interface and one sweep. */
export interface DiscoveryContext {
  iface: NetInterface;
  /** Aborted when the listen window closes: stop sending, close sockets, resolve. */
  signal: AbortSignal;
  /** Length of the listen window, for scheduling repeats. */
  windowMs: number;
  log: Logger;
  /** One decoded reply. The source IP is the datagram's, never the payload's. */
  emit(obs: Observation): void;
  /** A problem that did not stop this discoverer (bad reply, send failure). */
  error(err: SweepError): void;
  random?: () => number;
  /** Opens the sockets: the host's (openUdpSocket) in a sweep, a simulated segment in unit tests. */
  udp: UdpFactory;
  /** Pass to ctx.udp({ audit }) so every datagram sent is recorded. */
  audit?: DatagramAudit;
  /**
   * The adaptive window (docs/decisions/window.md): after each send, a discoverer says how long
   * replies to it may take (the protocol's own bound: MX for SSDP, APP_MAX_DELAY for
   * WS-Discovery...), and with `last` that nothing more is scheduled. Once every discoverer on
   * every interface has sent its last, every such deadline has passed and no reply has come for
   * the idle time, the sweep closes the window before `windowMs`. Replies may still trigger
   * sends (mDNS follow-ups); they say so again. A discoverer that never calls it keeps the
   * window open to the end.
   */
  expectReplies?(withinMs: number, last?: boolean): void;
}

/** Margin added to each protocol's reply bound for the network and the device's own load. */
export const REPLY_MARGIN_MS = 100;

/** One discovery protocol: runs on one interface until the window closes. Never throws. */
export interface Discoverer {
  protocol: Protocol;
  run(ctx: DiscoveryContext): Promise<void>;
}
