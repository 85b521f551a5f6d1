import { randomInt } from 'node:crypto';
import type { Profile } from './profile.ts';
import type { HitRecorder } from './hits.ts';
import type { RunningService, SimContext } from './context.ts';
import { startHttpServers } from './http-server.ts';
import { startWsdResponder } from './wsd-responder.ts';
import { startSsdpResponder } from './ssdp-responder.ts';
import { startMdnsResponder } from './mdns-responder.ts';
import { startSadpResponder } from './sadp-responder.ts';
import { startDhipResponder } from './dhip-responder.ts';
import { startRtspResponder, startTlsResponder } from './stream-responders.ts';

export interface SimulatedDevice {
  services: RunningService[];
  close(): Promise<void>;
}

export interface DeviceOptions {
  profile: Profile;
  ip: string;
  mac: string;
  hits: HitRecorder;
  onError: (where: string, err: unknown) => void;
  /** Told of each announcement or goodbye sent. */
  announced?: (proto: string, kind: string) => void;
}

/** Time for a goodbye's datagrams to leave before the sockets close. */
const GOODBYE_FLUSH_MS = 50;

/**
 * Starts every protocol the profile describes; HTTP first, so advertised URLs answer. Then the
 * device announces itself as the profile says (`announce`: at start, repeated a second apart,
 * before it resolves; SSDP again every interval), and says goodbye when closed.
 */
export async function startDevice(options: DeviceOptions): Promise<SimulatedDevice> {
  const { profile } = options;
  const ctx: SimContext = {
    ip: options.ip,
    mac: options.mac,
    hits: options.hits,
    onError: options.onError,
    randomDelay: (maxMs) => (maxMs <= 0 ? 0 : randomInt(0, Math.floor(maxMs) + 1)),
    boot: Math.floor(Date.now() / 1000),
    announced: options.announced ?? (() => undefined),
  };
  const services: RunningService[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const announcing = (): RunningService[] => services.filter((s) => (profile.announce as Record<string, unknown>)[s.name] === true);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // clearTimeout clears an interval too.
      for (const t of timers) clearTimeout(t);
      if (profile.announce.goodbye) {
        const saying = announcing().filter((s) => s.goodbye !== undefined);
        for (const s of saying) s.goodbye?.();
        if (saying.length > 0) await new Promise((resolve) => setTimeout(resolve, GOODBYE_FLUSH_MS));
      }
      await Promise.all(services.map((s) => s.close()));
    })();
    return closing;
  };
  try {
    if (profile.http !== undefined || profile.onvif !== undefined || profile.upnp !== undefined) {
      services.push(await startHttpServers(ctx, profile));
    }
    if (profile.wsd !== undefined) services.push(await startWsdResponder(ctx, profile.wsd));
    if (profile.ssdp !== undefined) services.push(await startSsdpResponder(ctx, profile.ssdp, profile.upnp, profile.announce.configId));
    if (profile.mdns !== undefined) services.push(await startMdnsResponder(ctx, profile.mdns));
    if (profile.sadp !== undefined) services.push(await startSadpResponder(ctx, profile.sadp));
    if (profile.dhip !== undefined) services.push(await startDhipResponder(ctx, profile.dhip));
    if (profile.rtsp !== undefined) services.push(await startRtspResponder(ctx, profile.rtsp));
    if (profile.tls !== undefined) services.push(await startTlsResponder(ctx, profile.tls));
  } catch (err) {
    await Promise.all(services.map((s) => s.close()));
    throw err;
  }
  const announce = (only?: string): void => {
    for (const s of announcing()) if (only === undefined || s.name === only) s.announce?.();
  };
  // The start-up announcements are over before the device says it is ready, as a device that
  // has finished booting is quiet: a test that starts devices and then sweeps does not get
  // their announcements in its window.
  if (announcing().some((s) => s.announce !== undefined)) {
    for (let round = 0; round < profile.announce.repeats; round += 1) {
      await new Promise((resolve) => setTimeout(resolve, round === 0 ? profile.announce.delayMs : 1000));
      announce();
    }
    // Let the last round's datagrams leave.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (profile.announce.ssdpIntervalS > 0) {
    timers.add(setInterval(() => announce('ssdp'), profile.announce.ssdpIntervalS * 1000));
  }
  return { services, close };
}
