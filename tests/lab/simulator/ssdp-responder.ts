import type { SsdpProfile, UpnpProfile } from './profile.ts';
import type { RunningService, SimContext } from './context.ts';
import { excerpt } from './context.ts';
import { openMulticastListener } from './udp.ts';
import { advertisedTargets, buildSearchResponse, locationOf, parseMSearch, targetsFor } from './ssdp-messages.ts';
import { buildNotify } from './announce-messages.ts';

export const SSDP_GROUP = '239.255.255.250';
export const SSDP_PORT = 1900;

/**
 * SSDP search responder: every M-SEARCH whose ST the device advertises gets unicast replies
 * (one per matching target) to the sender after a random delay of at most min(MX, 1) s.
 */
export async function startSsdpResponder(
  ctx: SimContext,
  ssdp: SsdpProfile,
  upnp: UpnpProfile | undefined,
  configId = 1,
): Promise<RunningService> {
  const location = locationOf(ssdp, upnp, ctx.ip);
  const timers = new Set<NodeJS.Timeout>();
  const listener = await openMulticastListener({
    port: SSDP_PORT,
    group: SSDP_GROUP,
    group6: 'ff02::c',
    interfaceAddress: ctx.ip,
    ttl: 2,
    onError: (err) => ctx.onError('ssdp', err),
    onMessage: (msg, from) => {
      if (from.address === ctx.ip) return;
      const search = parseMSearch(msg);
      if (search === undefined) {
        if (!/^NOTIFY /u.test(msg.subarray(0, 7).toString('latin1'))) {
          ctx.hits.record({ proto: 'ssdp', from: from.address, port: from.port, kind: 'junk', detail: excerpt(msg) });
        }
        return;
      }
      ctx.hits.record({ proto: 'ssdp', from: from.address, port: from.port, kind: 'M-SEARCH', detail: search.st });
      const targets = targetsFor(search, ssdp);
      if (targets.length === 0) return;
      const maxDelayMs = Math.min(search.mx ?? 0, 1) * 1000;
      const timer = setTimeout(() => {
        timers.delete(timer);
        for (const target of targets) {
          listener.send(buildSearchResponse(ssdp, target, location, new Date()), from.port, from.address);
        }
      }, ctx.randomDelay(maxDelayMs));
      timers.add(timer);
    },
  });
  /** A NOTIFY for the root device, its UUID, its type and each service, to both groups. */
  const notify = (nts: 'ssdp:alive' | 'ssdp:byebye'): void => {
    for (const target of advertisedTargets(ssdp)) {
      for (const [group, host] of [[SSDP_GROUP, `${SSDP_GROUP}:${SSDP_PORT}`], ['ff02::c', `[FF02::C]:${SSDP_PORT}`]] as const) {
        // A link-local address still tentative (just after boot) cannot send yet: IPv6 is best effort.
        listener.send(buildNotify(nts, ssdp, { target, location, bootId: ctx.boot, configId, host }), SSDP_PORT, group, group.includes(':') ? () => undefined : undefined);
      }
    }
    ctx.announced('ssdp', nts);
  };

  return {
    name: 'ssdp',
    ports: [SSDP_PORT],
    async close() {
      for (const t of timers) clearTimeout(t);
      await listener.close();
    },
    announce: () => notify('ssdp:alive'),
    goodbye: () => notify('ssdp:byebye'),
  };
}
