/**
 * The socket pair of the vendor search protocols (SADP, DHIP) on one interface:
 *
 * - a search socket bound to the interface address (ephemeral port, multicast egress pinned to
 *   the interface, SO_BROADCAST), audited: searches leave from here and devices that answer
 *   the sender land here (`via: 'unicast'`). Without it there is nothing to do: the failure is
 *   recorded as `<PROTOCOL>_SOCKET_FAILED` and no sockets are returned;
 * - a listener on 0.0.0.0:<port> (SO_REUSEADDR) joined to `group` on the interface, for
 *   firmware that answers the group (`via: 'group'`). If it cannot be bound, that is recorded
 *   as `<PROTOCOL>_LISTEN_FAILED` and the search socket still works.
 *
 * Socket errors while open are recorded as `<PROTOCOL>_SOCKET_ERROR`; none after `close()`.
 * `sendSearchRounds` sends the caller's datagrams from the search socket, round after round.
 * What goes out (payloads.ts) and which replies count (replies.ts) stay with each protocol.
 */
import { ERR, errorCode, errorMessage, type CatalogueCode } from '../domain/errors.ts';
import type { SweepError } from '../domain/types.ts';
import { jitter, sleep } from '../util/time.ts';
import { REPLY_MARGIN_MS, type DiscoveryContext } from './types.ts';
import type { UdpSocket } from './udp.ts';

export type SearchVia = 'unicast' | 'group';
/** Tags every error, and picks its code (SADP_..., DHIP_...). */
export type SearchProtocol = 'sadp' | 'dhip';

type SearchProblem = 'socketFailed' | 'listenFailed' | 'socketError' | 'sendFailed';

const CODES: Record<SearchProtocol, Record<SearchProblem, CatalogueCode>> = {
  sadp: { socketFailed: ERR.SADP_SOCKET_FAILED, listenFailed: ERR.SADP_LISTEN_FAILED, socketError: ERR.SADP_SOCKET_ERROR, sendFailed: ERR.SADP_SEND_FAILED },
  dhip: { socketFailed: ERR.DHIP_SOCKET_FAILED, listenFailed: ERR.DHIP_LISTEN_FAILED, socketError: ERR.DHIP_SOCKET_ERROR, sendFailed: ERR.DHIP_SEND_FAILED },
};

function searchError(ctx: DiscoveryContext, protocol: SearchProtocol, problem: SearchProblem, message: string): SweepError {
  return { code: CODES[protocol][problem], message, protocol, interface: ctx.iface.name };
}

export interface SearchSocketsOptions {
  ctx: DiscoveryContext;
  protocol: SearchProtocol;
  /** What the search socket is called in `<PROTOCOL>_SOCKET_FAILED` ("SADP socket"). */
  searchLabel: string;
  /** The group the listener joins and the port it binds. */
  group: string;
  port: number;
  maxDatagram: number;
  /** Every datagram within `maxDatagram`, with its source address and the socket it came in on. */
  onMessage: (msg: Buffer, ip: string, via: SearchVia) => void;
}

export interface SearchSockets {
  search: UdpSocket;
  /** Absent when the group port could not be bound (already recorded). */
  listener: UdpSocket | undefined;
  /** Sends rounds of datagrams from the search socket (see `sendSearchRounds`). */
  sendRounds(rounds: SearchRounds): Promise<void>;
  /** Closes both sockets; socket errors are no longer recorded. Idempotent. */
  close(): void;
}

