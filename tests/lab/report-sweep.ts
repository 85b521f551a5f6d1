/**
 * What `camsweep sweep --report-to ...` will do once the sweep command calls reportFromCli
 * (see docs/reporting.md): run the real sweep command in-process, print its JSON, then queue
 * and deliver the report. Used by report-netcut.test.ts inside the lab's agent namespace.
 *
 *   node tests/lab/report-sweep.ts --report-config FILE --stats-file FILE -- <sweep args...>
 */
import { writeFileSync } from 'node:fs';
import { main } from '../../src/cli/main.ts';
import type { SweepResult } from '../../src/domain/types.ts';
import { reportFromCli } from '../../src/cli/after-sweep.ts';
import { readReportSection } from '../../src/report/settings-file.ts';
import { createLogger } from '../../src/util/log.ts';

const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
const own = sep < 0 ? argv : argv.slice(0, sep);
const sweepArgs = sep < 0 ? [] : argv.slice(sep + 1);
const opt = (name: string): string => {
  const i = own.indexOf(name);
  const v = own[i + 1];
  if (i < 0 || v === undefined) throw new Error(`report-sweep: ${name} is required`);
  return v;
};

let out = '';
const code = await main(['sweep', '--format', 'json', ...sweepArgs], {
  stdout: (t) => {
    out += t;
  },
  stderr: (t) => void process.stderr.write(t),
  isTty: false,
  env: process.env,
});
process.stdout.write(out);
if (code !== 0 && code !== 3) process.exit(code);
const result = JSON.parse(out) as SweepResult;
const report = await reportFromCli(result, {
  flags: {},
  settings: readReportSection(opt('--report-config')),
  env: process.env,
  log: createLogger({ level: 'warn' }),
});
writeFileSync(opt('--stats-file'), JSON.stringify(report));
process.exitCode = code;
