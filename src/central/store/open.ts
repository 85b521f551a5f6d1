import path from 'node:path';
import { UsageError } from '../../domain/errors.ts';
import type { Logger } from '../../util/log.ts';
import { embeddedPath, openEmbeddedStore } from './embedded.ts';
import { openPostgresStore, redactUrl } from './postgres.ts';
import type { CentralStore, ForwardSettings } from './store.ts';

/**
 * Picks the store: `--database postgres://USER:PASS@HOST:PORT/DB` (or
 * $CAMSWEEP_CENTRAL_DATABASE) for PostgreSQL, else the embedded store in the data directory.
 */

export const DATABASE_ENV = 'CAMSWEEP_CENTRAL_DATABASE';

export type StoreLocation = { kind: 'postgres'; url: string } | { kind: 'embedded'; dataDir: string };

export function storeLocation(flags: { database?: string | undefined; dataDir: string }, env: NodeJS.ProcessEnv): StoreLocation {
  const url = flags.database ?? (env[DATABASE_ENV] === undefined || env[DATABASE_ENV] === '' ? undefined : env[DATABASE_ENV]);
  if (url === undefined) return { kind: 'embedded', dataDir: path.resolve(flags.dataDir) };
  if (!/^postgres(ql)?:\/\//iu.test(url)) throw new UsageError(`--database: want postgres://USER:PASS@HOST:PORT/DB, got ${redactUrl(url)}`);
  return { kind: 'postgres', url };
}

export function describeLocation(loc: StoreLocation): string {
  return loc.kind === 'postgres' ? redactUrl(loc.url) : embeddedPath(loc.dataDir);
}

export async function openCentralStore(loc: StoreLocation, options: { forward?: ForwardSettings; log?: Logger } = {}): Promise<CentralStore> {
  if (loc.kind === 'postgres') {
    return openPostgresStore(loc.url, { ...(options.forward === undefined ? {} : { forward: options.forward }), ...(options.log === undefined ? {} : { log: options.log }) });
  }
  return openEmbeddedStore(loc.dataDir, options.forward === undefined ? {} : { forward: options.forward });
}
