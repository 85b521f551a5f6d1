/**
 * Runs the vendor discoverers (Hikvision SADP, Dahua DHIP + v1) through the real sweep, with
 * nothing else (no other discoverer, no enrichment, no judgement: the devices are as merged,
 * their evidence and protocols only what discovery heard), in the namespace it is started in:
 *   node tests/lab/vendor-discovery-runner.ts --interface eth0 [--interface eth1] [--window-ms 2000]
 * Prints one JSON document: { result: SweepResult, audit: AuditEntry[] }. Used by
 * vendor-discovery.lab.test.ts inside the lab's agent namespace; never run it elsewhere.
 */
import { parseArgs } from 'node:util';
import type { AuditEntry } from '../../src/domain/audit.ts';
import { createDhipDiscovery } from '../../src/discovery/dhip/index.ts';
import { selectInterfaces } from '../../src/discovery/interfaces.ts';
import { readNeighbours } from '../../src/discovery/neighbours.ts';
import { createSadpDiscovery } from '../../src/discovery/sadp/index.ts';
import { runSweep } from '../../src/sweep/sweep.ts';
import { boundedRequest } from '../../src/util/http.ts';
import { createLogger } from '../../src/util/log.ts';
import type { Device, MergedDevice } from '../../src/domain/types.ts';

const { values } = parseArgs({
  options: {
    interface: { type: 'string', multiple: true, default: [] },
    'window-ms': { type: 'string', default: '2000' },
  },
  strict: true,
});

/** A merged device as it is: discovery only (no MAC registry facts, no fingerprints, no policy). */
const notJudged = (d: MergedDevice): Device => ({ ...d, manufacturer: null, brand: null, kind: 'other', status: 'clear', confidence: 0, verdict: { status: 'clear', reason: 'not judged: a discovery-only run' } });

const audit: AuditEntry[] = [];
const result = await runSweep({
  interfaces: selectInterfaces(values.interface),
  discoverers: [createSadpDiscovery(), createDhipDiscovery()],
  enrichers: [],
  windowMs: Number(values['window-ms']),
  enrichGraceMs: 0,
  requestTimeoutMs: 1000,
  maxBodyBytes: 64 * 1024,
  enrichConcurrency: 1,
  http: boundedRequest,
  credentialsFor: () => undefined,
  neighbours: () => readNeighbours(),
  log: createLogger({ level: 'warn' }),
  audit: (entry) => audit.push(entry),
  judge: notJudged,
});
process.stdout.write(`${JSON.stringify({ result, audit })}\n`);
