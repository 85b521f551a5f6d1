import { ERR, errorCode, errorMessage } from '../domain/errors.ts';
import type { Observation, Protocol, SweepError } from '../domain/types.ts';
import { createLimiter, type Limiter } from '../util/limit.ts';
import type { Logger } from '../util/log.ts';
import type { EnrichContext, EnrichResult, EnrichTask, Enricher } from './types.ts';

/**
 * The enrichment scheduler: what the registered enrichers plan for each host that replied,
 * run with bounds a slow or hostile host cannot stretch. Used by a sweep (every host it
 * hears) and by a one-host identification alike.
 *
 * - each planned task runs once per host and key, and each enricher asks at most its
 *   `maxPerHost` distinct tasks of one host;
 * - a host gets `maxConcurrentPerHost` of its tasks at once, and all of them share
 *   `concurrency` slots (a task waits for its host's slot first, so a busy host holds no
 *   shared slot);
 * - a host's time budget (`maxHostMs`) starts with its first request: past it, its request in
 *   flight is aborted and the rest are not sent (one ENRICH_HOST_TIME error);
 * - `finish(graceMs)` waits for everything queued, aborting what still runs `graceMs` later;
 *   tasks that had not started by then are counted (ENRICH_NOT_STARTED), never dropped silently;
 * - only IPv4 hosts inside the scope are contacted (`mayContact`); a reply from outside it is a
 *   SWEEP_OUT_OF_SCOPE error, an IPv6 reply feeds discovery only (docs/decisions/ipv6.md);
 * - with `needsFollowUp`, the follow-up enrichers (`followUp: true`) of a host are planned once
 *   none of its other tasks is queued or running, and only when `needsFollowUp(ip)` says the
 *   evidence so far leaves them worth asking; asked again each time its other tasks are all
 *   done (new evidence), so a host skipped early is asked later when that changes. Hosts left
 *   skipped are listed by `skipped()` (the sweep checks them against the final verdicts).
 *
 * A task's observations are labelled with the host's address (and the interface of the
 * observation that planned it) and handed to `found`; its errors to `error`.
 */
export interface EnrichSchedulerOptions {
  enrichers: readonly Enricher[];
  /** Tasks at once across hosts. */
  concurrency: number;
  maxConcurrentPerHost: number;
  maxHostMs: number;
  /** Whether `ip` may be contacted beyond discovery (src/discovery/unicast/scope.ts). */
  mayContact(ip: string): boolean;
  /** The context of one request: `signal` is the host's budget, `stopped` aborts when enrichment ends. */
  context(ip: string, protocol: Protocol, signal: AbortSignal, stopped: AbortSignal): EnrichContext;
  found(obs: Observation): void;
  error(err: SweepError): void;
  log: Logger;
  /**
   * Whether the host still needs its follow-up enrichers (false: the evidence so far settles
   * what they could add). Absent: follow-ups are planned with every other enricher.
   */
  needsFollowUp?(ip: string): boolean;
}

export interface EnrichOutcome {
  /** Tasks queued in all. */
  tasks: number;
  /** Tasks never started because the grace ran out, and the hosts they were for. */
  unsent: { tasks: number; hosts: number };
}

export interface EnrichScheduler {
  /** Plans and queues what the enrichers ask of the host that sent this discovery observation. */
  offer(obs: Observation): void;
  /** Waits for every task queued; `graceMs` from now, running ones are aborted and queued ones never start. */
  finish(graceMs: number): Promise<EnrichOutcome>;
  /** Hosts whose follow-ups were skipped (needsFollowUp said no), each with the observation to plan them from. */
  skipped(): Observation[];
}

/** What the scheduler keeps per host. */
interface HostState {
  ip: string;
  /** At most maxConcurrentPerHost of its tasks at once. */
  limiter: Limiter;
  /** Its time budget (maxHostMs), from its first task. */
  budget: AbortSignal | undefined;
  /** ENRICH_HOST_TIME recorded. */
  overBudget: boolean;
  /** Tasks still queued when the grace ran out. */
  unsent: number;
  /** Keys planned per enricher. */
  keys: Map<string, Set<string>>;
  /** Tasks of the other enrichers queued or running (follow-ups wait for none). */
  others: number;
  /** The first discovery observation of the host: what its follow-ups are planned from. */
  planFrom: Observation | undefined;
  /** Its follow-ups: not decided yet, queued, or skipped (by needsFollowUp). */
  followUps: 'undecided' | 'queued' | 'skipped';
}

