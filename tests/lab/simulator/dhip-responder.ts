import type { DhipProfile } from './profile.ts';
import type { RunningService, SimContext } from './context.ts';
import { excerpt } from './context.ts';
import { openMulticastListener, type MulticastListener } from './udp.ts';
import { buildV1Reply, dhipFrame, notifyDevInfoBody, parseDhipRequest, parseV1Request, type DahuaRequest, type Json } from './dhip-messages.ts';

export const DHIP_GROUP = '239.255.255.251';
export const DHIP_PORT = 37810;
export const DAHUA_V1_PORT = 5050;

/**
 * Dahua discovery responder: DHIP on 0.0.0.0:37810 (joined to 239.255.255.251; the limited
 * broadcast arrives there too) answers `DHDiscover.search` with `client.notifyDevInfo` to the
 * sender and/or the group, as the profile says; when the profile has `v1`, 0.0.0.0:5050
 * answers the legacy v1 search to the sender. Every other message is recorded as junk and
 * never answered.
 */
export async function startDhipResponder(ctx: SimContext, dhip: DhipProfile): Promise<RunningService> {
  const timers = new Set<NodeJS.Timeout>();
  const later = (send: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      send();
    }, ctx.randomDelay(dhip.maxDelayMs));
    timers.add(timer);
  };
  const record = (request: DahuaRequest, msg: Buffer, from: { address: string; port: number }): boolean => {
    if (request.kind === 'junk') {
      // Another device's notifyDevInfo on the group (an answer, or its notice): a device ignores it.
      if (request.detail.includes('client.notifyDevInfo')) return false;
      ctx.hits.record({ proto: 'dhip', from: from.address, port: from.port, kind: 'junk', detail: `${request.detail}: ${excerpt(msg)}` });
      return false;
    }
    ctx.hits.record({ proto: 'dhip', from: from.address, port: from.port, kind: request.kind });
    return true;
  };

  const notify = dhipFrame(notifyDevInfoBody(dhip.mac ?? ctx.mac, dhip.deviceInfo as { [key: string]: Json }));
  const listeners: MulticastListener[] = [];
  const close = async (): Promise<void> => {
    for (const t of timers) clearTimeout(t);
    await Promise.all(listeners.map((l) => l.close()));
  };
  try {
    const dhipListener = await openMulticastListener({
      port: DHIP_PORT,
      group: DHIP_GROUP,
      interfaceAddress: ctx.ip,
      onError: (err) => ctx.onError('dhip', err),
      onMessage: (msg, from) => {
        if (from.address === ctx.ip) return;
        if (!record(parseDhipRequest(msg), msg, from)) return;
        later(() => {
          if (dhip.replyTo !== 'group') dhipListener.send(notify, from.port, from.address);
          if (dhip.replyTo !== 'sender') dhipListener.send(notify, DHIP_PORT, DHIP_GROUP);
        });
      },
    });
    listeners.push(dhipListener);
    const v1 = dhip.v1;
    if (v1 !== undefined) {
      const reply = buildV1Reply({ ...v1, model: v1.device, mac: ctx.mac, ip: ctx.ip });
      const v1Listener = await openMulticastListener({
        port: DAHUA_V1_PORT,
        interfaceAddress: ctx.ip,
        onError: (err) => ctx.onError('dahua-v1', err),
        onMessage: (msg, from) => {
          if (from.address === ctx.ip) return;
          if (!record(parseV1Request(msg), msg, from)) return;
          later(() => v1Listener.send(reply, from.port, from.address));
        },
      });
      listeners.push(v1Listener);
    }
  } catch (err) {
    await close();
    throw err;
  }
  return {
    name: 'dhip',
    ports: dhip.v1 === undefined ? [DHIP_PORT] : [DHIP_PORT, DAHUA_V1_PORT],
    close,
    // The notice some firmware multicasts at boot: its notifyDevInfo, to the group.
    announce() {
      listeners[0]?.send(notify, DHIP_PORT, DHIP_GROUP);
      ctx.announced('dhip', 'client.notifyDevInfo');
    },
  };
}
