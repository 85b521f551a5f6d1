import type { HitRecorder } from './hits.ts';

/** What every protocol responder of one simulated device shares. */
export interface SimContext {
  ip: string;
  mac: string;
  hits: HitRecorder;
  /** Unexpected problems (never thrown out of a socket callback). */
  onError: (where: string, err: unknown) => void;
  /** Uniform random integer in [0, max]. */
  randomDelay: (maxMs: number) => number;
  /** This boot: WS-Discovery AppSequence InstanceId and UPnP BOOTID.UPNP.ORG (seconds since the epoch at start). */
  boot: number;
  /** Told of each announcement or goodbye sent (the simulator logs it, with the time, for the lab's timings). */
  announced: (proto: string, kind: string) => void;
}

export interface RunningService {
  name: string;
  /** Ports listened on (UDP or TCP). */
  ports: number[];
  close(): Promise<void>;
  /** Sends the protocol's announcement (WS-Discovery Hello, SSDP NOTIFY alive, mDNS announcement, SADP/DHIP notice). */
  announce?(): void;
  /** Sends the protocol's goodbye (Bye, byebye, mDNS records with TTL 0), before close. */
  goodbye?(): void;
}

/** Printable, bounded excerpt of untrusted bytes, for hit details. */
export function excerpt(data: Buffer | string, max = 60): string {
  const text = typeof data === 'string' ? data : data.subarray(0, max * 4).toString('latin1');
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u00ff]/gu, '.').slice(0, max);
}
