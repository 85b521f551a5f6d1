/**
 * Hikvision SADP discovery on one interface: the socket side. Two sockets:
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
import { errorCode, errorMessage } from '../../domain/errors.ts';
import type { SweepError } from '../../domain/types.ts';
import { aborted, jitter, sleep } from '../../util/time.ts';
import type { Discoverer, DiscoveryContext } from '../types.ts';
import { openUdpSocket, type UdpSocket } from '../udp.ts';
import { buildSadpInquiry, newSadpUuid, SADP_BROADCAST, SADP_GROUP, SADP_PORT } from './payloads.ts';
import { createSadpReplyHandler } from './replies.ts';

export { decodeSadp, sadpToObservation, SADP_LIMITS } from './decode.ts';
export type { SadpDecoded, SadpProbeMatch } from './decode.ts';
export { buildSadpInquiry, SADP_BROADCAST, SADP_GROUP, SADP_PORT } from './payloads.ts';

export interface SadpDiscoveryOptions {
  /** Rounds of inquiries (default 2, at most 5; UDP is lossy). */
  repeats?: number;
  /** Pause before each datagram after the first, ms (default [50, 250]). */
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

async function sendInquiries(ctx: DiscoveryContext, socket: UdpSocket, sent: Set<string>, config: Config): Promise<void> {
  let failed = 0;
  let first = true;
  for (let round = 0; round < config.repeats; round += 1) {
    for (const [address, port] of DESTINATIONS) {
      if (!first) await sleep(jitter(config.jitterMs[0], config.jitterMs[1], ctx.random), ctx.signal);
      first = false;
      if (ctx.signal.aborted) return;
      const uuid = config.newUuid();
      const payload = buildSadpInquiry(uuid);
      sent.add(uuid);
      try {
        await socket.send(payload, port, address);
      } catch (err) {
        failed += 1;
        // One record per destination is enough: the same cause fails every round.
        if (round === 0) ctx.error(sweepError(ctx, 'SADP_SEND_FAILED', `inquiry to ${address}:${port} failed (${errorCode(err, 'ERROR')}): ${errorMessage(err)}`));
      }
    }
  }
  if (failed > 0) ctx.log.debug({ failed }, 'sadp: sends failed');
}

async function runSadp(ctx: DiscoveryContext, config: Config): Promise<void> {
  if (ctx.signal.aborted) return;
  const { iface } = ctx;
  const log = ctx.log.child({ module: 'sadp' });
  const sent = new Set<string>();
  let closed = false;
  const handler = createSadpReplyHandler({ sent, iface, emit: (o) => ctx.emit(o), error: (e) => ctx.error(e), log });
  const socketError = (err: Error): void => {
    if (!closed) ctx.error(sweepError(ctx, 'SADP_SOCKET_ERROR', errorMessage(err)));
  };

  let probe: UdpSocket | undefined;
  let listener: UdpSocket | undefined;
  try {
    try {
      probe = await openUdpSocket({
        bindAddress: iface.address,
        bindPort: 0,
        multicastInterface: iface.address,
        broadcast: true,
        maxDatagram: MAX_DATAGRAM,
        audit: ctx.audit,
        onMessage: (msg, from) => handler.onMessage(msg, from.address, 'unicast'),
        onError: socketError,
      });
    } catch (err) {
      ctx.error(sweepError(ctx, 'SADP_SOCKET_FAILED', `cannot open the SADP socket on ${iface.address} (${errorCode(err, 'ERROR')}): ${errorMessage(err)}`));
      return;
    }
    try {
      listener = await openUdpSocket({
        bindAddress: '0.0.0.0',
        bindPort: SADP_PORT,
        reuseAddr: true,
        multicastInterface: iface.address,
        memberships: [{ group: SADP_GROUP, interfaceAddress: iface.address }],
        maxDatagram: MAX_DATAGRAM,
        audit: ctx.audit,
        onMessage: (msg, from) => handler.onMessage(msg, from.address, 'group'),
        onError: socketError,
      });
    } catch (err) {
      ctx.error(
        sweepError(
          ctx,
          'SADP_LISTEN_FAILED',
          `cannot listen on ${SADP_GROUP}:${SADP_PORT} (${errorCode(err, 'ERROR')}): replies sent to the group are missed; direct replies still count`,
        ),
      );
    }
    log.debug({ port: probe.port, listening: listener !== undefined }, 'sadp inquiring');
    await sendInquiries(ctx, probe, sent, config);
    await aborted(ctx.signal);
  } finally {
    closed = true;
    probe?.close();
    listener?.close();
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
        ctx.error(sweepError(ctx, errorCode(err, 'SADP_FAILED'), errorMessage(err)));
      }
    },
  };
}
