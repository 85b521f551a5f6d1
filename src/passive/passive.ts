import { createHash, randomUUID } from 'node:crypto';
import { errorCode, errorMessage } from '../domain/errors.ts';
import type { Device, Observation, SweepResult } from '../domain/types.ts';
import type { Announcement, AnnouncementProtocol, DescriptionHint } from '../discovery/announcement.ts';
import type { NetInterface } from '../discovery/interfaces.ts';
import type { UdpFactory } from '../discovery/udp.ts';
import type { EnrichContext, EnrichResult } from '../enrich/types.ts';
import type { Departure } from '../inventory/types.ts';
import type { Identification } from '../sweep/identify.ts';
import { isIpv4 } from '../util/ip.ts';
import type { Logger } from '../util/log.ts';
import { createDescriptionCache, type DescriptionCache } from './description-cache.ts';
import { createGate, type GateLimits } from './gate.ts';
import { createHostTable, identityKeys, sameIdentity, type HostTable } from './hosts.ts';
import { openListener, type Heard, type Listener } from './listener.ts';
import { learnMarks, marksOf, type Marks } from './marks.ts';
import { createIdentifyQueue, type IdentifyQueue, type Timers } from './queue.ts';

/**
 * Passive listening between sweeps: the daemon hears devices announce themselves
 * (listener.ts), lets each datagram through a rate gate (gate.ts) before decoding it (each
 * protocol's announcements.ts), and decides what it means (hosts.ts): a new host, or one whose
 * identity changed, is identified (queue.ts: settle, one at a time per host, a cool-down,
 * bounded; the sweeper's identify, with the UPnP description cache), and what follows is the
 * sweep's own pipeline (`sighted`: record as a sighting, events, report); a goodbye from a
 * known host is a departure (`departed`). Nothing is sent while listening; identifying a host
 * sends it only what a sweep's enrichment would. While a sweep runs, identifications and
 * departures wait (`hold`); the sweep's devices then say which hosts are known (`swept`).
 */

export interface PassiveSettings {
  protocols: readonly AnnouncementProtocol[];
  gate: GateLimits;
  /** Waits before identifying a host, so its announcements on several protocols go together. */
  settleMs: number;
  /** An IPv6 host waits this long for an IPv4 twin before being identified alone. */
  ipv6HoldMs: number;
  cooldownMs: number;
  concurrency: number;
  maxPending: number;
  maxHosts: number;
  descriptionCacheEntries: number;
}

/** Announcement observations kept per host waiting for identification, and their size. */
export const MAX_GATHERED_OBSERVATIONS = 8;
export const MAX_GATHERED_BYTES = 16 * 1024;

/** Hooks for the daemon's metrics (src/daemon/metrics.ts). */
export interface PassiveMetrics {
  announcement(protocol: AnnouncementProtocol, kind: 'alive' | 'bye'): void;
  dropped(reason: 'rate-source' | 'rate-total' | 'invalid' | 'off-segment'): void;
  skipped(reason: 'cooldown' | 'queue-full'): void;
  identification(outcome: 'ok' | 'failed', seconds: number): void;
  departure(): void;
  description(outcome: 'hit' | 'miss'): void;
}

/** One host to identify: the sweeper's identify (src/agent/sweeper.ts). */
export type Identify = (request: {
  ip: string;
  observations: readonly Observation[];
  upnp: (target: { ip: string; location: string }, ctx: EnrichContext) => Promise<EnrichResult>;
}) => Identification;

export interface PassiveOptions {
  settings: PassiveSettings;
  udp: UdpFactory;
  clock: Timers;
  log: Logger;
  identify(): Identify;
  /** A host identified: record it as a sighting, tell of it, report it. `heardAtMs`: its first announcement. */
  sighted(result: SweepResult, heardAtMs: number): Promise<void>;
  departed(departure: Departure): Promise<void>;
  metrics?: PassiveMetrics;
  newId?: () => string;
}

export interface PassiveStatus {
  listening: boolean;
  interfaces: string[];
  protocols: AnnouncementProtocol[];
  sockets: number;
  hosts: number;
  waiting: number;
  running: number;
}

