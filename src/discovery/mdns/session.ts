/**
 * One mDNS discovery run on one interface: the socket side. Two sockets:
 *
 * - a query socket bound to the interface address on an ephemeral port, multicast egress
 *   pinned to the interface. Queries from a port other than 5353 are legacy unicast queries
 *   (RFC 6762 §6.7): responders answer straight to this port. The first round also sets the
 *   QU bit (§5.4);
 * - a listener on 0.0.0.0:5353 (SO_REUSEADDR) joined to 224.0.0.251 on the interface, for
 *   responders that only ever answer by multicast, and for announcements. The kernel hands
 *   group traffic from every interface to every such socket, so a datagram counts for this
 *   interface only when its source is on the interface's subnet.
 */
import { createHash } from 'node:crypto';
import { ERR, errorCode, errorMessage } from '../../domain/errors.ts';
import type { SweepError } from '../../domain/types.ts';
import type { Logger } from '../../util/log.ts';
import { jitter, sleep } from '../../util/time.ts';
import { onSubnet } from '../../util/ip.ts';
import { REPLY_MARGIN_MS, type DiscoveryContext } from '../types.ts';
import { linkLocalSocket, type UdpSocket } from '../udp.ts';
import { decodeMdnsResponse } from './decode.ts';
import { FollowUpTracker, type FollowUpLimits } from './followup.ts';
import { mdnsToObservations } from './observations.ts';
import {
  buildBrowseQueries,
  buildTypeQueries,
  CAMERA_SERVICE_TYPES,
  CLASSIFY_SERVICE_TYPES,
  MDNS_GROUP,
  MDNS_GROUP6,
  MDNS_PORT,
  packQueries,
} from './payloads.ts';

export interface MdnsDiscoveryOptions {
  /** When browse rounds go out, in ms from the start; clipped to the window. */
  requeryMs?: number[];
  /** Wait before follow-up queries, so one batch covers several replies. */
  followUpDelayMs?: number;
  limits?: Partial<FollowUpLimits>;
}

/** RFC 6762 §5.2: the first two queries at least one second apart. */
export const DEFAULT_REQUERY_MS: readonly number[] = [0, 1000];
/** RFC 6762 §6: a responder delays answers with shared records by 20-120 ms. */
export const MDNS_RESPONSE_DELAY_MS = 120;
export const DEFAULT_FOLLOW_UP_DELAY_MS = 150;
/** A round later than this before the window closes is not worth sending. */
export const MIN_REPLY_MS = 250;
/** RFC 6762 §17: mDNS messages never exceed 9000 bytes. */
export const MAX_MDNS_DATAGRAM = 9000;
const MAX_SEEN_DATAGRAMS = 4096;

/** The rounds that fit the window: sorted, unique, >= 0, and leaving time for replies. */
export function clipSchedule(requeryMs: readonly number[], windowMs: number): number[] {
  const rounds = [...new Set(requeryMs.filter((t) => Number.isFinite(t) && t >= 0).map(Math.round))].sort((a, b) => a - b);
  const kept = rounds.filter((t) => t === 0 || t + MIN_REPLY_MS <= windowMs);
  return kept.length > 0 ? kept : [0];
}

type Via = 'query' | 'listener';

export class MdnsSession {
  private readonly ctx: DiscoveryContext;
  private readonly log: Logger;
  private readonly options: MdnsDiscoveryOptions;
  private readonly tracker: FollowUpTracker;
  private readonly seen = new Set<string>();
  private query: UdpSocket | undefined;
  private listener: UdpSocket | undefined;
  /** Legacy unicast queries to ff02::fb from the interface's link-local address. */
  private query6: UdpSocket | undefined;
  private followUpTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  readonly stats = { received: 0, duplicates: 0, invalid: 0, observations: 0, offSubnet: 0, queriesSent: 0 };

  constructor(ctx: DiscoveryContext, options: MdnsDiscoveryOptions) {
    this.ctx = ctx;
    this.options = options;
    this.log = ctx.log.child({ module: 'mdns', interface: ctx.iface.name });
    this.tracker = new FollowUpTracker([...CAMERA_SERVICE_TYPES, ...CLASSIFY_SERVICE_TYPES], options.limits);
  }

