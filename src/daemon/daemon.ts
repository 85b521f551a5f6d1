import type { Config } from '../config/load.ts';
import { ERR, CamsweepError, UsageError, errorCode, errorMessage } from '../domain/errors.ts';
import type { Inventory } from '../inventory/types.ts';
import type { HostFacts } from '../config/data-dir.ts';
import { resolveReportConfig, type ReportConfig } from '../report/config.ts';
import { deliverOutbox } from '../report/deliver.ts';
import { openOutbox, type Outbox } from '../report/outbox.ts';
import type { Logger } from '../util/log.ts';
import { VERSION } from '../version.ts';
import { systemClock, type Clock } from './clock.ts';
import { createDeliveryWorker, type Deliver, type DeliveryWorker, type DeliveryWorkerOptions } from './delivery.ts';
import { healthOf, type Health } from './health.ts';
import { startHttpServer, type RunningHttp } from './http.ts';
import { createLifecycle, type Lifecycle, type SignalSource, type StopSignal } from './lifecycle.ts';
import { createDaemonMetrics, type DaemonMetrics } from './metrics.ts';
import { createSchedule } from './schedule.ts';
import { createScheduler, type Scheduler } from './scheduler.ts';
import { daemonAfterSweep } from './after-sweep.ts';
import { createDaemonStores } from './stores.ts';
import { createDaemonSweeps, type SweepRunner } from './sweeps.ts';
import { createDaemonPassive } from './passive.ts';
import { openUdpSocket, type UdpFactory } from '../discovery/udp.ts';

/**
 * `camsweep daemon`: sweeps on a schedule (never two at once: sweeps.ts), and after each the
 * one after-sweep pipeline (after-sweep.ts: the inventory, the change events logged and
 * counted, the report queued with its events) while delivery goes on in the background (a new
 * restricted device at once); between sweeps it listens for announcements and identifies a
 * new or changed device at once through the same pipeline (passive.ts); serves /healthz and
 * /metrics, reloads its configuration on SIGHUP and stops within a bound. Everything that touches the outside (sweeps, clock,
 * signals, exit, HTTP transport, the databases: stores.ts) is injected; the CLI
 * (src/cli/commands/daemon.ts) only builds these pieces.
 */

export type { SweepRunner } from './sweeps.ts';

export interface DaemonDeps {
  /** The configuration in force at start, validated. */
  config: Config;
  /** Reads and validates the configuration again (SIGHUP); throws a UsageError listing every problem. */
  loadConfig: () => Config;
  /** Builds a sweeper (loads the fingerprint database and the policy; throws on a broken one). */
  makeSweeper: (config: Config, log: Logger) => SweepRunner;
  openInventory: (dataDir: string) => Inventory;
  log: Logger;
  env: NodeJS.ProcessEnv;
  readFile: (path: string) => string;
  openOutbox?: (dataDir: string) => Outbox;
  deliver?: Deliver;
  /** Transport, clock... for deliverOutbox (tests). */
  deliveryDeps?: DeliveryWorkerOptions['deps'];
  clock?: Clock;
  random?: () => number;
  /** Where SIGTERM/SIGINT/SIGHUP come from (process); none: only stop() stops it. */
  signals?: SignalSource;
  exit?: (code: number) => void;
  host?: HostFacts;
  version?: string;
  /** Opens the listening sockets between sweeps (default: the host's, openUdpSocket). */
  udp?: UdpFactory;
  /** Whether a reload applies log.level (false when --log-level fixed it). Default true. */
  logLevelFromConfig?: boolean;
}

export interface Daemon {
  /** Starts the listener and the schedule; resolves with the exit code once stopped. */
  run(): Promise<number>;
  /** One sweep now: recorded, reported, delivered for report.deliverFor; for `--once`. */
  runOnce(): Promise<number>;
  /** Stops as SIGTERM would; resolves with the exit code. */
  stop(): Promise<number>;
  /** Reloads the configuration as SIGHUP would; false when the old one was kept. */
  reload(): Promise<boolean>;
  readonly config: Config;
  /** The health/metrics listener's URL, once listening. */
  readonly url: string | null;
  health(): Health;
  metricsText(): string;
}

/** Listen window + enrichment grace + this: the longest a sweep should take (for health). */
const SWEEP_MARGIN_MS = 10_000;
/** Of the shutdown bound, at most this much is kept for the final flush. */
const FLUSH_RESERVE_MS = 2000;

const sweepBudgetMs = (c: Config): number => c.sweep.windowMs + c.enrich.graceMs + SWEEP_MARGIN_MS;

function problemsOf(err: unknown): string[] {
  const message = errorMessage(err);
  const lines = message.split('\n').map((l) => l.replace(/^\s*-\s+/u, '').trim());
  return lines.length > 1 ? lines.slice(1).filter((l) => l !== '') : [message];
}

