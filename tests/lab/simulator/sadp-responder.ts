import type { SadpProfile } from './profile.ts';
import type { RunningService, SimContext } from './context.ts';
import { excerpt } from './context.ts';
import { openMulticastListener } from './udp.ts';
import { randomUUID } from 'node:crypto';
import { buildSadpProbeMatch, parseSadpRequest } from './sadp-messages.ts';

export const SADP_GROUP = '239.255.255.250';
export const SADP_PORT = 37020;

/**
 * Hikvision SADP responder: listens on 0.0.0.0:37020 (the group and the limited broadcast both
 * arrive there) and answers each `inquiry` after a random delay, by default to the group
 * 239.255.255.250:37020 as real devices do (Hikvision's SADP tool binds 37020 to hear them).
 * Every other message is recorded as junk and never answered.
 */
export async function startSadpResponder(ctx: SimContext, sadp: SadpProfile): Promise<RunningService> {
  const timers = new Set<NodeJS.Timeout>();
  const listener = await openMulticastListener({
    port: SADP_PORT,
    group: SADP_GROUP,
    interfaceAddress: ctx.ip,
    onError: (err) => ctx.onError('sadp', err),
    onMessage: (msg, from) => {
      if (from.address === ctx.ip) return;
      const request = parseSadpRequest(msg);
      if (request.kind === 'junk') {
        // Another device's ProbeMatch on the group (an answer, or its notice): a device ignores it.
        if (/<ProbeMatch[\s>]/u.test(msg.subarray(0, 4096).toString('utf8'))) return;
        ctx.hits.record({ proto: 'sadp', from: from.address, port: from.port, kind: 'junk', detail: `${request.detail}: ${excerpt(msg)}` });
        return;
      }
      ctx.hits.record({ proto: 'sadp', from: from.address, port: from.port, kind: 'inquiry', detail: request.uuid });
      const reply = Buffer.from(buildSadpProbeMatch(request.uuid, sadp.fields));
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (sadp.replyTo !== 'sender') listener.send(reply, SADP_PORT, SADP_GROUP);
        if (sadp.replyTo !== 'group') listener.send(reply, from.port, from.address);
      }, ctx.randomDelay(sadp.maxDelayMs));
      timers.add(timer);
    },
  });
  return {
    name: 'sadp',
    ports: [SADP_PORT],
    async close() {
      for (const t of timers) clearTimeout(t);
      await listener.close();
    },
    // The notice some firmware multicasts at boot: its ProbeMatch, answering no inquiry.
    announce() {
      listener.send(Buffer.from(buildSadpProbeMatch(randomUUID().toUpperCase(), sadp.fields)), SADP_PORT, SADP_GROUP);
      ctx.announced('sadp', 'ProbeMatch');
    },
  };
}
