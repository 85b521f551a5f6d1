import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkConfig } from '../../../src/config/load.ts';

const read = (path: string): string => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

describe('the Dockerfile', () => {
  const docker = read('Dockerfile');

  it('builds both stages on one base image, the tag alone or pinned by digest (scripts/pin-base-image.sh)', () => {
    expect(/^ARG NODE_IMAGE=(.*)$/mu.exec(docker)?.[1]).toMatch(/^node:24-bookworm-slim(@sha256:[0-9a-f]{64})?$/u);
    const froms = [...docker.matchAll(/^FROM (\S+)/gmu)].map((m) => m[1]);
    expect(froms).toEqual(['${NODE_IMAGE}', '${NODE_IMAGE}']);
  });

  it('fills the package snapshots at build, as root, before the agent runs as node on a read-only package', () => {
    const warm = docker.indexOf("(await import('/app/dist/agent/snapshots.js')).warmSnapshots()");
    expect(warm).toBeGreaterThan(docker.indexOf('COPY config ./config'));
    expect(warm).toBeLessThan(docker.indexOf('USER node'));
  });

  it('carries the OCI labels', () => {
    for (const label of ['title', 'description', 'licenses', 'source', 'documentation', 'version', 'revision', 'created', 'base.name']) {
      expect(docker).toContain(`org.opencontainers.image.${label}=`);
    }
  });
});

describe('the compose file', () => {
  type Service = { environment: Record<string, string>; volumes: string[]; network_mode: string };
  const compose = parse(read('deploy/compose/compose.yaml'), { merge: true }) as { services: Record<string, Service> };
  const services = Object.entries(compose.services);

  it('runs two agents on one host without a clash: own metrics port, agent id, interface and data volume', () => {
    expect(services.length).toBeGreaterThanOrEqual(2);
    const distinct = (pick: (s: Service) => unknown): number => new Set(services.map(([, s]) => JSON.stringify(pick(s)))).size;
    expect(distinct((s) => s.environment.CAMSWEEP_DAEMON_HTTP_LISTEN)).toBe(services.length);
    expect(distinct((s) => s.environment.CAMSWEEP_REPORT_AGENT_ID)).toBe(services.length);
    expect(distinct((s) => s.environment.CAMSWEEP_SWEEP_INTERFACES)).toBe(services.length);
    expect(distinct((s) => s.volumes.find((v) => v.endsWith(':/var/lib/camsweep')))).toBe(services.length);
    for (const [, s] of services) expect(s.network_mode).toBe('host');
  });

  it('gives each agent an environment camsweep accepts (every variable known, every value valid)', () => {
    for (const [name, s] of services) {
      const checked = checkConfig({ env: s.environment });
      expect(checked.problems, name).toEqual([]);
    }
  });
});
