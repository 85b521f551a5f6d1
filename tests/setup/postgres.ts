import type { TestProject } from 'vitest/node';
import { startPgCluster, type PgCluster } from '../helpers/pg-cluster.ts';

/**
 * vitest global setup: one throwaway PostgreSQL cluster on 127.0.0.1 for the whole run
 * (tests/helpers/pg-cluster.ts), its URL given to the test files as `inject('pgUrl')`; each
 * file that needs PostgreSQL creates its own database in it. Stopped and removed at the end.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

let cluster: PgCluster | undefined;

export async function setup(project: TestProject): Promise<void> {
  cluster = await startPgCluster();
  project.provide('pgUrl', cluster.url);
}

export async function teardown(): Promise<void> {
  await cluster?.stop();
}