  /** Opens the sockets; false when neither could be opened. */
  async open(): Promise<boolean> {
    const address = this.ctx.iface.address;
    try {
      this.query = await this.ctx.udp({
        bindAddress: address,
        bindPort: 0,
        multicastInterface: address,
        multicastTtl: 255,
        maxDatagram: MAX_MDNS_DATAGRAM,
        audit: this.ctx.audit,
        onMessage: (msg, from) => this.onMessage(msg, from.address, 'query'),
        onError: (err) => this.socketError(ERR.MDNS_SOCKET_ERROR, err),
      });
    } catch (err) {
      this.report({ code: ERR.MDNS_SOCKET_FAILED, message: `cannot open the mDNS query socket on ${address}: ${errorMessage(err)}` });
    }
    try {
      this.listener = await this.ctx.udp({
        bindAddress: '0.0.0.0',
        bindPort: MDNS_PORT,
        reuseAddr: true,
        multicastInterface: address,
        multicastTtl: 255,
        memberships: [{ group: MDNS_GROUP, interfaceAddress: address }],
        maxDatagram: MAX_MDNS_DATAGRAM,
        audit: this.ctx.audit,
        onMessage: (msg, from) => this.onMessage(msg, from.address, 'listener'),
        onError: (err) => this.socketError(ERR.MDNS_SOCKET_ERROR, err),
      });
    } catch (err) {
      this.report({
        code: ERR.MDNS_LISTEN_FAILED,
        message: `cannot listen on ${MDNS_GROUP}:${MDNS_PORT} (${errorCode(err)}): replies sent only by multicast are missed; legacy unicast replies still count`,
      });
    }
    const v6 = this.ctx.iface.ipv6;
    if (v6) {
      try {
        this.query6 = await this.ctx.udp({
          family: 6,
          ...linkLocalSocket(v6),
          bindPort: 0,
          multicastTtl: 255,
          maxDatagram: MAX_MDNS_DATAGRAM,
          audit: this.ctx.audit,
          onMessage: (msg, from) => this.onMessage(msg, from.address, 'query'),
          onError: (err) => this.socketError(ERR.MDNS_SOCKET_ERROR, err),
        });
      } catch (err) {
        this.report({ code: ERR.MDNS_IPV6_SOCKET_FAILED, message: `cannot open the mDNS IPv6 query socket on ${v6.address}%${v6.scopeId}: ${errorMessage(err)}` });
      }
    }
    if (this.closed) this.close();
    return this.query !== undefined || this.listener !== undefined || this.query6 !== undefined;
  }

  /** Sends the browse rounds on schedule; returns after the last one (or on abort). */
  async browse(): Promise<void> {
    const { signal, windowMs } = this.ctx;
    const schedule = clipSchedule(this.options.requeryMs ?? DEFAULT_REQUERY_MS, windowMs);
    const start = Date.now();
    for (const [i, at] of schedule.entries()) {
      const delay = at + (i > 0 ? jitter(0, 50, this.ctx.random) : 0) - (Date.now() - start);
      await sleep(delay, signal);
      if (signal.aborted || this.closed) return;
      const qu = i === 0;
      const packets = [...buildBrowseQueries({ qu }), ...buildTypeQueries(this.tracker.learnedTypes(), { qu })];
      this.log.debug({ round: i + 1, packets: packets.length }, 'mdns browse round');
      await this.send(packets);
      this.ctx.expectReplies?.(MDNS_RESPONSE_DELAY_MS + REPLY_MARGIN_MS, i === schedule.length - 1);
    }
  }

  close(): void {
    this.closed = true;
    if (this.followUpTimer) clearTimeout(this.followUpTimer);
    this.followUpTimer = undefined;
    this.query?.close();
    this.listener?.close();
    this.query6?.close();
    const dropped = (this.query?.dropped ?? 0) + (this.listener?.dropped ?? 0) + (this.query6?.dropped ?? 0);
    if (dropped > 0) {
      this.report({ code: ERR.MDNS_INVALID, message: `${dropped} datagram(s) over ${MAX_MDNS_DATAGRAM} bytes dropped` });
    }
    this.query = undefined;
    this.listener = undefined;
    this.query6 = undefined;
    this.log.debug({ stats: this.stats }, 'mdns done');
  }

