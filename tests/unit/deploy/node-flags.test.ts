import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { binNodeFlags } from '../../helpers/node-flags.ts';

const read = (path: string): string => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

describe('the Node flags of bin/camsweep.js', () => {
  it('are on its first line, and cap the young generation', () => {
    expect(read('bin/camsweep.js').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${binNodeFlags().join(' ')}`);
    expect(binNodeFlags()).toContain('--max-semi-space-size=4');
  });

  it('are passed by every shipped way of running it that does not go through the first line', () => {
    const flags = binNodeFlags();
    const docker = read('Dockerfile');
    const nodeArgs = (list: string): string[] => JSON.parse(list) as string[];
    const entrypoint = nodeArgs(/^ENTRYPOINT (\[.*\])$/mu.exec(docker)?.[1] ?? '[]');
    const health = nodeArgs(/^\s+CMD (\["node".*\])$/mu.exec(docker)?.[1] ?? '[]');
    for (const argv of [entrypoint, health]) {
      const node = argv.indexOf('node');
      expect(argv.slice(node + 1, node + 1 + flags.length), JSON.stringify(argv)).toEqual(flags);
      expect(argv[node + 1 + flags.length]).toBe('/app/bin/camsweep.js');
    }
    const exec = /^ExecStart=(.*)$/mu.exec(read('deploy/systemd/camsweep.service'))?.[1] ?? '';
    expect(exec.startsWith(`/usr/bin/node ${flags.join(' ')} /opt/camsweep/bin/camsweep.js `)).toBe(true);
  });
});
