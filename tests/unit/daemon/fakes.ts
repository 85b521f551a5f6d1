import { EventEmitter } from 'node:events';
import type { Device, SweepResult } from '../../../src/domain/types.ts';
import type { ChangeEvent, Departure, Inventory, InventoryDevice, SweepSummary } from '../../../src/inventory/types.ts';
import type { TransportRequest, TransportResponse } from '../../../src/report/transport.ts';
import type { SignalSource } from '../../../src/daemon/lifecycle.ts';
import type { SweepRunner } from '../../../src/daemon/daemon.ts';
import type { IdentifyRequest } from '../../../src/agent/sweeper.ts';
import type { NetInterface } from '../../../src/discovery/interfaces.ts';
import type { Identification } from '../../../src/sweep/identify.ts';
import type { FakeClock } from './helpers.ts';
import { device } from '../report/sample.ts';

/** Fakes for the daemon tests: an inventory, a sweeper on the virtual clock, a transport, signals. */

export function hikvision(ip = '10.66.0.11', mac = '44:19:b6:21:42:0b'): Device {
  return device({ ip, addresses: [ip], mac });
}

export function printer(ip = '10.66.0.14'): Device {
  return device({ ip, addresses: [ip], mac: 'ac:18:26:84:1a:46', manufacturer: 'Epson', brand: 'EPSON', model: 'XP-410', kind: 'printer', status: 'clear', verdict: { status: 'clear', reason: 'not a video device' } });
}

/** Keeps devices by MAC: device-new / restricted-new for a new one, device-gone for one missing. */
export class FakeInventory implements Inventory {
  known = new Map<string, { device: Device; present: boolean; leaving?: boolean; firstSeen: string; lastSeen: string; sweeps: number }>();
  recorded: SweepResult[] = [];
  closed = false;
  failNext = false;

  recordSweep(result: SweepResult, options: { partial?: boolean } = {}): ChangeEvent[] {
    if (this.closed) throw new Error('inventory closed');
    if (this.failNext) {
      this.failNext = false;
      throw new Error('disk full');
    }
    this.recorded.push(result);
    const events: ChangeEvent[] = [];
    const ev = (type: ChangeEvent['type'], d: Device): ChangeEvent => ({
      type,
      deviceId: `dev-${d.mac}`,
      sweepId: result.id,
      at: result.finishedAt,
      device: { ip: d.ip, mac: d.mac, manufacturer: d.manufacturer, brand: d.brand, model: d.model, kind: d.kind, status: d.verdict.status },
    });
    const seen = new Set<string>();
    for (const d of result.devices) {
      const key = d.mac ?? d.ip;
      seen.add(key);
      const k = this.known.get(key);
      if (k === undefined) events.push(ev(d.verdict.status === 'restricted' ? 'restricted-new' : 'device-new', d));
      else if (!k.present || k.leaving === true) events.push(ev('device-back', d));
      this.known.set(key, { device: d, present: true, firstSeen: k?.firstSeen ?? result.startedAt, lastSeen: result.finishedAt, sweeps: (k?.sweeps ?? 0) + 1 });
    }
    for (const [key, k] of this.known) {
      if (options.partial === true || seen.has(key) || !k.present) continue;
      k.present = false;
      events.push(ev('device-gone', k.device));
    }
    return events;
  }

  departures: Departure[] = [];

  /** A goodbye from a present device (by IP): device-leaving, once. */
  recordDeparture(d: Departure): ChangeEvent[] {
    this.departures.push(d);
    const entry = [...this.known.values()].find((k) => k.device.ip === d.ip);
    if (entry === undefined || !entry.present || entry.leaving === true) return [];
    entry.leaving = true;
    const x = entry.device;
    return [{ type: 'device-leaving', deviceId: `dev-${x.mac}`, sweepId: d.id, at: d.at, device: { ip: x.ip, mac: x.mac, manufacturer: x.manufacturer, brand: x.brand, model: x.model, kind: x.kind, status: x.verdict.status } }];
  }

  devices(): InventoryDevice[] {
    return [...this.known.entries()].map(([id, k]) => ({ id, firstSeen: k.firstSeen, lastSeen: k.lastSeen, sweeps: k.sweeps, latest: k.device, verdicts: [] }));
  }

