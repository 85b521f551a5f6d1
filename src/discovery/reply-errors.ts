import { capErrorsPerSource } from '../domain/error-log.ts';
import type { Protocol, SweepError } from '../domain/types.ts';
import type { Logger } from '../util/log.ts';

/**
 * The errors a protocol's reply handler records on one interface: labelled with the protocol,
 * the interface and the source host, at most MAX_ERRORS_PER_SOURCE per host (one host flooding
 * junk costs no more); the rest only make a debug line.
 */
export function replyErrors(options: { protocol: Protocol; iface: string; error(err: SweepError): void; log: Logger }): (ip: string, code: string, message: string) => void {
  const capped = capErrorsPerSource({
    record: (err) => options.error(err),
    onCapped: (err) => options.log.debug({ device: { ip: err.ip, code: err.code } }, `${options.protocol}: error not recorded (per-host cap)`),
  });
  return (ip, code, message) => capped(ip, { protocol: options.protocol, interface: options.iface, ip, code, message });
}