export interface Passive {
  /** Opens the sockets on these interfaces (again when they changed). */
  listen(interfaces: readonly NetInterface[]): Promise<void>;
  /** Hosts the inventory knows (at start): known, not replaced. */
  seed(devices: readonly Device[]): void;
  /** A sweep starts: identifications and departures wait. */
  hold(): void;
  /** The sweep ended (null: it failed): its devices are the known hosts; what waited goes on if still needed. */
  swept(devices: readonly Device[] | null): void;
  /** One datagram as the listener hands it over (tests feed these). */
  hear(h: Heard): void;
  status(): PassiveStatus;
  /** Closes the sockets; nothing starts or is recorded any more (waits for a record being written). */
  stop(): Promise<void>;
  /** Resolves once nothing waits or runs (tests, benchmarks). */
  idle(): Promise<void>;
}

interface Gathered {
  observations: Observation[];
  digests: Set<string>;
  bytes: number;
  hints: Map<string, DescriptionHint>;
  marks: Marks;
  identities: Set<string>;
  firstHeardMs: number;
}

const digest = (obs: Observation): string => createHash('sha1').update(JSON.stringify([obs.protocol, obs.evidence])).digest('base64url');

const sizeOf = (obs: Observation): number => obs.evidence.reduce((n, e) => n + e.field.length + e.value.length + 16, 64);

