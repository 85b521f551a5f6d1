import type { Logger } from '../util/log.ts';
import type { Observation, Protocol, SweepError } from '../domain/types.ts';
import type { NetInterface } from './interfaces.ts';
import type { DatagramAudit } from '../domain/audit.ts';

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
  /** Pass to openUdpSocket({ audit }) so every datagram sent is recorded. */
  audit?: DatagramAudit;
}

/** One discovery protocol: runs on one interface until the window closes. Never throws. */
export interface Discoverer {
  protocol: Protocol;
  run(ctx: DiscoveryContext): Promise<void>;
}
