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
}

/** Starts every protocol the profile describes; HTTP first, so advertised URLs answer. */
export async function startDevice(options: DeviceOptions): Promise<SimulatedDevice> {
  const { profile } = options;
  const ctx: SimContext = {
    ip: options.ip,
    mac: options.mac,
    hits: options.hits,
    onError: options.onError,
    randomDelay: (maxMs) => (maxMs <= 0 ? 0 : randomInt(0, Math.floor(maxMs) + 1)),
  };
  const services: RunningService[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(services.map((s) => s.close()));
  };
  try {
    if (profile.http !== undefined || profile.onvif !== undefined || profile.upnp !== undefined) {
      services.push(await startHttpServers(ctx, profile));
    }
    if (profile.wsd !== undefined) services.push(await startWsdResponder(ctx, profile.wsd));
    if (profile.ssdp !== undefined) services.push(await startSsdpResponder(ctx, profile.ssdp, profile.upnp));
    if (profile.mdns !== undefined) services.push(await startMdnsResponder(ctx, profile.mdns));
    if (profile.sadp !== undefined) services.push(await startSadpResponder(ctx, profile.sadp));
    if (profile.dhip !== undefined) services.push(await startDhipResponder(ctx, profile.dhip));
    if (profile.rtsp !== undefined) services.push(await startRtspResponder(ctx, profile.rtsp));
    if (profile.tls !== undefined) services.push(await startTlsResponder(ctx, profile.tls));
  } catch (err) {
    await close();
    throw err;
  }
  return { services, close };
}
