import { z } from 'zod';
import { policyConfigSchema } from '../policy/config.ts';
import { reportConfigSchema } from '../report/config.ts';
import { dataDirSchema } from './data-dir.ts';
import { DEFAULT_UNICAST_RATE, MAX_PACKETS_PER_SECOND, MIN_PACKETS_PER_SECOND } from '../discovery/unicast/probes.ts';
import { DEFAULT_MAX_TARGET_ADDRESSES, MAX_TARGET_ADDRESSES } from '../discovery/unicast/targets.ts';
import { daemonConfigSchema } from '../daemon/config.ts';

/**
 * The configuration file's schema, with defaults. Durations are in seconds in the file (as
 * operators write them) and converted to milliseconds once, in load.ts.
 */
const seconds = (min: number, max: number) => z.number().min(min).max(max);

const credentialEntry = z
  .object({
    /** An IPv4 address or CIDR range these credentials are for. */
    match: z.string().min(1),
    username: z.string().min(1),
    password: z.string().min(1).optional(),
    passwordFile: z.string().min(1).optional(),
    passwordEnv: z.string().min(1).optional(),
  })
  .strict()
  .refine((c) => [c.password, c.passwordFile, c.passwordEnv].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of password, passwordFile, passwordEnv',
  });

export const PROTOCOL_NAMES = ['wsd', 'ssdp', 'mdns', 'sadp', 'dhip'] as const;

export const configSchema = z
  .object({
    sweep: z
      .object({
        interfaces: z.array(z.string().min(1)).default([]),
        /** The longest the listen window lasts (the whole of it when adaptive is false). */
        timeout: seconds(0.5, 300).default(3),
        /**
         * Close the window as soon as every probe's replies are due (MX, APP_MAX_DELAY...) and
         * none has come for `idle` seconds, rather than at `timeout` (docs/decisions/window.md).
         */
        adaptive: z.boolean().default(true),
        idle: seconds(0.05, 10).default(0.3),
        mx: z.number().int().min(1).max(5).default(1),
        protocols: z.array(z.enum(PROTOCOL_NAMES)).min(1).default([...PROTOCOL_NAMES]),
        /** Routed networks: IPv4 addresses or CIDR ranges probed address by address (unicast). */
        targets: z.array(z.string().min(1)).default([]),
        /** Ranges never sent anything, and whose replies are dropped. */
        exclude: z.array(z.string().min(1)).default([]),
        /** Most target addresses one sweep may probe (a /16 fits the default). */
        maxTargetAddresses: z.number().int().min(1).max(MAX_TARGET_ADDRESSES).default(DEFAULT_MAX_TARGET_ADDRESSES),
        rate: z
          .object({
            /** Unicast datagrams (and requests to routed hosts) per second. */
            packetsPerSecond: z.number().min(MIN_PACKETS_PER_SECOND).max(MAX_PACKETS_PER_SECOND).default(DEFAULT_UNICAST_RATE.packetsPerSecond),
            /** Target addresses probed at once. */
            concurrency: z.number().int().min(1).max(256).default(DEFAULT_UNICAST_RATE.concurrency),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    enrich: z
      .object({
        enabled: z.boolean().default(true),
        requestTimeout: seconds(0.1, 60).default(2.5),
        /** Enrichment still running after the window gets this long (it ends earlier when done). */
        grace: seconds(0, 60).default(5),
        maxBodyBytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(256 * 1024),
        /** Enrichments at once across hosts (2 at most per host). */
        concurrency: z.number().int().min(1).max(256).default(64),
        /**
         * The follow-up queries (RTSP OPTIONS, the TLS certificate, the favicon): `needed`, asked
         * of every host except those the other evidence already makes restricted; `always`, of
         * every host (docs/performance.md).
         */
        followUps: z.enum(['needed', 'always']).default('needed'),
      })
      .strict()
      .prefault({}),
    credentials: z.array(credentialEntry).default([]),
    policy: policyConfigSchema,
    /** Reporting to the central endpoint (docs/reporting.md). */
    report: reportConfigSchema.prefault({}),
    /** Where the outbox (and later the inventory) database lives. */
    dataDir: dataDirSchema,
    audit: z
      .object({
        /** Append a JSON line for everything the agent sends (destination, protocol, message, time). */
        file: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .prefault({}),
    /** `camsweep daemon`: schedule, health/metrics listener, stop bound (src/daemon/config.ts). */
    daemon: daemonConfigSchema.prefault({}),
  })
  .strict();

export type ConfigInput = z.input<typeof configSchema>;
export type ConfigFile = z.output<typeof configSchema>;
