import { readFileSync } from 'node:fs';
import type { LevelWithSilent } from 'pino';
import { checkConfig } from '../../config/load.ts';
import { createSweeper } from '../../agent/sweeper.ts';
import { reportOverrides, type ReportCliFlags } from '../report-flags.ts';
import { resolveReportConfig } from '../../report/config.ts';
import { resolveDataDir } from '../../config/data-dir.ts';
import type { OutputFormat } from '../../output/format.ts';
import { PLAIN_VIEW, stdoutView } from '../../output/view.ts';
import type { EvidenceMode } from '../../output/evidence.ts';
import { outputTarget, writeOutput } from './output-file.ts';
import type { ColorMode } from '../../output/color.ts';
import type { DeviceStatus, SweepResult } from '../../domain/types.ts';
import { selectInterfaces } from '../../discovery/interfaces.ts';
import { resolveTargets } from '../../discovery/unicast/targets.ts';
import { loadPolicy } from '../../policy/load.ts';
import { statusLine, sweepProgressDisplay } from '../terminal.ts';
import { cliLogger } from '../log.ts';
import { EXIT, type CliIo } from '../context.ts';
import { Problems } from '../problems.ts';
import { rangesFrom } from './ranges.ts';

export interface SweepCliOptions {
  interface: string[];
  timeout?: number;
  fullWindow?: boolean;
  idle?: number;
  format?: OutputFormat;
  config?: string;
  failOn?: 'restricted' | 'review';
  mx?: number;
  enrich: boolean;
  logLevel?: LevelWithSilent;
  quiet?: boolean;
  auditFile?: string;
  reportTo?: string;
  reportToken?: string;
  reportTokenFile?: string;
  record?: boolean;
  target: string[];
  targetFile?: string[];
  exclude: string[];
  excludeFile?: string[];
  rate?: number;
  color?: ColorMode;
  output?: string;
  evidence?: EvidenceMode;
}

/** Statuses that trip `--fail-on X`: X and anything more severe. */
const FAIL_ON: Record<'restricted' | 'review', readonly DeviceStatus[]> = {
  restricted: ['restricted'],
  review: ['restricted', 'review'],
};

const read = (p: string): string => readFileSync(p, 'utf8');

/**
 * `camsweep sweep`. First one validation pass over everything given (flags, the file, the
 * environment, ranges, interfaces, report settings, and, when anything else is wrong, the
 * policy packs), every problem reported at once (exit 2) before anything is sent; then the
 * sweep, its output, the inventory and the report.
 */