  private async send(packets: readonly Buffer[]): Promise<void> {
    const socket = this.query ?? this.listener;
    const targets = [
      ...(socket ? [{ socket, group: MDNS_GROUP }] : []),
      ...(this.query6 ? [{ socket: this.query6, group: MDNS_GROUP6 }] : []),
    ];
    if (targets.length === 0) return;
    let failed = 0;
    let lastError: unknown;
    for (const p of packets) {
      for (const { socket: s, group } of targets) {
        if (this.closed) return;
        try {
          await s.send(p, MDNS_PORT, group);
          this.stats.queriesSent += 1;
        } catch (err) {
          failed += 1;
          lastError = err;
        }
      }
    }
    if (failed > 0) {
      this.report({ code: ERR.MDNS_SEND_FAILED, message: `${failed} of ${packets.length * targets.length} mDNS queries not sent: ${errorMessage(lastError)}` });
    }
  }

  private onMessage(msg: Buffer, ip: string, via: Via): void {
    if (this.closed) return;
    if (via === 'listener' && !onSubnet(this.ctx.iface, ip)) {
      this.stats.offSubnet += 1;
      return;
    }
    this.stats.received += 1;
    const digest = `${ip}|${createHash('sha1').update(msg).digest('base64')}`;
    if (this.seen.has(digest)) {
      this.stats.duplicates += 1;
      return;
    }
    if (this.seen.size < MAX_SEEN_DATAGRAMS) this.seen.add(digest);

    const decoded = decodeMdnsResponse(msg);
    if (decoded.kind === 'invalid') {
      this.invalid(ip, `not a valid mDNS message: ${decoded.problems.join('; ')}`);
      return;
    }
    if (decoded.kind !== 'response') return;
    if (decoded.problems.length > 0) this.invalid(ip, `reply partly decoded: ${decoded.problems.slice(0, 3).join('; ')}`);

    this.tracker.learn(decoded.records);
    for (const obs of mdnsToObservations(decoded, { ip, iface: this.ctx.iface.name })) {
      this.stats.observations += 1;
      this.ctx.emit(obs);
    }
    this.scheduleFollowUp();
  }

  private scheduleFollowUp(): void {
    // Nothing left to ask: no follow-up, and no reply deadline pushed on for one (the
    // adaptive window would wait for answers to a query never sent). A later reply that
    // leaves something to ask schedules one then.
    if (this.closed || this.followUpTimer || !this.tracker.hasPending()) return;
    const delayMs = this.options.followUpDelayMs ?? DEFAULT_FOLLOW_UP_DELAY_MS;
    // The follow-up goes out after `delayMs` and its answers come MDNS_RESPONSE_DELAY_MS later.
    this.ctx.expectReplies?.(delayMs + MDNS_RESPONSE_DELAY_MS + REPLY_MARGIN_MS);
    this.followUpTimer = setTimeout(() => {
      this.followUpTimer = undefined;
      if (this.closed || this.ctx.signal.aborted) return;
      const questions = this.tracker.pending();
      if (questions.length === 0) return;
      const packets = packQueries(questions);
      this.log.debug({ questions: questions.length, packets: packets.length }, 'mdns follow-up');
      void this.send(packets).then(() => this.ctx.expectReplies?.(MDNS_RESPONSE_DELAY_MS + REPLY_MARGIN_MS));
    }, delayMs);
  }

  private invalid(ip: string, message: string): void {
    this.stats.invalid += 1;
    this.log.debug({ device: { ip, problem: message } }, 'mdns invalid reply');
    this.report({ code: ERR.MDNS_INVALID, message, ip });
  }

  private socketError(code: string, err: Error): void {
    if (this.closed) return;
    this.report({ code, message: errorMessage(err) });
  }

  private report(err: Omit<SweepError, 'protocol' | 'interface'>): void {
    this.ctx.error({ ...err, protocol: 'mdns', interface: this.ctx.iface.name });
  }
}
