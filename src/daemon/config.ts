import { z } from 'zod';
import { Cron } from 'croner';
import { parseListenAddress, type ListenAddress } from '../util/ip.ts';
import type { AnnouncementProtocol } from '../discovery/announcement.ts';
import type { PassiveSettings } from '../passive/passive.ts';

/**
 * The `daemon:` section of the configuration file: when sweeps run, where the health and
 * metrics listener is, how long a stop may take, and listening between sweeps (`passive`,
 * docs/passive.md). Seconds in the file, milliseconds once resolved (resolveDaemonConfig),
 * like every other section.
 */

export const DEFAULT_LISTEN = '127.0.0.1:9464';
export const DEFAULT_INTERVAL_S = 3600;
export const DEFAULT_SHUTDOWN_TIMEOUT_S = 8;

const seconds = (min: number, max: number) => z.number().min(min).max(max);

/** `host:port` with an IP literal (or localhost) and a port; `[v6]:port` for IPv6. No DNS. */
export function parseListen(text: string): ListenAddress | undefined {
  return parseListenAddress(text);
}

/** Why a cron expression cannot be used (croner's message), or undefined when it can. */
export function cronProblem(pattern: string, timezone: string | undefined): string | undefined {
  try {
    const job = new Cron(pattern, { paused: true, ...(timezone === undefined ? {} : { timezone }) });
    if (job.nextRun() === null) return 'never fires';
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export function timezoneProblem(timezone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return undefined;
  } catch {
    return `unknown time zone ${JSON.stringify(timezone)} (an IANA name such as Europe/Paris or UTC)`;
  }
}

const scheduleSchema = z
  .object({
    cron: z.string().min(1).max(200).optional().meta({
      description: 'Cron expression (5 fields, or 6 with seconds first; @hourly, @daily...). Give cron or interval, not both.',
    }),
    timezone: z.string().min(1).max(100).optional().meta({ description: 'IANA time zone the cron expression is read in (default: the host\'s).' }),
    interval: seconds(1, 31 * 86400).optional().meta({ description: `Seconds between sweep starts (default ${DEFAULT_INTERVAL_S} when no cron is given).` }),
    jitter: seconds(0, 86400).default(0).meta({ description: 'Each scheduled sweep starts up to this many seconds late, at random, so agents do not sweep in step.' }),
    runAtStart: z.boolean().default(true).meta({ description: 'Sweep once as soon as the daemon starts.' }),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.cron !== undefined && s.interval !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['interval'], message: 'give cron or interval, not both' });
    }
    if (s.timezone !== undefined) {
      const tz = timezoneProblem(s.timezone);
      if (tz !== undefined) ctx.addIssue({ code: 'custom', path: ['timezone'], message: tz });
      else if (s.cron === undefined) ctx.addIssue({ code: 'custom', path: ['timezone'], message: 'a time zone applies to a cron schedule only' });
    }
    if (s.cron !== undefined) {
      const problem = cronProblem(s.cron, s.timezone !== undefined && timezoneProblem(s.timezone) === undefined ? s.timezone : undefined);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['cron'], message: `not a usable cron expression: ${problem}` });
    }
    const interval = s.cron === undefined ? (s.interval ?? DEFAULT_INTERVAL_S) : undefined;
    // An interval out of range is reported by its own check: comparing the jitter with it
    // would blame a jitter nobody set.
    if (interval !== undefined && interval >= 1 && s.jitter >= interval) {
      ctx.addIssue({ code: 'custom', path: ['jitter'], message: `must be shorter than the interval (${interval} s)` });
    }
  });

export const PASSIVE_PROTOCOLS = ['wsd', 'ssdp', 'mdns', 'sadp', 'dhip'] as const satisfies readonly AnnouncementProtocol[];

/** Defaults of `daemon.passive` (docs/passive.md and docs/limits.md say why). */
export const PASSIVE_DEFAULTS = {
  settle: 0.5,
  ipv6Hold: 2,
  cooldown: 60,
  concurrency: 4,
  maxPending: 1024,
  maxHosts: 4096,
  descriptionCache: 256,
  rate: { perSource: 5, perSourceBurst: 40, total: 400, totalBurst: 800, maxSources: 4096 },
} as const;

const count = (min: number, max: number) => z.number().int().min(min).max(max);

