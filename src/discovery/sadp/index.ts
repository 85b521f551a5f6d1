/**
 * Hikvision SADP discovery on one interface: the socket side. Two sockets (opened by
 * ../search-sockets.ts):
 *
 * - a probe socket bound to the interface address (ephemeral port, multicast egress pinned to
 *   the interface, SO_BROADCAST): the inquiry goes to 239.255.255.250:37020 and to the
 *   limited broadcast 255.255.255.255:37020 (Linux sends both out of the interface that owns
 *   the bound address), `repeats` rounds with jitter, a fresh Uuid per datagram. Firmware that
 *   answers the sender directly lands here;
 * - a listener on 0.0.0.0:37020 (SO_REUSEADDR) joined to 239.255.255.250 on the interface:
 *   devices answer the group (that is why Hikvision's SADP tool binds 37020). If it cannot be
 *   bound, that is recorded and the probe socket still works.
 *
 * Which replies count for this interface is decided in replies.ts. Only the `inquiry` Probe
 * is ever sent (payloads.ts cannot build anything else).
 */
import { ERR, errorCode, errorMessage } from '../../domain/errors.ts';
import type { SweepError } from '../../domain/types.ts';
import { aborted } from '../../util/time.ts';
import type { Discoverer, DiscoveryContext } from '../types.ts';
import { openSearchSockets, type SearchSend, type SearchSockets } from '../search-sockets.ts';
import { buildSadpInquiry, newSadpUuid, SADP_BROADCAST, SADP_GROUP, SADP_PORT } from './payloads.ts';
import { createSadpReplyHandler } from './replies.ts';

export { decodeSadp, sadpToObservation, SADP_LIMITS } from './decode.ts';
export type { SadpDecoded, SadpProbeMatch } from './decode.ts';
export { buildSadpInquiry, SADP_BROADCAST, SADP_GROUP, SADP_PORT } from './payloads.ts';

export interface SadpDiscoveryOptions {
  /** Rounds of inquiries (default 2, at most 5; UDP is lossy). */
  repeats?: number;
  /** Pause before each repeat round, ms (default [50, 250]; the datagrams of a round go 40-100 ms apart). */
  jitterMs?: [number, number];
  /** Uuid factory (default: a random upper-case UUID). */
  newUuid?: () => string;
}

/** Where each round's inquiry goes. */
const DESTINATIONS: ReadonlyArray<readonly [string, number]> = [
  [SADP_GROUP, SADP_PORT],
  [SADP_BROADCAST, SADP_PORT],
];
/** A datagram cannot be larger; anything beyond SADP_LIMITS.maxBytes is not read anyway. */
const MAX_DATAGRAM = 65_535;

interface Config {
  repeats: number;
  jitterMs: readonly [number, number];
  newUuid: () => string;
}

function sweepError(ctx: DiscoveryContext, code: string, message: string): SweepError {
  return { code, message, protocol: 'sadp', interface: ctx.iface.name };
}

/** Each round's inquiries, a fresh Uuid (recorded in `sent`) per datagram. */
function inquiries(sent: Set<string>, config: Config): SearchSend[] {
  return DESTINATIONS.map(([address, port]) => ({
    address,
    port,
    payload: () => {
      const uuid = config.newUuid();
      sent.add(uuid);
      return buildSadpInquiry(uuid);
    },
  }));
}

async function runSadp(ctx: DiscoveryContext, config: Config): Promise<void> {
  if (ctx.signal.aborted) return;
  const { iface } = ctx;
  const log = ctx.log.child({ module: 'sadp' });
  const sent = new Set<string>();
  const handler = createSadpReplyHandler({ sent, iface, emit: (o) => ctx.emit(o), error: (e) => ctx.error(e), log });

  let sockets: SearchSockets | undefined;
  try {
    sockets = await openSearchSockets({
      ctx,
      protocol: 'sadp',
      searchLabel: 'SADP socket',
      group: SADP_GROUP,
      port: SADP_PORT,
      maxDatagram: MAX_DATAGRAM,
      onMessage: (msg, ip, via) => handler.onMessage(msg, ip, via),
    });
    if (sockets === undefined) return;
    log.debug({ port: sockets.search.port, listening: sockets.listener !== undefined }, 'sadp inquiring');
    await sockets.sendRounds({ what: 'inquiry', sends: inquiries(sent, config), repeats: config.repeats, jitterMs: config.jitterMs });
    await aborted(ctx.signal);
  } finally {
    sockets?.close();
    log.debug({ stats: handler.stats, inquiries: sent.size }, 'sadp done');
  }
}

/** The SADP discoverer. `run` resolves when `ctx.signal` aborts and never throws. */
export function createSadpDiscovery(options: SadpDiscoveryOptions = {}): Discoverer {
  const config: Config = {
    repeats: Math.min(Math.max(Math.trunc(options.repeats ?? 2), 1), 5),
    jitterMs: options.jitterMs ?? [50, 250],
    newUuid: options.newUuid ?? newSadpUuid,
  };
  return {
    protocol: 'sadp',
    async run(ctx: DiscoveryContext): Promise<void> {
      try {
        await runSadp(ctx, config);
      } catch (err) {
        ctx.error(sweepError(ctx, errorCode(err, ERR.SADP_FAILED), errorMessage(err)));
      }
    },
  };
}