export function createDaemon(deps: DaemonDeps): Daemon {
  const clock = deps.clock ?? systemClock;
  const exit = deps.exit ?? ((code: number) => process.exit(code));
  const root = deps.log;
  const log = root.child({ module: 'daemon' });
  const startedMs = clock.now();
  const version = deps.version ?? VERSION;

  let config = deps.config;
  let reportCfg: ReportConfig = resolveReport(config);
  let sweeper = deps.makeSweeper(config, root);
  let http: RunningHttp | null = null;

  function resolveReport(c: Config): ReportConfig {
    return resolveReportConfig(c.reportSettings, deps.env, deps.readFile, deps.host === undefined ? {} : { host: deps.host });
  }

  // The data directory in force at start (a reload changes it at the next start only).
  const stores = createDaemonStores({
    dataDir: reportCfg.dataDir,
    reporting: () => reportCfg.endpoint !== null,
    openInventory: deps.openInventory,
    openOutbox: deps.openOutbox ?? openOutbox,
  });
  const { dataDir } = stores;

  const metrics: DaemonMetrics = createDaemonMetrics({
    version,
    startedMs,
    outbox: () => outboxCounts(),
    nextSweepMs: () => scheduler.nextAt,
    running: () => sweeps.status.runningSinceMs !== null,
    passive: () => passive.status(),
  });
  const outboxCounts = (): { pending: number; dead: number } | null => {
    const box = stores.outboxIfOpen();
    return box === null ? null : { pending: box.pendingCount(), dead: box.deadCount() };
  };

  let delivery: DeliveryWorker | null = null;
  const getDelivery = (): DeliveryWorker | null => {
    const box = stores.outbox();
    if (box === null) return null;
    delivery ??= createDeliveryWorker({
      config: () => reportCfg,
      outbox: box,
      log: root,
      deliver: deps.deliver ?? deliverOutbox,
      clock,
      deps: { now: () => clock.now(), ...deps.deliveryDeps },
      onStats: (stats) => metrics.deliveryDone(stats),
      onError: () => metrics.errors.inc({ stage: 'delivery' }),
    });
    return delivery;
  };

  const afterSweep = daemonAfterSweep({ stores, metrics, report: () => reportCfg, log: root, clock });
  const passive = createDaemonPassive({
    settings: () => config.daemon.passive,
    sweeper: () => sweeper,
    udp: deps.udp ?? openUdpSocket,
    clock,
    log: root,
    afterSweep,
    kick: (urgent) => getDelivery()?.kick(urgent),
    metrics,
    inventory: () => (stores.closed ? null : stores.inventory()),
  });

  const sweeps = createDaemonSweeps({
    sweeper: () => sweeper,
    closed: () => stores.closed,
    afterSweep,
    kick: (urgent) => getDelivery()?.kick(urgent),
    starting: () => passive.hold(),
    ended: (result) => passive.swept(result),
    metrics,
    clock,
    log,
  });

  const scheduler: Scheduler = createScheduler({
    schedule: createSchedule(config.daemon.schedule, startedMs),
    jitterMs: config.daemon.schedule.jitterMs,
    clock,
    log: root,
    ...(deps.random === undefined ? {} : { random: deps.random }),
    run: async (trigger) => {
      await sweeps.run(trigger);
    },
    onSkipped: () => metrics.skipped.inc(),
  });

  const health = (): Health =>
    healthOf({
      nowMs: clock.now(),
      version,
      startedMs,
      stopping: lifecycle.stopping,
      ...sweeps.status,
      nextAtMs: scheduler.nextAt,
      periodMs: createSchedule(config.daemon.schedule, startedMs).periodMs(clock.now()),
      sweepBudgetMs: sweepBudgetMs(config),
      skipped: scheduler.skipped,
      outbox: outboxCounts(),
      passive: passive.status(),
    });

  const startHttp = async (): Promise<void> => {
    const listen = config.daemon.listen;
    if (listen === null) return;
    try {
      http = await startHttpServer(listen, { health, metrics: () => metrics.render() }, root);
    } catch (err) {
      throw new CamsweepError(ERR.DAEMON_LISTEN, `cannot listen on ${listen.host}:${listen.port} for /healthz and /metrics: ${errorMessage(err)} (set daemon.http.listen)`, { cause: err });
    }
    log.info({ http: { url: http.url } }, `health and metrics on ${http.url}/healthz and ${http.url}/metrics`);
  };

  const close = async (): Promise<void> => {
    stores.close();
    await http?.close();
    http = null;
  };

  const stopNow = async (signal: StopSignal): Promise<number> => {
    const bound = config.daemon.shutdownTimeoutMs;
    const deadline = clock.now() + bound;
    scheduler.stop();
    await passive.stop();
    const reserve = Math.min(FLUSH_RESERVE_MS, bound / 4);
    const running = scheduler.current;
    if (running !== null) {
      log.info({ signal }, 'waiting for the running sweep to finish');
      let cancel: (() => void) | undefined;
      const timedOut = await Promise.race([
        running.then(() => false),
        new Promise<boolean>((resolve) => {
          cancel = clock.setTimer(() => resolve(true), Math.max(deadline - reserve - clock.now(), 0));
        }),
      ]);
      cancel?.();
      if (timedOut) log.warn('the running sweep did not finish within daemon.shutdownTimeout: abandoned, not recorded');
    }
    const outbox = stores.outboxIfOpen();
    const worker = outbox === null ? null : getDelivery();
    if (worker !== null) {
      const flushMs = Math.max(deadline - clock.now() - 250, 0);
      const stats = await worker.flush(flushMs);
      const left = outbox?.pendingCount() ?? 0;
      if (left > 0) log.warn({ outbox: { pending: left, file: outbox?.file ?? null } }, `${left} report(s) stay in the outbox for the next start`);
      else log.info({ outbox: { delivered: stats?.delivered ?? 0 } }, 'outbox flushed');
    }
    await close();
    log.info({ signal }, 'stopped');
    return 0;
  };

  const reload = async (): Promise<boolean> => {
    let next: Config;
    let nextSweeper: SweepRunner;
    let nextReport: ReportConfig;
    try {
      next = deps.loadConfig();
      nextSweeper = deps.makeSweeper(next, root);
      nextReport = resolveReport(next);
    } catch (err) {
      metrics.reloads.inc({ outcome: 'failed' });
      metrics.errors.inc({ stage: 'reload' });
      const problems = problemsOf(err);
      log.error(
        { reload: { problems, code: err instanceof UsageError ? ERR.CONFIG_INVALID : errorCode(err) } },
        `configuration not reloaded (${problems.length} problem${problems.length === 1 ? '' : 's'}); the configuration in force stays:\n  - ${problems.join('\n  - ')}`,
      );
      return false;
    }
    const before = config;
    config = next;
    sweeper = nextSweeper;
    await passive.reload(before.daemon.passive);
    if (nextReport.dataDir !== dataDir) log.warn({ dataDir: { inForce: dataDir, configured: nextReport.dataDir } }, 'a new dataDir takes effect at the next start');
    reportCfg = nextReport;
    if (deps.logLevelFromConfig !== false) root.level = next.log.level;
    if (JSON.stringify(before.daemon.schedule) !== JSON.stringify(next.daemon.schedule)) {
      scheduler.setSchedule(createSchedule(next.daemon.schedule, clock.now()), next.daemon.schedule.jitterMs);
      log.info({ schedule: createSchedule(next.daemon.schedule, clock.now()).describe() }, 'new schedule');
    }
    if (JSON.stringify(before.daemon.listen) !== JSON.stringify(next.daemon.listen)) {
      await http?.close();
      http = null;
      try {
        await startHttp();
      } catch (err) {
        metrics.errors.inc({ stage: 'http' });
        log.error({ error: { message: errorMessage(err) } }, 'the new health/metrics listener could not start');
      }
    }
    metrics.reloads.inc({ outcome: 'ok' });
    log.info({ reload: { fromEnv: next.fromEnv } }, 'configuration reloaded');
    if (reportCfg.endpoint !== null) getDelivery()?.kick();
    return true;
  };

  const lifecycle: Lifecycle = createLifecycle({
    signals: deps.signals ?? { on: () => undefined, off: () => undefined },
    clock,
    log: root,
    exit,
    shutdownTimeoutMs: () => config.daemon.shutdownTimeoutMs,
    onStop: stopNow,
    onReload: reload,
  });

  return {
    async run() {
      lifecycle.install();
      try {
        // Fail before the first sweep when the data directory or the listener is unusable.
        stores.inventory();
        stores.outbox();
        await startHttp();
      } catch (err) {
        lifecycle.dispose();
        await close();
        throw err;
      }
      log.info(
        { daemon: { version, schedule: createSchedule(config.daemon.schedule, startedMs).describe(), dataDir, endpoint: reportCfg.endpoint, fromEnv: config.fromEnv } },
        'daemon started',
      );
      await passive.start();
      scheduler.start(config.daemon.schedule.runAtStart);
      // Reports left from before the last stop go first.
      if ((stores.outbox()?.pendingCount() ?? 0) > 0) getDelivery()?.kick();
      const code = await lifecycle.done;
      return code;
    },
    async runOnce() {
      const result = await sweeps.run({ reason: 'manual', slotMs: null, startedMs: clock.now() });
      const worker = stores.outboxIfOpen() === null ? null : getDelivery();
      if (worker !== null) await worker.flush(reportCfg.deliverForMs);
      await close();
      return result === null ? 1 : 0;
    },
    stop() {
      lifecycle.requestStop('stop');
      return lifecycle.done;
    },
    reload,
    get config() {
      return config;
    },
    get url() {
      return http?.url ?? null;
    },
    health,
    metricsText: () => metrics.render(),
  };
}
