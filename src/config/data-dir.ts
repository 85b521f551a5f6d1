import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/**
 * The data directory: where the inventory, the report outbox and a receiver's store live.
 * The one place it is resolved, for every command and the daemon: a command-line
 * `--data-dir`, else the configuration's top-level `dataDir`, else the default below;
 * relative paths are taken from the working directory.
 */

/** The top-level `dataDir` of the configuration file. */
export const dataDirSchema = z.string().min(1).optional();

/** Facts about the host the defaults depend on; injectable for tests. */
export interface HostFacts {
  hostname: string;
  uid: number;
  homedir: string;
}

export const hostFacts = (): HostFacts => ({
  hostname: os.hostname(),
  uid: typeof process.getuid === 'function' ? process.getuid() : -1,
  homedir: os.homedir(),
});

/**
 * Default data directory: $CAMSWEEP_DATA_DIR, else /var/lib/camsweep for root, else
 * $XDG_STATE_HOME/camsweep (~/.local/state/camsweep).
 */
export function defaultDataDir(env: NodeJS.ProcessEnv, host: HostFacts): string {
  const explicit = env.CAMSWEEP_DATA_DIR;
  if (explicit !== undefined && explicit !== '') return explicit;
  if (host.uid === 0) return '/var/lib/camsweep';
  const state = env.XDG_STATE_HOME !== undefined && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : path.join(host.homedir, '.local', 'state');
  return path.join(state, 'camsweep');
}

export interface DataDirInput {
  /** `--data-dir`. */
  flag?: string | undefined;
  /** The configuration's `dataDir`. */
  configured?: string | undefined;
  env: NodeJS.ProcessEnv;
  host?: HostFacts | undefined;
}

/** The data directory in force, absolute. */
export function resolveDataDir(input: DataDirInput): string {
  return path.resolve(input.flag ?? input.configured ?? defaultDataDir(input.env, input.host ?? hostFacts()));
}
