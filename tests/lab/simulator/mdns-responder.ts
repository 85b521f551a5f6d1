import dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';
import type { MdnsProfile } from './profile.ts';
import type { RunningService, SimContext } from './context.ts';
import { excerpt } from './context.ts';
import { openMulticastListener } from './udp.ts';
import { answersFor, forLegacyUnicast, questionsOf, suppressKnown } from './mdns-answers.ts';
import { buildMdnsAnnouncement } from './announce-messages.ts';

export const MDNS_GROUP = '224.0.0.251';
export const MDNS_PORT = 5353;
/** A QU question is answered by unicast only when the answer was multicast this recently. */
const RECENT_MULTICAST_MS = 60_000;

/**
 * mDNS responder. Queries from a port other than 5353 are legacy unicast (RFC 6762 §6.7): the
 * answer goes back to that port with the ID and questions echoed. Otherwise the answer is
 * multicast after 20-120 ms, or unicast for a QU question whose answer was multicast recently.
 */
export async function startMdnsResponder(ctx: SimContext, mdns: MdnsProfile): Promise<RunningService> {
  const timers = new Set<NodeJS.Timeout>();
  const lastMulticast = new Map<string, number>();

  const later = (ms: number, fn: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  const listener = await openMulticastListener({
    port: MDNS_PORT,
    group: MDNS_GROUP,
    group6: 'ff02::fb',
    interfaceAddress: ctx.ip,
    ttl: 255,
    onError: (err) => ctx.onError('mdns', err),
    onMessage: (msg, from) => {
      if (from.address === ctx.ip) return;
      // Another host's response (its announcement, an answer): nothing to answer, not read.
      if (msg.length >= 12 && (msg[2]! & 0x80) !== 0) return;
      let packet: DecodedPacket;
      try {
        packet = dnsPacket.decode(msg);
      } catch (err) {
        ctx.hits.record({ proto: 'mdns', from: from.address, port: from.port, kind: 'junk', detail: `${(err as Error).message}: ${excerpt(msg)}` });
        return;
      }
      if (packet.type !== 'query') return;
      const questions = questionsOf(packet);
      ctx.hits.record({
        proto: 'mdns',
        from: from.address,
        port: from.port,
        kind: 'query',
        detail: questions.map((q) => `${q.type} ${q.name}${q.qu ? ' QU' : ''}`).join(', '),
      });
      const records = answersFor(questions, mdns, ctx.ip);
      const answers = suppressKnown(records.answers, packet.answers);
      if (answers.length === 0) return;

      if (from.port !== MDNS_PORT) {
        const reply = dnsPacket.encode({
          type: 'response',
          id: packet.id ?? 0,
          flags: dnsPacket.AUTHORITATIVE_ANSWER,
          questions: (packet.questions ?? []).map((q) => ({ name: q.name, type: q.type, class: 'IN' as const })),
          answers: forLegacyUnicast(answers),
          additionals: forLegacyUnicast(records.additionals),
        });
        later(ctx.randomDelay(20), () => listener.send(reply, from.port, from.address));
        return;
      }
      const key = questions.map((q) => `${q.type} ${q.name.toLowerCase()}`).join(',');
      const recent = Date.now() - (lastMulticast.get(key) ?? 0) < RECENT_MULTICAST_MS;
      const unicast = questions.every((q) => q.qu) && recent;
      const reply = dnsPacket.encode({
        type: 'response',
        id: 0,
        flags: dnsPacket.AUTHORITATIVE_ANSWER,
        answers,
        additionals: records.additionals,
      });
      later(20 + ctx.randomDelay(100), () => {
        if (unicast) {
          listener.send(reply, from.port, from.address);
        } else {
          lastMulticast.set(key, Date.now());
          listener.send(reply, MDNS_PORT, MDNS_GROUP);
        }
      });
    },
  });

  const say = (goodbye: boolean): void => {
    const packet = buildMdnsAnnouncement(mdns, ctx.ip, goodbye);
    listener.send(packet, MDNS_PORT, MDNS_GROUP);
    // A link-local address still tentative (just after boot) cannot send yet: IPv6 is best effort.
    listener.send(packet, MDNS_PORT, 'ff02::fb', () => undefined);
    ctx.announced('mdns', goodbye ? 'goodbye' : 'announcement');
  };

  return {
    name: 'mdns',
    ports: [MDNS_PORT],
    async close() {
      for (const t of timers) clearTimeout(t);
      await listener.close();
    },
    announce: () => say(false),
    goodbye: () => say(true),
  };
}
