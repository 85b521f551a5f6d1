import type { AfterSweep } from '../agent/after-sweep.ts';
import { errorCode, errorMessage } from '../domain/errors.ts';
import type { SweepResult } from '../domain/types.ts';
import type { UdpFactory } from '../discovery/udp.ts';
import type { Inventory } from '../inventory/types.ts';
import { createPassive, type Passive, type PassiveSettings, type PassiveStatus } from '../passive/passive.ts';
import type { Logger } from '../util/log.ts';
import type { Clock } from './clock.ts';
import type { DaemonMetrics } from './metrics.ts';
import type { SweepRunner } from './sweeps.ts';

/**
 * Listening between sweeps, in the daemon (src/passive does the listening): started with the
 * daemon on the interfaces a sweep would probe, with the hosts the inventory holds as known;
 * each identification is the sweeper's (the configuration in force: scope, enrichers,
 * credentials, audit, judge) and what follows it the daemon's one pipeline (after-sweep.ts)
 * as a sighting, or as a departure for a goodbye, with the delivery kick a sweep gets (at once
 * for a new restricted device). While a sweep runs, what it heard waits; after it, the sweep's
 * devices are the known hosts and the interfaces are looked at again. A reload that changes
 * `daemon.passive` restarts it; `enabled: false` stops it.
 */
export interface DaemonPassiveOptions {
  /** The settings in force (null: off). */
  settings(): PassiveSettings | null;
  /** The sweeper in force (a reload replaces it). */
  sweeper(): SweepRunner;
  udp: UdpFactory;
  clock: Clock;
  log: Logger;
  afterSweep: AfterSweep;
  kick(urgent: boolean): void;
  metrics: DaemonMetrics;
  /** The inventory, for the hosts known at start; null when it cannot be read. */
  inventory(): Inventory | null;
}

export interface DaemonPassive {
  /** Starts listening (when on and the sweeper can identify); failures are logged, never thrown. */
  start(): Promise<void>;
  /** A sweep starts. */
  hold(): void;
  /** A sweep ended (null: it failed). */
  swept(result: SweepResult | null): Promise<void>;
  /** The configuration was reloaded: restart when `daemon.passive` changed. */
  reload(before: PassiveSettings | null): Promise<void>;
  stop(): Promise<void>;
  status(): PassiveStatus | null;
}

export function createDaemonPassive(options: DaemonPassiveOptions): DaemonPassive {
  const log = options.log.child({ module: 'passive' });
  let passive: Passive | null = null;
  let stopped = false;
  /** A sweep runs: a passive side (re)started meanwhile by a reload starts held too. */
  let sweeping = false;

  const interfaces = (): ReturnType<NonNullable<SweepRunner['interfaces']>> => {
    try {
      return options.sweeper().interfaces?.() ?? [];
    } catch (err) {
      log.warn({ error: { code: errorCode(err), message: errorMessage(err) } }, 'no interface to listen on (tried again after the next sweep)');
      return [];
    }
  };

  const listen = async (): Promise<void> => {
    if (passive === null) return;
    try {
      await passive.listen(interfaces());
    } catch (err) {
      log.error({ error: { code: errorCode(err), message: errorMessage(err) } }, 'cannot listen for announcements');
    }
  };

  const start = async (): Promise<void> => {
    const settings = options.settings();
    if (settings === null || stopped) return;
    if (options.sweeper().identify === undefined) {
      log.warn('this sweeper cannot identify one host: not listening between sweeps');
      return;
    }
    passive = createPassive({
      settings,
      udp: options.udp,
      clock: options.clock,
      log: options.log,
      metrics: options.metrics.passive,
      identify: () => (request) => {
        const current = options.sweeper();
        if (current.identify === undefined) throw new Error('the sweeper in force cannot identify one host');
        return current.identify(request);
      },
      sighted: async (result) => {
        const after = await options.afterSweep({ result, scope: 'sighting' });
        options.kick(after.queued !== null && after.urgent);
      },
      departed: async (departure) => {
        const after = await options.afterSweep({ departure, scope: 'departure' });
        if (after.queued !== null) options.kick(false);
      },
    });
    if (sweeping) passive.hold();
    try {
      const known = options.inventory()?.devices().filter((d) => d.present !== false && d.leaving === undefined).map((d) => d.latest) ?? [];
      passive.seed(known);
    } catch (err) {
      log.warn({ error: { code: errorCode(err), message: errorMessage(err) } }, 'cannot read the inventory: every host heard is new until the first sweep');
    }
    await listen();
  };

  return {
    start,
    hold() {
      sweeping = true;
      passive?.hold();
    },
    async swept(result) {
      sweeping = false;
      if (passive === null || stopped) return;
      passive.swept(result?.devices ?? null);
      await listen();
    },
    async reload(before) {
      if (stopped || JSON.stringify(before) === JSON.stringify(options.settings())) return;
      await passive?.stop();
      passive = null;
      await start();
      if (passive === null) log.info('not listening between sweeps (daemon.passive.enabled: false)');
    },
    async stop() {
      stopped = true;
      await passive?.stop();
      passive = null;
    },
    status: () => passive?.status() ?? null,
  };
}