export function createPassive(options: PassiveOptions): Passive {
  const { settings, clock } = options;
  const log = options.log.child({ module: 'passive' });
  const metrics = options.metrics;
  const newId = options.newId ?? randomUUID;
  const gate = createGate(settings.gate, () => clock.now());
  const hosts: HostTable = createHostTable({ maxHosts: settings.maxHosts });
  const cache: DescriptionCache = createDescriptionCache({ maxEntries: settings.descriptionCacheEntries, now: () => clock.now() });
  const gathered = new Map<string, Gathered>();
  const live = new Map<string, Identification>();
  const heldDepartures: Departure[] = [];
  let held = false;
  let listener: Listener | null = null;
  let listening: { signature: string; interfaces: string[] } | null = null;
  let stopped = false;
  /** Calls of listen(): one that a later call (or stop) overtook closes what it opened. */
  let listens = 0;
  /** Departures and sightings are recorded one after another, in the order they come. */
  let chain: Promise<void> = Promise.resolve();
  const serial = (fn: () => Promise<void>): Promise<void> => {
    const next = chain.then(fn, fn);
    chain = next.catch(() => undefined);
    return next;
  };

  const queue: IdentifyQueue = createIdentifyQueue({
    concurrency: settings.concurrency,
    maxPending: settings.maxPending,
    settleMs: settings.settleMs,
    cooldownMs: settings.cooldownMs,
    clock,
    run: (key) => identify(key),
    // A host identified moments ago waits its cool-down behind any host never identified.
    cooledPriority: 1,
    onEvict: (key) => {
      gathered.delete(key);
      metrics?.skipped('queue-full');
    },
  });

  async function identify(key: string): Promise<void> {
    const input = gathered.get(key);
    gathered.delete(key);
    if (input === undefined || input.observations.length === 0) return;
    // An IPv6 host whose IPv4 twin spoke up meanwhile: the twin's own announcements tell.
    if (!isIpv4(key) && hosts.resolve({ ip: key, identifiers: identifiersOf(input.identities) }) !== key) return;
    const started = clock.now();
    const upnp = cache.query(input.hints);
    const counted = async (target: { ip: string; location: string }, ctx: EnrichContext): Promise<EnrichResult> => {
      const before = cache.hits;
      const result = await upnp(target, ctx);
      metrics?.description(cache.hits > before ? 'hit' : 'miss');
      return result;
    };
    log.debug({ device: { ip: key }, passive: { observations: input.observations.length, waitedMs: started - input.firstHeardMs } }, 'identifying an announced host');
    let result: SweepResult;
    try {
      const identification = options.identify()({ ip: key, observations: input.observations, upnp: counted });
      live.set(key, identification);
      try {
        result = await identification.done;
      } finally {
        live.delete(key);
      }
    } catch (err) {
      metrics?.identification('failed', (clock.now() - input.firstHeardMs) / 1000);
      log.error({ device: { ip: key }, error: { code: errorCode(err), message: errorMessage(err) } }, 'identification of an announced host failed');
      return;
    }
    const marks = new Map(input.marks);
    const identities = new Set(input.identities);
    for (const d of result.devices) {
      learnMarks(marks, marksOf(d.evidence));
      for (const id of identityKeys({ ...d.identifiers, serial: d.identifiers.serial ?? d.serial, mac: d.mac })) identities.add(id);
    }
    hosts.identified(key, marks, [...identities]);
    if (result.devices.length === 0 || stopped) return;
    await serial(() => options.sighted(result, input.firstHeardMs));
    metrics?.identification('ok', (clock.now() - input.firstHeardMs) / 1000);
  }

  const gather = (key: string, a: Announcement, obs: Observation, marks: Marks): Gathered => {
    let g = gathered.get(key);
    if (g === undefined) {
      g = { observations: [], digests: new Set(), bytes: 0, hints: new Map(), marks: new Map(), identities: new Set(), firstHeardMs: clock.now() };
      gathered.set(key, g);
    }
    const d = digest(obs);
    const size = sizeOf(obs);
    if (!g.digests.has(d) && g.observations.length < MAX_GATHERED_OBSERVATIONS && g.bytes + size <= MAX_GATHERED_BYTES) {
      g.digests.add(d);
      g.observations.push(obs);
      g.bytes += size;
      learnMarks(g.marks, marks);
      for (const id of identityKeys(a.identifiers)) g.identities.add(id);
      if (a.description !== undefined && g.hints.size < 4) g.hints.set(a.description.location, a.description);
    }
    return g;
  };

  const alive = (a: Announcement): void => {
    const obs = a.observation;
    if (obs === undefined) return;
    if (a.description !== undefined) cache.note(a.ip, a.description);
    const key = hosts.resolve(a);
    // An IPv6 announcement of a known IPv4 host: its IPv4 announcement says the same.
    if (key !== a.ip) return;
    const identification = live.get(key);
    if (identification !== undefined && identification.offer(obs)) return;
    const marks = marksOf(obs.evidence);
    const decision = hosts.alive(key, marks);
    if (!decision.identify && decision.full === true) {
      metrics?.skipped('queue-full');
      return;
    }
    if (!decision.identify && !queue.waitingFor(key)) return;
    const fresh = !gathered.has(key);
    gather(key, a, obs, marks);
    const outcome = queue.request(key, isIpv4(key) ? { priority: priorityOf(decision) } : { settleMs: settings.ipv6HoldMs, priority: 0 });
    if (outcome === 'full') {
      if (fresh) gathered.delete(key);
      metrics?.skipped('queue-full');
      return;
    }
    if (outcome === 'deferred') metrics?.skipped('cooldown');
    if (fresh && decision.identify) {
      log.debug({ device: { ip: key }, passive: { protocol: a.protocol, reason: decision.reason, ...(decision.mark === undefined ? {} : { mark: decision.mark.mark }), outcome } }, 'announced host to identify');
    }
  };

  const record = (d: Departure): void => {
    void serial(async () => {
      metrics?.departure();
      await options.departed(d);
    }).catch((err: unknown) => log.error({ device: { ip: d.ip }, error: { code: errorCode(err), message: errorMessage(err) } }, 'departure not recorded'));
  };

  const bye = (a: Announcement): void => {
    // Only from the host's own address, naming nothing it is not (or did not announce itself
    // as): a goodbye claiming a host's EPR or UDN from elsewhere is not that host leaving.
    const key = hosts.source(a.ip);
    const ids = identityKeys(a.identifiers);
    const waiting = gathered.get(key);
    if (!hosts.known(key) && queue.waitingFor(key) && (waiting === undefined || sameIdentity(waiting.identities, ids))) {
      // It left before it was identified: nothing to identify.
      queue.cancel(key);
      gathered.delete(key);
    }
    if (!hosts.bye(key, ids)) return;
    cache.forget(key);
    const { epr, udn, mac, serial: sn } = a.identifiers;
    const departure: Departure = {
      id: newId(),
      at: new Date(clock.now()).toISOString(),
      ip: key,
      identifiers: { ...(epr === undefined ? {} : { epr }), ...(udn === undefined ? {} : { udn }), ...(mac === undefined ? {} : { mac }), ...(sn === undefined ? {} : { serial: sn }) },
      interface: a.interface,
      protocol: a.protocol,
    };
    log.info({ device: { ip: key }, passive: { protocol: a.protocol } }, 'a known host said goodbye');
    if (held) {
      if (heldDepartures.length < settings.maxPending) heldDepartures.push(departure);
    } else record(departure);
  };

  const passive: Passive = {
    hear(h) {
      if (stopped) return;
      const verdict = gate.admit(h.ip);
      if (verdict !== 'pass') {
        metrics?.dropped(verdict);
        return;
      }
      let decoded;
      try {
        decoded = h.protocol.decode(h.msg, { ip: h.ip, iface: h.iface });
      } catch (err) {
        decoded = { kind: 'invalid' as const, reason: errorMessage(err) };
      }
      if (decoded.kind === 'invalid') {
        metrics?.dropped('invalid');
        return;
      }
      if (decoded.kind === 'ignored') return;
      for (const a of decoded.announcements) {
        metrics?.announcement(a.protocol, a.kind);
        try {
          if (a.kind === 'alive') alive(a);
          else bye(a);
        } catch (err) {
          log.error({ device: { ip: h.ip }, error: { code: errorCode(err), message: errorMessage(err) } }, 'announcement not handled');
        }
      }
    },

    async listen(interfaces) {
      if (stopped) return;
      const signature = JSON.stringify(interfaces.map((i) => [i.name, i.address, i.prefix, i.ipv6?.address ?? null]));
      if (listening?.signature === signature) return;
      const call = ++listens;
      listener?.close();
      listener = null;
      listening = null;
      if (interfaces.length === 0) return;
      const opened = await openListener({
        interfaces,
        protocols: settings.protocols,
        udp: options.udp,
        log: options.log,
        heard: (h) => passive.hear(h),
        offSegment: () => metrics?.dropped('off-segment'),
      });
      // Stopped, or listening again elsewhere, while the sockets opened: they would never be closed.
      if (stopped || call !== listens) {
        opened.close();
        return;
      }
      listener = opened;
      listening = { signature, interfaces: interfaces.map((i) => i.name) };
      log.info({ passive: { interfaces: listening.interfaces, protocols: settings.protocols, sockets: listener.sockets } }, 'listening for announcements between sweeps');
    },

    seed(devices) {
      hosts.seed(devices.filter((d) => isIpv4(d.ip)), { replace: false });
    },

    hold() {
      held = true;
      queue.hold();
    },

    swept(devices) {
      if (devices !== null) hosts.seed(devices, { replace: true, keep: (key) => queue.running(key) || queue.waitingFor(key) });
      held = false;
      // What waited for the sweep and is still news: a host it did not find, or found otherwise.
      queue.release((key) => {
        const g = gathered.get(key);
        const decision = g === undefined ? undefined : hosts.alive(key, g.marks);
        if (decision?.identify === true) return true;
        gathered.delete(key);
        return false;
      });
      const found = new Set((devices ?? []).flatMap((d) => d.addresses));
      for (const d of heldDepartures.splice(0)) if (!found.has(d.ip)) record(d);
    },

    status: () => ({
      listening: listener !== null,
      interfaces: listening?.interfaces ?? [],
      protocols: [...settings.protocols],
      sockets: listener?.sockets ?? 0,
      hosts: hosts.size,
      waiting: queue.waiting,
      running: queue.active,
    }),

    async stop() {
      stopped = true;
      listens += 1;
      listener?.close();
      listener = null;
      listening = null;
      gathered.clear();
      // Identifications still running end within their host's time budget; nothing they find is recorded.
      void queue.stop();
      await chain;
    },

    idle: async () => {
      await queue.idle();
      await chain;
    },
  };
  return passive;
}

/**
 * Who goes first when too many hosts wait: a device never identified (or back after a
 * goodbye) before one whose identity changed (a host that changes it on every announcement is
 * forging them), both before an IPv6-only host (nothing is asked of it).
 */
function priorityOf(decision: ReturnType<HostTable['alive']>): number {
  if (!decision.identify) return 1;
  return decision.reason === 'changed' ? 1 : 2;
}

/** Index keys back to announcement identifiers (for resolving an IPv6 host again). */
function identifiersOf(ids: ReadonlySet<string>): Announcement['identifiers'] {
  const out: Record<string, string> = {};
  for (const id of ids) {
    const at = id.indexOf(':');
    const kind = id.slice(0, at);
    if (kind === 'epr' || kind === 'udn' || kind === 'hostname' || kind === 'serial' || kind === 'mac') out[kind] ??= id.slice(at + 1);
  }
  return out;
}
