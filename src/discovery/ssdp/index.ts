import { ERR, errorCode, errorMessage } from '../../domain/errors.ts';
import type { SweepError } from '../../domain/types.ts';
import { aborted, jitter, sleep } from '../../util/time.ts';
import { REPLY_MARGIN_MS, type Discoverer, type DiscoveryContext } from '../types.ts';
import { linkLocalSocket, type UdpSocket } from '../udp.ts';
import { createSsdpReplyHandler } from './replies.ts';
import { DEFAULT_MX, DEFAULT_SEARCH_TARGETS, SSDP_GROUP, SSDP_GROUP6, SSDP_HOST6, SSDP_PORT, buildMSearch, clampMx } from './payloads.ts';

/**
 * SSDP discovery on one interface: one UDP socket bound to the interface's own address
 * (ephemeral port, multicast egress pinned to that interface), M-SEARCH for each search
 * target sent `repeats` times, then every reply decoded until the window closes.
 * Replies are attributed to the datagram's source address, never to anything they claim.
 */
export interface SsdpDiscoveryOptions {
  /** Seconds a device may wait before replying; clamped to 1..5 and to the window. Default 2. */
  mx?: number;
  /** How many times each search is sent (UDP is lossy); 1..5, default 2. */
  repeats?: number;
  /** Default `ssdp:all` and `upnp:rootdevice`. */
  searchTargets?: string[];
  /** Replies kept per host (duplicates are normal; the merger dedupes). Default 32. */
  maxPerHost?: number;
}

/**
 * Gap before each repeat, ms (jittered between the two). The repeat is there for a lost
 * datagram (UDA: send each M-SEARCH more than once; no spacing is written); every ms of gap
 * is a ms more of listen window, since the window waits MX after the last search
 * (docs/performance.md: 250-450 ms before).
 */
const REPEAT_GAP_MS: readonly [number, number] = [100, 200];
/** Gap between the searches of one round, ms. */
const TARGET_GAP_MS: readonly [number, number] = [5, 30];
/** UPnP 1.1 recommends a multicast TTL of 2. */
const MULTICAST_TTL = 2;

function clampInt(value: number, min: number, max: number, fallback: number): number {
  if (!Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.trunc(value)));
}

/** MX no larger than what the window leaves after the last repeat. */
export function effectiveMx(mx: number, windowMs: number): number {
  const room = Math.floor((windowMs - REPEAT_GAP_MS[1] - 100) / 1000);
  return clampMx(Math.min(clampMx(mx), Math.max(1, room)));
}

export function createSsdpDiscovery(options: SsdpDiscoveryOptions = {}): Discoverer {
  const config = {
    mx: clampMx(options.mx ?? DEFAULT_MX),
    repeats: clampInt(options.repeats ?? 2, 1, 5, 2),
    searchTargets: options.searchTargets && options.searchTargets.length > 0 ? [...options.searchTargets] : [...DEFAULT_SEARCH_TARGETS],
    maxPerHost: clampInt(options.maxPerHost ?? 32, 1, 1024, 32),
  };
  // Build once so a bad search target fails at configuration time, not mid-sweep.
  for (const st of config.searchTargets) buildMSearch({ st, mx: config.mx });

  return {
    protocol: 'ssdp',
    async run(ctx: DiscoveryContext): Promise<void> {
      try {
        await runOnInterface(ctx, config);
      } catch (err) {
        ctx.error(sweepError(ctx, ERR.SSDP_INTERNAL, errorMessage(err)));
      }
    },
  };
}

function sweepError(ctx: DiscoveryContext, code: string, message: string, ip?: string): SweepError {
  const err: SweepError = { code, message, protocol: 'ssdp', interface: ctx.iface.name };
  if (ip !== undefined) err.ip = ip;
  return err;
}