export function createEnrichScheduler(options: EnrichSchedulerOptions): EnrichScheduler {
  const stop = new AbortController();
  const shared = createLimiter(options.concurrency);
  const hosts = new Map<string, HostState>();
  const tasks: Array<Promise<void>> = [];
  let ipv6Skipped = false;

  const hostOf = (ip: string): HostState => {
    let host = hosts.get(ip);
    if (!host) {
      host = {
        ip,
        limiter: createLimiter(options.maxConcurrentPerHost),
        budget: undefined,
        overBudget: false,
        unsent: 0,
        keys: new Map(),
        others: 0,
        planFrom: undefined,
        followUps: 'undecided',
      };
      hosts.set(ip, host);
    }
    return host;
  };

  const phased = options.needsFollowUp !== undefined;

  const queue = (host: HostState, enricher: Enricher, task: EnrichTask, iface: string | undefined): void => {
    const other = phased && enricher.followUp !== true;
    if (other) host.others += 1;
    // The host's own slot first, then a shared slot: waiting for a busy host holds no shared slot.
    const run = host.limiter.run(() => shared.run(() => runTask(options, stop.signal, host, enricher, task, iface)));
    tasks.push(
      other
        ? run.finally(() => {
            host.others -= 1;
            settle(host);
          })
        : run,
    );
  };

  /** Once nothing else is queued for the host: its follow-ups, if the evidence so far leaves them needed. */
  const settle = (host: HostState): void => {
    if (host.others > 0 || host.followUps === 'queued' || host.planFrom === undefined) return;
    // Past the grace, they are queued to be counted as never sent (ENRICH_NOT_STARTED), as any other task.
    if (!stop.signal.aborted && options.needsFollowUp?.(host.ip) === false) {
      host.followUps = 'skipped';
      return;
    }
    host.followUps = 'queued';
    const from = host.planFrom;
    for (const enricher of options.enrichers) {
      if (enricher.followUp !== true) continue;
      for (const task of newTasks(host, enricher, from)) queue(host, enricher, task, from.interface);
    }
  };

  return {
    offer(obs) {
      if (options.enrichers.length === 0) return;
      const { ip } = obs;
      if (ip.includes(':')) {
        if (!ipv6Skipped) options.log.debug({ device: { ip } }, 'ipv6 replies are not enriched');
        ipv6Skipped = true;
        return;
      }
      if (!options.mayContact(ip)) {
        options.error({ code: ERR.SWEEP_OUT_OF_SCOPE, message: 'replied from outside every swept segment and target range: not contacted beyond discovery', ip });
        return;
      }
      const host = hostOf(ip);
      host.planFrom ??= obs;
      for (const enricher of options.enrichers) {
        if (phased && enricher.followUp === true) continue;
        for (const task of newTasks(host, enricher, obs)) queue(host, enricher, task, obs.interface);
      }
      // A host nothing else is asked of is decided now; otherwise when its tasks are done.
      if (phased && host.followUps === 'undecided') settle(host);
    },

    skipped() {
      const out: Observation[] = [];
      for (const host of hosts.values()) if (host.followUps === 'skipped' && host.planFrom !== undefined) out.push(host.planFrom);
      return out;
    },

    async finish(graceMs) {
      const graceTimer = setTimeout(() => stop.abort(), graceMs);
      // No task queues another, but loop in case one was offered late.
      let seen = -1;
      while (seen !== tasks.length) {
        seen = tasks.length;
        await Promise.all(tasks);
      }
      clearTimeout(graceTimer);
      stop.abort();
      const unsent = [...hosts.values()].filter((h) => h.unsent > 0);
      return { tasks: tasks.length, unsent: { tasks: unsent.reduce((n, h) => n + h.unsent, 0), hosts: unsent.length } };
    },
  };
}

/** The enricher's tasks for this observation not planned for the host before, within its maxPerHost. */
function newTasks(host: HostState, enricher: Enricher, obs: Observation): EnrichTask[] {
  let planned = host.keys.get(enricher.name);
  if (!planned) {
    planned = new Set();
    host.keys.set(enricher.name, planned);
  }
  const out: EnrichTask[] = [];
  for (const task of enricher.plan(obs)) {
    if (planned.has(task.key) || planned.size >= enricher.maxPerHost) continue;
    planned.add(task.key);
    out.push(task);
  }
  return out;
}

/** One task, once its slots are free: within the host's budget, its results handed on. */
async function runTask(options: EnrichSchedulerOptions, stopped: AbortSignal, host: HostState, enricher: Enricher, task: EnrichTask, iface: string | undefined): Promise<void> {
  const { ip } = host;
  if (stopped.aborted) {
    host.unsent += 1;
    return;
  }
  // The host's budget starts with its first request and ends with the enrichment's.
  host.budget ??= AbortSignal.any([stopped, AbortSignal.timeout(options.maxHostMs)]);
  const signal = host.budget;
  const budgetSpent = (): boolean => signal.aborted && !stopped.aborted;
  const overBudget = (): void => {
    if (host.overBudget) return;
    host.overBudget = true;
    options.error({ code: ERR.ENRICH_HOST_TIME, message: `enrichment of this host passed ${options.maxHostMs} ms: the request in flight was aborted and the rest not sent`, ip });
  };
  if (budgetSpent()) {
    overBudget();
    return;
  }
  let result: EnrichResult;
  try {
    result = await task.run(options.context(ip, enricher.protocol, signal, stopped));
  } catch (err) {
    // Enrichers promise never to throw; if one does, it is a bug we record, not a crash.
    options.error({ code: errorCode(err, ERR.ENRICH_FAILED), message: errorMessage(err), ip });
    return;
  }
  for (const obs of result.observations) options.found({ ...obs, ip, ...(iface && !obs.interface ? { interface: iface } : {}) });
  for (const e of result.errors) options.error(e);
  if (budgetSpent()) overBudget();
}