const passiveSchema = z
  .object({
    enabled: z.boolean().default(true).meta({ description: 'Listen for announcements between sweeps (WS-Discovery Hello/Bye, SSDP NOTIFY, mDNS, SADP/DHIP notices) and identify new or changed devices at once. Listening sends nothing.' }),
    protocols: z.array(z.enum(PASSIVE_PROTOCOLS)).min(1).default([...PASSIVE_PROTOCOLS]).meta({ description: 'Announcements listened for.' }),
    settle: seconds(0, 10).default(PASSIVE_DEFAULTS.settle).meta({ description: 'Seconds to gather a new host\'s announcements (several protocols at boot) before identifying it.' }),
    ipv6Hold: seconds(0, 60).default(PASSIVE_DEFAULTS.ipv6Hold).meta({ description: 'Seconds an IPv6-only announcement waits for the same device\'s IPv4 one before it is identified alone.' }),
    cooldown: seconds(1, 86400).default(PASSIVE_DEFAULTS.cooldown).meta({ description: 'Seconds between two identifications of one host.' }),
    concurrency: count(1, 64).default(PASSIVE_DEFAULTS.concurrency).meta({ description: 'Hosts identified at once.' }),
    maxPending: count(1, 65536).default(PASSIVE_DEFAULTS.maxPending).meta({ description: 'Hosts waiting for identification; announcements of further new hosts are dropped (and counted) until some are done.' }),
    maxHosts: count(16, 65536).default(PASSIVE_DEFAULTS.maxHosts).meta({ description: 'Hosts remembered between sweeps (what each was when identified), the least recently heard forgotten first.' }),
    descriptionCache: count(0, 65536).default(PASSIVE_DEFAULTS.descriptionCache).meta({ description: 'UPnP descriptions kept by LOCATION while BOOTID, CONFIGID and max-age say they hold.' }),
    rate: z
      .object({
        perSource: z.number().min(0.1).max(10000).default(PASSIVE_DEFAULTS.rate.perSource).meta({ description: 'Datagrams per second one source may send on average; more are dropped before they are read.' }),
        perSourceBurst: count(1, 100000).default(PASSIVE_DEFAULTS.rate.perSourceBurst).meta({ description: 'Datagrams one source may send at once.' }),
        total: z.number().min(1).max(1000000).default(PASSIVE_DEFAULTS.rate.total).meta({ description: 'Datagrams per second from all sources together.' }),
        totalBurst: count(1, 1000000).default(PASSIVE_DEFAULTS.rate.totalBurst).meta({ description: 'Datagrams from all sources together at once.' }),
      })
      .strict()
      .prefault({}),
  })
  .strict();

const listenSchema = z.union([
  z.string().refine((v) => parseListen(v) !== undefined, { message: 'HOST:PORT with an IP address (or localhost), e.g. 127.0.0.1:9464 or [::1]:9464' }),
  z.literal(false),
]);

export const daemonConfigSchema = z
  .object({
    schedule: scheduleSchema.prefault({}),
    http: z
      .object({
        listen: listenSchema.default(DEFAULT_LISTEN).meta({ description: 'Address of the /healthz and /metrics listener, or false for none.' }),
      })
      .strict()
      .prefault({}),
    shutdownTimeout: seconds(1, 600)
      .default(DEFAULT_SHUTDOWN_TIMEOUT_S)
      .meta({ description: 'Seconds a stop (SIGTERM/SIGINT) may take: finish the running sweep, flush the outbox; then the process exits anyway.' }),
    passive: passiveSchema.prefault({}),
  })
  .strict();

export type DaemonConfigInput = z.input<typeof daemonConfigSchema>;
export type DaemonConfigFile = z.output<typeof daemonConfigSchema>;

export type ScheduleSpec =
  | { kind: 'cron'; cron: string; timezone: string | null; jitterMs: number; runAtStart: boolean }
  | { kind: 'interval'; intervalMs: number; jitterMs: number; runAtStart: boolean };

/** The daemon settings in force. */
export interface DaemonSettings {
  schedule: ScheduleSpec;
  /** Health and metrics listener; null: none. */
  listen: { host: string; port: number } | null;
  shutdownTimeoutMs: number;
  /** Listening between sweeps; null: off. */
  passive: PassiveSettings | null;
}

export function resolveDaemonConfig(file: DaemonConfigFile): DaemonSettings {
  const s = file.schedule;
  const jitterMs = Math.round(s.jitter * 1000);
  const schedule: ScheduleSpec =
    s.cron !== undefined
      ? { kind: 'cron', cron: s.cron, timezone: s.timezone ?? null, jitterMs, runAtStart: s.runAtStart }
      : { kind: 'interval', intervalMs: Math.round((s.interval ?? DEFAULT_INTERVAL_S) * 1000), jitterMs, runAtStart: s.runAtStart };
  return {
    schedule,
    listen: file.http.listen === false ? null : (parseListen(file.http.listen) ?? null),
    shutdownTimeoutMs: Math.round(file.shutdownTimeout * 1000),
    passive: resolvePassive(file.passive),
  };
}

function resolvePassive(p: DaemonConfigFile['passive']): PassiveSettings | null {
  if (!p.enabled) return null;
  return {
    protocols: [...new Set(p.protocols)],
    gate: { perSourcePerSecond: p.rate.perSource, perSourceBurst: p.rate.perSourceBurst, totalPerSecond: p.rate.total, totalBurst: p.rate.totalBurst, maxSources: PASSIVE_DEFAULTS.rate.maxSources },
    settleMs: Math.round(p.settle * 1000),
    ipv6HoldMs: Math.round(p.ipv6Hold * 1000),
    cooldownMs: Math.round(p.cooldown * 1000),
    concurrency: p.concurrency,
    maxPending: p.maxPending,
    maxHosts: p.maxHosts,
    descriptionCacheEntries: p.descriptionCache,
  };
}
