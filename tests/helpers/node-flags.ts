import { readFileSync } from 'node:fs';

/**
 * The Node flags bin/camsweep.js runs with (its `#!/usr/bin/env -S node ...` line), so the lab
 * tests, the demo and the benchmark run the CLI as shipped when they start it with
 * `process.execPath` themselves.
 */
export function binNodeFlags(): string[] {
  const first = readFileSync(new URL('../../bin/camsweep.js', import.meta.url), 'utf8').split('\n')[0] ?? '';
  const match = /^#!\/usr\/bin\/env -S node((?: --[\w-]+(?:=\S+)?)*)$/u.exec(first);
  if (match === null) throw new Error(`bin/camsweep.js: unexpected first line ${first}`);
  return match[1]!.trim().split(' ').filter((f) => f !== '');
}