/** Opens the pair; `undefined` (after recording why) when the search socket cannot be opened. */
export async function openSearchSockets(options: SearchSocketsOptions): Promise<SearchSockets | undefined> {
  const { ctx, protocol, group, port, maxDatagram } = options;
  const { iface } = ctx;
  const sweepError = (problem: SearchProblem, message: string): SweepError => searchError(ctx, protocol, problem, message);
  let closed = false;
  const socketError = (err: Error): void => {
    if (!closed) ctx.error(sweepError('socketError', errorMessage(err)));
  };

  let search: UdpSocket;
  try {
    search = await ctx.udp({
      bindAddress: iface.address,
      bindPort: 0,
      multicastInterface: iface.address,
      broadcast: true,
      maxDatagram,
      audit: ctx.audit,
      onMessage: (msg, from) => options.onMessage(msg, from.address, 'unicast'),
      onError: socketError,
    });
  } catch (err) {
    ctx.error(
      sweepError('socketFailed', `cannot open the ${options.searchLabel} on ${iface.address} (${errorCode(err, 'ERROR')}): ${errorMessage(err)}`),
    );
    return undefined;
  }

  let listener: UdpSocket | undefined;
  const close = (): void => {
    closed = true;
    search.close();
    listener?.close();
  };
  try {
    listener = await ctx.udp({
      bindAddress: '0.0.0.0',
      bindPort: port,
      reuseAddr: true,
      multicastInterface: iface.address,
      memberships: [{ group, interfaceAddress: iface.address }],
      maxDatagram,
      audit: ctx.audit,
      onMessage: (msg, from) => options.onMessage(msg, from.address, 'group'),
      onError: socketError,
    });
  } catch (err) {
    try {
      ctx.error(
        sweepError(
          'listenFailed',
          `cannot listen on ${group}:${port} (${errorCode(err, 'ERROR')}): replies sent to the group are missed; direct replies still count`,
        ),
      );
    } catch (reportErr) {
      // The caller never gets the pair, so it cannot close the search socket: do it here.
      close();
      throw reportErr;
    }
  }
  return { search, listener, sendRounds: (rounds) => sendSearchRounds({ ctx, protocol, socket: search, ...rounds }), close };
}

/** One datagram of a round; `payload` is called once per send, just before it. */
export interface SearchSend {
  address: string;
  port: number;
  payload: () => Buffer | string;
}

export interface SearchRounds {
  /** What a datagram is called in `<PROTOCOL>_SEND_FAILED` ("inquiry", "search"). */
  what: string;
  sends: readonly SearchSend[];
  repeats: number;
  /** Pause before each repeat round, ms (jittered between the two). */
  jitterMs: readonly [number, number];
}

/**
 * Pause between the datagrams of one round, ms. They go to different destinations (group,
 * broadcast, another port): the round's repeat, not this pause, is what resends a lost one.
 * Spacing every datagram by the round gap made the last of DHIP's six leave ~0.75 s (up to
 * 1.25 s) after the first, and the window wait for its replies; 40-100 ms keeps its deadline
 * under SSDP's and still lets the burst of replies to one datagram (every SADP or DHIP device
 * answers at once) drain from the socket before the next (docs/performance.md).
 */
export const SEND_GAP_MS: readonly [number, number] = [40, 100];

/**
 * SADP and DHIP say nothing of a reply delay; devices measured in the lab and in the corpus
 * answer within milliseconds. Half a second, like WS-Discovery's APP_MAX_DELAY.
 */
export const VENDOR_REPLY_MS = 500;

export interface SearchRoundsOptions extends SearchRounds {
  ctx: DiscoveryContext;
  protocol: SearchProtocol;
  socket: UdpSocket;
}

/**
 * Sends every entry of `sends` in order, `repeats` rounds, with a jittered pause before each
 * round after the first (`jitterMs`) and a short one between the datagrams of a round
 * (SEND_GAP_MS); stops as soon as `ctx.signal` aborts. A failed send is recorded as
 * `<PROTOCOL>_SEND_FAILED` in the first round only (the same cause fails every round).
 */
export async function sendSearchRounds(options: SearchRoundsOptions): Promise<void> {
  const { ctx, protocol, socket, sends, jitterMs } = options;
  // The adaptive window: each datagram's replies are due VENDOR_REPLY_MS (+ margin) after it.
  const replyMs = VENDOR_REPLY_MS + REPLY_MARGIN_MS;
  let first = true;
  let failed = 0;
  for (let round = 0; round < options.repeats; round += 1) {
    for (const [i, { address, port, payload }] of sends.entries()) {
      if (!first) await sleep(i === 0 ? jitter(jitterMs[0], jitterMs[1], ctx.random) : jitter(SEND_GAP_MS[0], SEND_GAP_MS[1], ctx.random), ctx.signal);
      first = false;
      if (ctx.signal.aborted) return;
      const datagram = payload();
      try {
        await socket.send(datagram, port, address);
      } catch (err) {
        failed += 1;
        if (round === 0) {
          ctx.error(searchError(ctx, protocol, 'sendFailed', `${options.what} to ${address}:${port} failed (${errorCode(err, 'ERROR')}): ${errorMessage(err)}`));
        }
      }
      ctx.expectReplies?.(replyMs, round === options.repeats - 1 && i === sends.length - 1);
    }
  }
  if (sends.length === 0) ctx.expectReplies?.(0, true);
  if (failed > 0) ctx.log.debug({ failed }, `${protocol}: sends failed`);
}
