/**
 * Dahua discovery (DHIP and the legacy v1 search) on one interface: the socket side. Two
 * sockets (opened by ../search-sockets.ts):
 *
 * - a search socket bound to the interface address (ephemeral port, multicast egress pinned
 *   to the interface, SO_BROADCAST). Each round sends DHIP `DHDiscover.search` to
 *   239.255.255.251:37810 and to 255.255.255.255:37810, and the v1 search to
 *   255.255.255.255:5050; `repeats` rounds with jitter. Devices answer the sender here;
 * - a listener on 0.0.0.0:37810 (SO_REUSEADDR) joined to 239.255.255.251 on the interface, for
 *   firmware that answers the group. If it cannot be bound, that is recorded and the search
 *   socket still works.
 *
 * Which replies count is decided in replies.ts. Only the two searches are ever sent
 * (payloads.ts takes no input and builds nothing else).
 */
import { ERR, errorCode, errorMessage } from '../../domain/errors.ts';
import type { SweepError } from '../../domain/types.ts';
import { aborted } from '../../util/time.ts';
import type { Discoverer, DiscoveryContext } from '../types.ts';
import { openSearchSockets, type SearchSend, type SearchSockets } from '../search-sockets.ts';
import { buildDahuaV1Probe, buildDhipSearch, DAHUA_V1_PORT, DHIP_BROADCAST, DHIP_GROUP, DHIP_PORT } from './payloads.ts';
import { createDahuaReplyHandler } from './replies.ts';

export { decodeDahua, dhipToObservation, dahuaV1ToObservation } from './decode.ts';
export type { DahuaDecoded } from './decode.ts';
export { decodeDhipBody } from './device-info.ts';
export type { DhipDeviceInfo } from './device-info.ts';
export { decodeDahuaV1 } from './v1.ts';
export type { DahuaV1Info } from './v1.ts';
export { parseDhipFrame, DHIP_LIMITS } from './frame.ts';
export { buildDhipSearch, buildDahuaV1Probe, DHIP_GROUP, DHIP_PORT, DAHUA_V1_PORT } from './payloads.ts';

export interface DhipDiscoveryOptions {
  /** Rounds of searches (default 2, at most 5; UDP is lossy). */
  repeats?: number;
  /** Pause before each repeat round, ms (default [50, 250]; the datagrams of a round go 40-100 ms apart). */
  jitterMs?: [number, number];
  /** Send the legacy v1 search too (default true). */
  v1?: boolean;
}

interface Config {
  repeats: number;
  jitterMs: readonly [number, number];
  v1: boolean;
}

const MAX_DATAGRAM = 65_535;

function sweepError(ctx: DiscoveryContext, code: string, message: string): SweepError {
  return { code, message, protocol: 'dhip', interface: ctx.iface.name };
}

/** Each round's searches. */
function searches(config: Config): SearchSend[] {
  const out: SearchSend[] = [
    { payload: buildDhipSearch, address: DHIP_GROUP, port: DHIP_PORT },
    { payload: buildDhipSearch, address: DHIP_BROADCAST, port: DHIP_PORT },
  ];
  if (config.v1) out.push({ payload: buildDahuaV1Probe, address: DHIP_BROADCAST, port: DAHUA_V1_PORT });
  return out;
}

async function runDhip(ctx: DiscoveryContext, config: Config): Promise<void> {
  if (ctx.signal.aborted) return;
  const { iface } = ctx;
  const log = ctx.log.child({ module: 'dhip' });
  const handler = createDahuaReplyHandler({ iface, emit: (o) => ctx.emit(o), error: (e) => ctx.error(e), log });

  let sockets: SearchSockets | undefined;
  try {
    sockets = await openSearchSockets({
      ctx,
      protocol: 'dhip',
      searchLabel: 'Dahua search socket',
      group: DHIP_GROUP,
      port: DHIP_PORT,
      maxDatagram: MAX_DATAGRAM,
      onMessage: (msg, ip, via) => handler.onMessage(msg, ip, via),
    });
    if (sockets === undefined) return;
    log.debug({ port: sockets.search.port, listening: sockets.listener !== undefined }, 'dahua searching');
    await sockets.sendRounds({ what: 'search', sends: searches(config), repeats: config.repeats, jitterMs: config.jitterMs });
    await aborted(ctx.signal);
  } finally {
    sockets?.close();
    log.debug({ stats: handler.stats }, 'dhip done');
  }
}

/** The Dahua (DHIP + v1) discoverer. `run` resolves when `ctx.signal` aborts and never throws. */
export function createDhipDiscovery(options: DhipDiscoveryOptions = {}): Discoverer {
  const config: Config = {
    repeats: Math.min(Math.max(Math.trunc(options.repeats ?? 2), 1), 5),
    jitterMs: options.jitterMs ?? [50, 250],
    v1: options.v1 !== false,
  };
  return {
    protocol: 'dhip',
    async run(ctx: DiscoveryContext): Promise<void> {
      try {
        await runDhip(ctx, config);
      } catch (err) {
        ctx.error(sweepError(ctx, errorCode(err, ERR.DHIP_FAILED), errorMessage(err)));
      }
    },
  };
}