async function runOnInterface(
  ctx: DiscoveryContext,
  config: { mx: number; repeats: number; searchTargets: string[]; maxPerHost: number },
): Promise<void> {
  if (ctx.signal.aborted) return;
  const { iface, log } = ctx;
  const handler = createSsdpReplyHandler({ iface: iface.name, maxPerHost: config.maxPerHost, emit: (o) => ctx.emit(o), error: (e) => ctx.error(e), log });
  const onMessage = (buf: Buffer, ip: string): void => {
    if (!ctx.signal.aborted) handler.onMessage(buf, ip);
  };

  let socket: UdpSocket;
  try {
    socket = await ctx.udp({
      bindAddress: iface.address,
      bindPort: 0,
      multicastInterface: iface.address,
      multicastTtl: MULTICAST_TTL,
      audit: ctx.audit,
      onMessage: (buf, from) => onMessage(buf, from.address),
      onError: (err) => ctx.error(sweepError(ctx, ERR.SSDP_SOCKET_ERROR, err.message)),
    });
  } catch (err) {
    ctx.error(sweepError(ctx, ERR.SSDP_BIND_FAILED, `${errorCode(err, 'ERROR')}: ${errorMessage(err)}`));
    return;
  }

  let socket6: UdpSocket | undefined;
  if (iface.ipv6) {
    try {
      socket6 = await ctx.udp({
        family: 6,
        ...linkLocalSocket(iface.ipv6),
        bindPort: 0,
        multicastTtl: MULTICAST_TTL,
        audit: ctx.audit,
        onMessage: (buf, from) => onMessage(buf, from.address),
        onError: (err) => ctx.error(sweepError(ctx, ERR.SSDP_SOCKET_ERROR, err.message)),
      });
    } catch (err) {
      ctx.error(sweepError(ctx, ERR.SSDP_IPV6_SOCKET_FAILED, `${errorCode(err, 'ERROR')}: ${errorMessage(err)}`));
    }
  }

  try {
    const targets = [{ socket, group: SSDP_GROUP }, ...(socket6 ? [{ socket: socket6, group: SSDP_GROUP6, host: SSDP_HOST6 }] : [])];
    await sendSearches(ctx, targets, config);
    await aborted(ctx.signal);
  } finally {
    socket.close();
    socket6?.close();
    log.debug({ stats: handler.stats }, 'ssdp done');
  }
}

async function sendSearches(
  ctx: DiscoveryContext,
  targets: ReadonlyArray<{ socket: UdpSocket; group: string; host?: string }>,
  config: { mx: number; repeats: number; searchTargets: string[] },
): Promise<void> {
  const mx = effectiveMx(config.mx, ctx.windowMs);
  if (mx !== config.mx) ctx.log.debug({ mx, configured: config.mx }, 'ssdp: MX lowered to fit the listen window');
  const payloads = config.searchTargets.map((st) =>
    targets.map((t) => Buffer.from(buildMSearch(t.host === undefined ? { st, mx } : { st, mx, host: t.host }), 'latin1')),
  );
  let failed = 0;

  for (let round = 0; round < config.repeats; round += 1) {
    if (round > 0) await sleep(jitter(REPEAT_GAP_MS[0], REPEAT_GAP_MS[1], ctx.random), ctx.signal);
    for (let i = 0; i < payloads.length; i += 1) {
      if (ctx.signal.aborted) return;
      if (i > 0) await sleep(jitter(TARGET_GAP_MS[0], TARGET_GAP_MS[1], ctx.random), ctx.signal);
      for (const [k, { socket, group }] of targets.entries()) {
        try {
          await socket.send(payloads[i]![k]!, SSDP_PORT, group);
        } catch (err) {
          failed += 1;
          // One record per run is enough: the same cause fails every send on this interface.
          if (failed === 1) {
            ctx.error(sweepError(ctx, ERR.SSDP_SEND_FAILED, `${errorCode(err, 'ERROR')}: ${errorMessage(err)}`));
          } else {
            ctx.log.debug({ failed }, 'ssdp: send failed again');
          }
        }
      }
    }
    // A device waits a random time of up to MX seconds before answering (UDA 1.1 §1.3.3).
    ctx.expectReplies?.(mx * 1000 + REPLY_MARGIN_MS, round === config.repeats - 1);
  }
}