  device(ref: string): InventoryDevice | undefined {
    return this.devices().find((d) => d.id === ref || d.latest.ip === ref);
  }

  sweeps(): SweepSummary[] {
    return [];
  }

  diff(): ChangeEvent[] {
    return [];
  }

  close(): void {
    this.closed = true;
  }
}

/** A sweeper whose sweeps take `durationMs` of virtual time and find what `devices()` says. */
export class FakeSweeper implements SweepRunner {
  runs = 0;
  durationMs: number;
  devices: Device[];
  failNext = false;
  /** When set, the sweep never ends (a hung sweep). */
  hang = false;
  /** Interfaces a sweep would probe (where the daemon listens between sweeps); none by default. */
  ifaces: NetInterface[] = [];
  /** What identifying an announced host finds, by IP (a device judged from nothing else when absent). */
  identifyAs = new Map<string, Device>();
  identified: IdentifyRequest[] = [];

  private clock: FakeClock;

  constructor(clock: FakeClock, options: { durationMs?: number; devices?: Device[] } = {}) {
    this.clock = clock;
    this.durationMs = options.durationMs ?? 2000;
    this.devices = options.devices ?? [hikvision()];
  }

  interfaces(): NetInterface[] {
    return this.ifaces;
  }

  identify(request: IdentifyRequest): Identification {
    this.identified.push(request);
    const found = this.identifyAs.get(request.ip);
    const at = new Date(this.clock.now()).toISOString();
    return {
      offer: () => false,
      done: Promise.resolve({
        schema: 'camsweep.sweep/v1',
        id: `sighting-${this.identified.length}`,
        startedAt: at,
        finishedAt: at,
        interfaces: [{ name: 'eth0', address: '10.66.0.2', netmask: '255.255.255.0', mac: null }],
        devices: found === undefined ? [] : [found],
        errors: [],
      }),
    };
  }

  run(): Promise<SweepResult> {
    this.runs += 1;
    const n = this.runs;
    const startedAt = new Date(this.clock.now()).toISOString();
    const devices = [...this.devices];
    if (this.hang) return new Promise<SweepResult>(() => undefined);
    const fail = this.failNext;
    this.failNext = false;
    return new Promise<SweepResult>((resolve, reject) => {
      this.clock.setTimer(() => {
        if (fail) {
          reject(Object.assign(new Error('no up, non-loopback interface'), { code: 'NO_INTERFACE' }));
          return;
        }
        resolve({
          schema: 'camsweep.sweep/v1',
          id: `sweep-${n}`,
          startedAt,
          finishedAt: new Date(this.clock.now()).toISOString(),
          interfaces: [{ name: 'eth0', address: '10.66.0.2', netmask: '255.255.255.0', mac: null }],
          devices,
          errors: n === 1 ? [{ code: 'WSD_INVALID', message: 'not XML', protocol: 'wsd', ip: '10.66.0.101' }] : [],
        });
      }, this.durationMs);
    });
  }
}

/** A transport that answers from a script (default 200) and records every request. */
export class FakeTransport {
  requests: Array<{ body: { sweep: { id: string }; devices: unknown[]; events?: Array<{ type: string }> }; at: number }> = [];
  status = 200;
  /** When set, requests hang until aborted. */
  hang = false;

  private clock: FakeClock;

  constructor(clock: FakeClock) {
    this.clock = clock;
  }

  readonly send = (req: TransportRequest): Promise<TransportResponse> => {
    this.requests.push({ body: JSON.parse(req.body.toString('utf8')) as FakeTransport['requests'][number]['body'], at: this.clock.now() });
    if (this.hang) {
      return new Promise((_, reject) => {
        req.signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' })), { once: true });
      });
    }
    return Promise.resolve({ status: this.status, headers: {}, body: this.status === 200 ? '{"status":"ok"}' : 'unavailable' });
  };
}

/** Signals a test raises by hand. */
export class FakeSignals extends EventEmitter implements SignalSource {
  raise(signal: NodeJS.Signals): void {
    this.emit(signal);
  }
}
