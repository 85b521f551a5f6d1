/**
 * mDNS / DNS-SD discovery: browse the service types cameras and look-alikes advertise, on one
 * interface, for one listen window. Our own module on dns-packet, not bonjour-service: see
 * docs/decisions/mdns.md for the measured reasons.
 */
import { ERR, errorMessage } from '../../domain/errors.ts';
import { aborted } from '../../util/time.ts';
import type { Discoverer, DiscoveryContext } from '../types.ts';
import { MdnsSession, type MdnsDiscoveryOptions } from './session.ts';

export type { MdnsDiscoveryOptions } from './session.ts';
export { decodeMdnsResponse, mdnsToObservations, parseTxt } from './decode.ts';

async function runMdns(ctx: DiscoveryContext, options: MdnsDiscoveryOptions): Promise<void> {
  if (ctx.signal.aborted) return;
  const session = new MdnsSession(ctx, options);
  try {
    if (!(await session.open())) return;
    await session.browse();
    await aborted(ctx.signal);
  } finally {
    session.close();
  }
}

/** The mDNS discoverer. `run` resolves when `ctx.signal` aborts and never throws. */
export function createMdnsDiscovery(options: MdnsDiscoveryOptions = {}): Discoverer {
  return {
    protocol: 'mdns',
    async run(ctx: DiscoveryContext): Promise<void> {
      try {
        await runMdns(ctx, options);
      } catch (err) {
        ctx.error({ code: ERR.MDNS_FAILED, message: errorMessage(err), protocol: 'mdns', interface: ctx.iface.name });
      }
    },
  };
}