export async function runSweepCommand(opts: SweepCliOptions, io: CliIo, problems: Problems = new Problems()): Promise<number> {
  const checked = checkConfig({ ...(opts.config === undefined ? {} : { file: opts.config }), env: io.env });
  problems.add(...checked.problems);
  const { config, sections } = checked;

  const output = opts.output === undefined ? undefined : outputTarget(opts.output, opts.format, problems);
  const targets = rangesFrom('--target', opts.target, '--target-file', opts.targetFile ?? [], read, problems);
  const exclude = rangesFrom('--exclude', opts.exclude, '--exclude-file', opts.excludeFile ?? [], read, problems);
  if (!problems.any && config !== undefined) {
    // The plan as the sweep will make it: loopback or multicast targets, too many addresses.
    problems.check(() =>
      resolveTargets({
        targets: targets.length > 0 ? targets : config.unicast.targets.map((c) => c.text),
        exclude: [...config.unicast.exclude.map((c) => c.text), ...exclude],
        maxAddresses: config.unicast.maxAddresses,
      }),
    );
  }
  const names = opts.interface.length > 0 ? opts.interface : (sections.sweep?.interfaces ?? []);
  if (names.length > 0) problems.check(() => selectInterfaces(names));

  const reportFlags: ReportCliFlags = {
    ...(opts.reportTo === undefined ? {} : { reportTo: opts.reportTo }),
    ...(opts.reportToken === undefined ? {} : { reportToken: opts.reportToken }),
    ...(opts.reportTokenFile === undefined ? {} : { reportTokenFile: opts.reportTokenFile }),
  };
  if (sections.report !== undefined) {
    // Report settings are checked before anything is sent too (an unreadable token file is exit 2).
    const settings = { report: sections.report, ...(sections.dataDir === undefined ? {} : { dataDir: sections.dataDir }) };
    problems.check(() => resolveReportConfig(settings, io.env, read, { overrides: reportOverrides(reportFlags) }));
  }
  if (problems.any) {
    // The packs are loaded with the sweeper when all else is well; when it is not, they are
    // checked now so that their problems are listed with the rest.
    if (config !== undefined) problems.check(() => loadPolicy({ packs: config.policy.packs, customFiles: config.policy.files }));
    problems.throwIfAny();
  }
  if (config === undefined) return problems.throwIfAny() as never;

  const level: LevelWithSilent = opts.quiet ? 'error' : (opts.logLevel ?? config.log.level);
  // On a terminal: short log lines above a progress line (phase, count, rate, time left).
  const status = statusLine(io.stderr, (io.stderrIsTty ?? io.isTty) && opts.quiet !== true);
  const log = cliLogger(level, io, { ...(opts.color === undefined ? {} : { color: opts.color }), status });
  const display = status.enabled
    ? sweepProgressDisplay(status, {
        windowMs: opts.timeout === undefined ? config.sweep.windowMs : Math.round(opts.timeout * 1000),
        graceMs: config.enrich.graceMs,
      })
    : undefined;
  // The output's modules (the table's width tables among them) are loaded while the sweep
  // listens, not before its first probe: the window is mostly waiting.
  const formatting = Promise.all([import('../../output/format.ts'), import('../../output/evidence.ts')]);
  formatting.catch(() => undefined); // awaited below; a sweep that fails first must not leave it unhandled
  // So are the inventory and the outbox (node:sqlite, the report transport): used after it.
  const afterSweep = import('../after-sweep.ts');
  afterSweep.catch(() => undefined);
  let result: SweepResult;
  try {
    const sweeper = createSweeper(config, log, {
      interfaces: opts.interface,
      enrich: opts.enrich,
      ...(opts.timeout === undefined ? {} : { windowMs: Math.round(opts.timeout * 1000) }),
      ...(opts.fullWindow === true ? { fullWindow: true } : {}),
      ...(opts.idle === undefined ? {} : { idleMs: Math.round(opts.idle * 1000) }),
      ...(opts.mx === undefined ? {} : { mx: opts.mx }),
      ...(opts.auditFile === undefined ? {} : { auditFile: opts.auditFile }),
      targets,
      exclude,
      ...(opts.rate === undefined ? {} : { rate: opts.rate }),
      ...(display === undefined ? {} : { onProgress: (probed, total) => display.onProbe(probed, total), progress: display.progress }),
    });
    result = await sweeper.run();
  } finally {
    display?.stop();
  }
  const [{ formatChunks }, { withEvidence }] = await formatting;
  const shown = withEvidence(result, opts.evidence ?? 'useful');
  if (output !== undefined) {
    writeOutput(output, formatChunks(shown, output.format, opts.color === 'always' ? stdoutView({ isTty: false, env: {} }, 'always') : PLAIN_VIEW));
    // People at a terminal still see the table; a pipe gets nothing it did not ask for.
    if (io.isTty) for (const chunk of formatChunks(shown, 'table', stdoutView(io, opts.color))) io.stdout(chunk);
  } else {
    const format: OutputFormat = opts.format ?? (io.isTty ? 'table' : 'json');
    // In pieces: the JSON of a sweep of thousands of devices is never held as one string.
    for (const chunk of formatChunks(shown, format, stdoutView(io, opts.color))) io.stdout(chunk);
  }
  // The inventory keeps every device across sweeps (`camsweep devices`, `show`, `sweeps`, `diff`);
  // the report is queued in the outbox before any send, and what cannot be delivered now stays queued.
  const { afterSweepFromCli } = await afterSweep;
  const { report } = await afterSweepFromCli(result, {
    log,
    ...(opts.record === true ? { record: { dataDir: resolveDataDir({ configured: config.reportSettings.dataDir, env: io.env }) } } : {}),
    report: { flags: reportFlags, settings: config.reportSettings, env: io.env },
  });
  const queued = report !== null && report.delivery.pending > 0;
  if (queued) {
    // Said whatever the log level (-q too): the verdicts have not reached the endpoint yet.
    io.stderr(
      `camsweep: the report is queued, not delivered: ${report.delivery.pending} report(s) wait in the outbox; ` +
        'they go with the next run, or now with `camsweep outbox send` (exit 4)\n',
    );
  }
  if (opts.failOn) {
    const trip = FAIL_ON[opts.failOn];
    if (result.devices.some((d) => trip.includes(d.status))) return EXIT.found;
  }
  return queued ? EXIT.queued : EXIT.ok;
}
