import { randomUUID } from 'node:crypto';
import { ERR, errorMessage } from '../../domain/errors.ts';
import { aborted, jitter, sleep } from '../../util/time.ts';
import { REPLY_MARGIN_MS, type Discoverer, type DiscoveryContext } from '../types.ts';
import { linkLocalSocket, type UdpSocket } from '../udp.ts';
import { WSD_LIMITS } from './decode.ts';
import { buildProbe, NVT_TYPES, WSD_GROUP, WSD_GROUP6, WSD_PORT } from './payloads.ts';
import { createReplyHandler } from './replies.ts';
import { SEND_GAP_MS } from '../search-sockets.ts';

/**
 * ONVIF WS-Discovery on one interface: one socket bound to the interface address (replies
 * are unicast back to it), two Probe variants (NVT Types, no Types) each sent `repeats`
 * times with jitter, replies decoded until the window closes.
 */
export interface WsDiscoveryOptions {
  /** Rounds of the two probes (default 2; UDP is lossy). */
  repeats?: number;
  /** Pause between two sends, ms (default [50, 250]). */
  jitterMs?: [number, number];
  /** MessageID factory (default `urn:uuid:<random uuid>`). */
  newMessageId?: () => string;
}

/** WS-Discovery 1.1 APP_MAX_DELAY: a Target Service answers a Probe within this random delay. */
export const WSD_APP_MAX_DELAY_MS = 500;

export function createWsDiscovery(options: WsDiscoveryOptions = {}): Discoverer {
  const repeats = Math.min(Math.max(Math.trunc(options.repeats ?? 2), 1), 5);
  const [jitterMin, jitterMax] = options.jitterMs ?? [50, 250];
  const newMessageId = options.newMessageId ?? ((): string => `urn:uuid:${randomUUID()}`);

  async function sendProbes(ctx: DiscoveryContext, targets: ReadonlyArray<{ socket: UdpSocket; group: string }>, sent: Set<string>): Promise<void> {
    let first = true;
    const variants = [NVT_TYPES, undefined];
    for (let round = 0; round < repeats; round += 1) {
      for (const [v, types] of variants.entries()) {
        // The repeat of a round waits SOAP-over-UDP's UDP_MIN_DELAY..UDP_MAX_DELAY; the second
        // probe of a round is another message, not a repeat, and follows shortly (SEND_GAP_MS, 40-100 ms).
        if (!first) await sleep(v === 0 ? jitter(jitterMin, jitterMax, ctx.random) : jitter(SEND_GAP_MS[0], SEND_GAP_MS[1], ctx.random), ctx.signal);
        first = false;
        if (ctx.signal.aborted) return;
        const messageId = newMessageId();
        sent.add(messageId);
        const probe = buildProbe(types === undefined ? { messageId } : { messageId, types });
        for (const { socket, group } of targets) {
          try {
            await socket.send(probe, WSD_PORT, group);
          } catch (err) {
            ctx.error({
              code: ERR.WSD_SEND_FAILED,
              message: `probe to ${group}:${WSD_PORT} failed: ${errorMessage(err)}`,
              protocol: 'wsd',
              interface: ctx.iface.name,
            });
          }
        }
        ctx.expectReplies?.(WSD_APP_MAX_DELAY_MS + REPLY_MARGIN_MS, round === repeats - 1 && v === variants.length - 1);
      }
    }
  }

  async function run(ctx: DiscoveryContext): Promise<void> {
    const log = ctx.log.child({ module: 'wsd' });
    const sent = new Set<string>();
    const onMessage = createReplyHandler({
      sent,
      iface: ctx.iface.name,
      emit: (obs) => ctx.emit(obs),
      error: (err) => ctx.error(err),
      log,
    });
    let socket: UdpSocket | undefined;
    let socket6: UdpSocket | undefined;
    try {
      socket = await ctx.udp({
        bindAddress: ctx.iface.address,
        bindPort: 0,
        multicastInterface: ctx.iface.address,
        maxDatagram: WSD_LIMITS.maxBytes,
        audit: ctx.audit,
        onMessage,
        onError: (err) =>
          ctx.error({ code: ERR.WSD_SOCKET, message: errorMessage(err), protocol: 'wsd', interface: ctx.iface.name }),
      });
      socket6 = await openIpv6(ctx, onMessage);
      log.debug({ iface: ctx.iface.name, port: socket.port, ipv6: socket6 !== undefined }, 'ws-discovery probing');
      const targets = [{ socket, group: WSD_GROUP }, ...(socket6 ? [{ socket: socket6, group: WSD_GROUP6 }] : [])];
      await sendProbes(ctx, targets, sent);
      await aborted(ctx.signal);
    } catch (err) {
      ctx.error({
        code: ERR.WSD_SOCKET,
        message: `ws-discovery on ${ctx.iface.address}: ${errorMessage(err)}`,
        protocol: 'wsd',
        interface: ctx.iface.name,
      });
    } finally {
      socket?.close();
      socket6?.close();
      if (socket && socket.dropped > 0) log.debug({ dropped: socket.dropped }, 'oversized datagrams dropped');
    }
  }

  return { protocol: 'wsd', run };
}

/** The IPv6 socket on the interface's link-local address; undefined (recorded) when it cannot be opened. */
async function openIpv6(ctx: DiscoveryContext, onMessage: (msg: Buffer, from: { address: string }) => void): Promise<UdpSocket | undefined> {
  const v6 = ctx.iface.ipv6;
  if (!v6) return undefined;
  try {
    return await ctx.udp({
      family: 6,
      ...linkLocalSocket(v6),
      bindPort: 0,
      maxDatagram: WSD_LIMITS.maxBytes,
      audit: ctx.audit,
      onMessage,
      onError: (err) =>
        ctx.error({ code: ERR.WSD_SOCKET, message: errorMessage(err), protocol: 'wsd', interface: ctx.iface.name }),
    });
  } catch (err) {
    ctx.error({
      code: ERR.WSD_IPV6_SOCKET_FAILED,
      message: `ws-discovery over IPv6 on ${v6.address}%${v6.scopeId}: ${errorMessage(err)}`,
      protocol: 'wsd',
      interface: ctx.iface.name,
    });
    return undefined;
  }
}
