import { readFileSync } from 'node:fs';

/**
 * The Node flags bin/camsweep.js runs with (its second line, which sh executes:
 * `':' //; exec node <flags> "$0" "$@"`), so the lab tests, the demo and the benchmark run the
 * CLI as shipped when they start it with `process.execPath` themselves.
 */
export function binNodeFlags(): string[] {
  const [first, second] = readFileSync(new URL('../../bin/camsweep.js', import.meta.url), 'utf8').split('\n');
  const match = /^':' \/\/; exec node((?: --[\w-]+(?:=\S+)?)*) "\$0" "\$@"$/u.exec(second ?? '');
  if (first !== '#!/bin/sh' || match === null) throw new Error(`bin/camsweep.js: unexpected first lines ${first ?? ''} / ${second ?? ''}`);
  return match[1]!.trim().split(' ').filter((f) => f !== '');
}
