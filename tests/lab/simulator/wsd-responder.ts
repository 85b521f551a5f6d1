import type { WsdProfile } from './profile.ts';
import type { RunningService, SimContext } from './context.ts';
import { excerpt } from './context.ts';
import { openMulticastListener } from './udp.ts';
import { deviceTypes, parseProbe, probeMatches } from './wsd-probe.ts';
import { buildNotXml, buildProbeMatches, buildXmlBomb } from './wsd-reply.ts';
import { buildWsdAnnouncement } from './announce-messages.ts';

export const WSD_GROUP = '239.255.255.250';
export const WSD_PORT = 3702;

/** The Action of a Hello, Bye or ProbeMatches: what other devices send to the group. */
const OTHERS_SPEAKING = /\/ws\/2005\/04\/discovery\/(?:Hello|Bye|ProbeMatches)\s*</u;

/**
 * WS-Discovery target service: answers a matching 2005/04 Probe with a unicast ProbeMatches to
 * the probe's source after a random delay. Hostile profiles answer every probe with junk.
 */
export async function startWsdResponder(ctx: SimContext, wsd: WsdProfile): Promise<RunningService> {
  const offeredTypes = deviceTypes(wsd.match.types ?? '');
  const offeredScopes = wsd.match.scopes ?? [];
  const instanceId = ctx.boot;
  let messageNumber = 0;
  const timers = new Set<NodeJS.Timeout>();

  const reply = (relatesTo: string): Buffer => {
    messageNumber += 1;
    const input = {
      style: wsd.style,
      relatesTo,
      matches: [wsd.match, ...wsd.extraMatches],
      instanceId,
      messageNumber,
      ...(wsd.padToBytes === undefined ? {} : { padToBytes: wsd.padToBytes }),
    };
    if (wsd.reply === 'not-xml') return buildNotXml();
    if (wsd.reply === 'xml-bomb') return Buffer.from(buildXmlBomb(input));
    return Buffer.from(buildProbeMatches(input));
  };

  const listener = await openMulticastListener({
    port: WSD_PORT,
    group: WSD_GROUP,
    group6: 'ff02::c',
    interfaceAddress: ctx.ip,
    onError: (err) => ctx.onError('wsd', err),
    onMessage: (msg, from) => {
      if (from.address === ctx.ip) return;
      // Another device announcing itself (or answering someone): a device ignores it, unread.
      if (OTHERS_SPEAKING.test(msg.subarray(0, 8192).toString('utf8'))) return;
      const probe = parseProbe(msg);
      if (probe === undefined) {
        ctx.hits.record({ proto: 'wsd', from: from.address, port: from.port, kind: 'junk', detail: excerpt(msg) });
        return;
      }
      const typesText = probe.types.map((t) => t.local).join(' ');
      ctx.hits.record({
        proto: 'wsd',
        from: from.address,
        port: from.port,
        kind: probe.version === '2005/04' ? 'Probe' : 'Probe-2009',
        detail: typesText,
      });
      const hostile = wsd.reply !== 'normal';
      if (!hostile && (probe.messageId === undefined || !probeMatches(probe, offeredTypes, offeredScopes))) return;
      const relatesTo = probe.messageId ?? 'urn:uuid:00000000-0000-0000-0000-000000000000';
      const timer = setTimeout(() => {
        timers.delete(timer);
        try {
          listener.send(reply(relatesTo), from.port, from.address);
        } catch (err) {
          ctx.onError('wsd-reply', err);
        }
      }, ctx.randomDelay(wsd.maxDelayMs));
      timers.add(timer);
    },
  });

  /** Hello or Bye to the IPv4 group, and to the IPv6 one when the device has a link-local address. */
  const say = (kind: 'Hello' | 'Bye'): void => {
    messageNumber += 1;
    const message = buildWsdAnnouncement(kind, wsd, { instanceId, messageNumber });
    listener.send(message, WSD_PORT, WSD_GROUP);
    // A link-local address still tentative (just after boot) cannot send yet: IPv6 is best effort.
    listener.send(message, WSD_PORT, 'ff02::c', () => undefined);
    ctx.announced('wsd', kind);
  };

  return {
    name: 'wsd',
    ports: [WSD_PORT],
    async close() {
      for (const t of timers) clearTimeout(t);
      await listener.close();
    },
    announce: () => say('Hello'),
    goodbye: () => say('Bye'),
  };
}
