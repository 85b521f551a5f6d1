import { ERR, errorCode, errorMessage } from '../../domain/errors.ts';
import type { DatagramAudit } from '../../domain/audit.ts';
import type { Observation, SweepError } from '../../domain/types.ts';
import type { Logger } from '../../util/log.ts';
import type { RateLimiter } from '../../util/rate.ts';
import { openListenWindow, type WindowMember } from '../../sweep/window.ts';
import type { UdpFactory, UdpSocket } from '../udp.ts';
import { REPLY_MARGIN_MS } from '../types.ts';
import { createProbeIds, mdnsQueries, unicastProbes, UNICAST_PORTS, UNICAST_PROTOCOLS, type ProbeIds, type UnicastProtocol } from './probes.ts';
import { createUnicastReplyHandler } from './replies.ts';

/**
 * How long after the last probe its replies may come: the unicast M-SEARCH carries MX 1, a
 * WS-Discovery Probe is answered within APP_MAX_DELAY (500 ms), SADP/DHIP and mDNS in
 * milliseconds; plus the usual margin (a routed path adds its round trip, milliseconds).
 */
export const UNICAST_REPLY_MS = 1000 + REPLY_MARGIN_MS;

/**
 * The routed sweep's socket side: one UDP socket per protocol, bound to 0.0.0.0 on an
 * ephemeral port so the kernel picks the route (and the source address) for each target.
 * `concurrency` workers take the addresses in order; every datagram, follow-ups included,
 * first takes a token from the shared rate limiter. The listen window starts after the last
 * probe went out and lasts `listenMs`, or, with `idleMs`, until the replies to the last probes
 * are due (UNICAST_REPLY_MS; mDNS follow-ups push that on) and none has come for `idleMs`, as
 * the multicast window does (src/sweep/window.ts); then the sockets close. Never throws.
 */
export interface UnicastContext {
  /** Addresses to probe, in order (already minus every excluded range). */
  addresses: readonly string[];
  protocols?: readonly UnicastProtocol[];
  rate: RateLimiter;
  /** Opens the protocol sockets (openUdpSocket in a sweep). */
  udp: UdpFactory;
  /** Addresses being probed at once (>= 1). */
  concurrency: number;
  /** How long replies are awaited after the last probe (at most, with `idleMs`). */
  listenMs: number;
  /** Adaptive listen: close once the last replies are due and none came for this long. */
  idleMs?: number;
  /** Stops sending and listening at once (the sweep is being cancelled). */
  signal?: AbortSignal;
  log: Logger;
  /** The swept interface whose subnet holds `ip`, if any (for attribution only). */
  interfaceOf(ip: string): string | undefined;
  emit(obs: Observation): void;
  error(err: SweepError): void;
  /** Told about every datagram sent, per protocol (the sweep's audit record). */
  audit?: (protocol: UnicastProtocol) => DatagramAudit;
  /** After each address's probes went out. */
  onProgress?(probed: number, total: number): void;
  ids?: ProbeIds;
  /** Pause before mDNS follow-ups to a host, so one batch covers its replies (default 150 ms). */
  followUpDelayMs?: number;
  /** Destination ports instead of the well-known ones (tests on a shared loopback). */
  ports?: Partial<Record<UnicastProtocol, number>>;
}

export interface UnicastStats {
  addresses: number;
  /** Addresses whose probes all went out. */
  probed: number;
  datagrams: number;
  failed: number;
  /** From the first probe to the last. */
  sendMs: number;
}

interface SendFailures {
  count: number;
  first?: string;
}

