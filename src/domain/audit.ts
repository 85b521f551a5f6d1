import type { Protocol } from './types.ts';

/**
 * One thing the agent sent: every datagram and every HTTP request, so an operator can show
 * exactly what a sweep put on the network.
 */
export interface AuditEntry {
  at: string;
  transport: 'udp' | 'tcp';
  protocol: Protocol;
  /** Local interface the datagram left through, when known. */
  interface?: string;
  destination: string;
  port: number;
  /** What was sent, e.g. `Probe dn:NetworkVideoTransmitter`, `M-SEARCH ssdp:all`, `POST /onvif/device_service GetDeviceInformation`. */
  message: string;
  bytes: number;
}

export type AuditSink = (entry: AuditEntry) => void;

/** What a socket reports for each datagram it sends; the sweep turns it into an AuditEntry. */
export type DatagramAudit = (sent: { address: string; port: number; payload: Buffer }) => void;