export async function runUnicastProbe(ctx: UnicastContext): Promise<UnicastStats> {
  const log = ctx.log.child({ module: 'unicast' });
  const protocols = ctx.protocols ?? UNICAST_PROTOCOLS;
  const ids = ctx.ids ?? createProbeIds();
  const ports = { ...UNICAST_PORTS, ...ctx.ports };
  const stop = ctx.signal ?? new AbortController().signal;
  const probed = new Set<string>();
  const failures = new Map<UnicastProtocol, SendFailures>();
  const stats: UnicastStats = { addresses: ctx.addresses.length, probed: 0, datagrams: 0, failed: 0, sendMs: 0 };
  const sockets = new Map<UnicastProtocol, UdpSocket>();
  const followUpTimers = new Map<string, ReturnType<typeof setTimeout>>();
  let closed = false;
  /** The listen window's one member, once the last probe went out (follow-ups push its deadline). */
  let listening: { member: WindowMember; activity: () => void } | undefined;

  const send = async (protocol: UnicastProtocol, payload: Buffer, port: number, ip: string): Promise<void> => {
    const socket = sockets.get(protocol);
    if (!socket || !(await ctx.rate.take(stop)) || closed) return;
    try {
      await socket.send(payload, port, ip);
      stats.datagrams += 1;
    } catch (err) {
      stats.failed += 1;
      const f = failures.get(protocol) ?? { count: 0 };
      f.count += 1;
      f.first ??= `${ip}:${port} (${errorCode(err, 'ERROR')}): ${errorMessage(err)}`;
      failures.set(protocol, f);
    }
  };

  const followUp = (ip: string): void => {
    if (closed || followUpTimers.has(ip)) return;
    const delayMs = ctx.followUpDelayMs ?? 150;
    listening?.member.expectReplies(delayMs + UNICAST_REPLY_MS);
    followUpTimers.set(
      ip,
      setTimeout(() => {
        followUpTimers.delete(ip);
        const questions = handler.mdnsFollowUps(ip);
        if (questions.length === 0 || closed) return;
        log.debug({ device: { ip }, questions: questions.length }, 'unicast mdns follow-up');
        void (async () => {
          for (const payload of mdnsQueries(questions, ids.mdns(ip))) await send('mdns', payload, ports.mdns, ip);
        })();
      }, delayMs),
    );
  };

  const handler = createUnicastReplyHandler({
    ids,
    wasProbed: (ip) => probed.has(ip),
    interfaceOf: ctx.interfaceOf,
    emit: (obs) => {
      listening?.activity();
      ctx.emit(obs);
    },
    error: ctx.error,
    log,
    onMdnsFollowUp: followUp,
  });

  try {
    for (const protocol of protocols) {
      try {
        sockets.set(
          protocol,
          await ctx.udp({
            bindAddress: '0.0.0.0',
            bindPort: 0,
            audit: ctx.audit?.(protocol),
            onMessage: (msg, from) => {
              if (!closed) handler.onMessage(protocol, msg, from);
            },
            onError: (err) => {
              if (!closed) ctx.error({ code: ERR.UNICAST_SOCKET_ERROR, message: errorMessage(err), protocol });
            },
          }),
        );
      } catch (err) {
        ctx.error({ code: ERR.UNICAST_SOCKET_FAILED, message: `cannot open the ${protocol} unicast socket (${errorCode(err, 'ERROR')}): ${errorMessage(err)}`, protocol });
      }
    }
    const started = performance.now();
    // Probing has begun: a display shows it from now, not from the first address done (with
    // several addresses probed at once, all of them may finish within one redraw).
    ctx.onProgress?.(0, ctx.addresses.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ctx.addresses.length && !stop.aborted) {
        const ip = ctx.addresses[next]!;
        next += 1;
        // Before the first datagram: a quick reply must find the address already probed.
        probed.add(ip);
        for (const probe of unicastProbes(ip, ids, protocols, ports)) {
          if (stop.aborted) return;
          await send(probe.protocol, probe.payload, probe.port, ip);
        }
        stats.probed += 1;
        ctx.onProgress?.(stats.probed, ctx.addresses.length);
      }
    };
    const workers = Math.max(1, Math.min(Math.trunc(ctx.concurrency) || 1, ctx.addresses.length));
    await Promise.all(Array.from({ length: workers }, worker));
    stats.sendMs = Math.round(performance.now() - started);
    log.debug({ unicast: { ...stats } }, 'unicast probes sent; listening');
    const window = openListenWindow({ maxMs: ctx.listenMs, signal: stop, ...(ctx.idleMs === undefined ? {} : { idleMs: ctx.idleMs }) });
    listening = { member: window.join(), activity: () => window.activity() };
    listening.member.expectReplies(UNICAST_REPLY_MS, true);
    log.debug({ unicast: { window: await window.closed } }, 'unicast listening closed');
  } finally {
    closed = true;
    for (const timer of followUpTimers.values()) clearTimeout(timer);
    for (const socket of sockets.values()) socket.close();
    for (const [protocol, f] of failures) {
      ctx.error({ code: ERR.UNICAST_SEND_FAILED, message: `${f.count} ${protocol} datagram(s) not sent; first: ${f.first ?? 'unknown'}`, protocol });
    }
    log.debug({ unicast: { ...stats, replies: handler.stats } }, 'unicast done');
  }
  return stats;
}
