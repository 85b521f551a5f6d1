import { readFileSync } from 'node:fs';
import { UsageError } from '../../domain/errors.ts';
import type { Device, DeviceStatus } from '../../domain/types.ts';
import { loadFingerprintDb } from '../../fingerprint/index.ts';
import type { CaptureFormat } from '../../identify/detect.ts';
import { identify, type Capture } from '../../identify/index.ts';
import { formatDeviceJson } from '../../output/format.ts';
import { loadPolicy } from '../../policy/load.ts';
import { cleanText } from '../../util/text.ts';
import { unknownVariableProblems } from '../../config/env.ts';
import { EXIT, type CliIo } from '../context.ts';
import { Problems } from '../problems.ts';

/**
 * `camsweep identify [--as FORMAT] FILE...`: one device judged from answers captured
 * elsewhere (a colleague's capture, a public thread), offline: the same decoders, fingerprints
 * and policy as a sweep, the same device document. Nothing is sent on the network.
 */

export interface IdentifyCliOptions {
  as?: CaptureFormat;
  format: 'json' | 'table';
  ip?: string;
  pack?: string[];
  policyFile?: string[];
  threshold?: string;
  asOf?: string;
  failOn?: 'restricted' | 'review';
}

/** Every file named, `-` for standard input; an unreadable path is a usage error. */
export function readCaptures(files: readonly string[], as: CaptureFormat | undefined, readStdin: () => Buffer): Capture[] {
  const problems: string[] = [];
  const captures: Capture[] = [];
  for (const file of files) {
    try {
      const bytes = file === '-' ? readStdin() : readFileSync(file);
      captures.push(as === undefined ? { name: file, bytes } : { name: file, bytes, as });
    } catch (err) {
      problems.push(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return captures;
}

const c = (v: unknown, max = 200): string => cleanText(v, max) || '-';

/** The device for people: the verdict in one sentence, then what it rests on. */
export function formatIdentifyTable(d: Device, read: ReadonlyArray<{ name: string; format?: CaptureFormat }>): string {
  const a = d.attribution;
  const out = [
    `${d.status.toUpperCase()}: ${c(d.verdict.reason, 600)}`,
    ...(d.verdict.pack ? [`  rule          ${c(d.verdict.pack)} / ${c(d.verdict.rule)} (${c(d.verdict.source?.document)}, ${c(d.verdict.source?.date)})`] : []),
    `  manufacturer  ${c(d.manufacturer)} (confidence ${d.confidence.toFixed(2)})`,
    `  brand         ${c(d.brand)}`,
    `  model         ${c(d.model)}`,
    `  firmware      ${c(d.firmware)}`,
    `  serial        ${c(d.serial)}`,
    `  kind          ${d.kind}`,
    `  MAC           ${c(d.mac)}`,
    `  read          ${read.map((r) => `${c(r.name, 80)} (${r.format ?? 'unreadable'})`).join(', ')}`,
    '',
    'fingerprints:',
    ...(a?.matches ?? []).map((m) => `  ${c(m.fingerprint, 60)}  ${c(m.field, 40)} = ${c(m.value, 80)}  -> ${c(m.claims.manufacturer ?? m.claims.brand ?? m.claims.kind ?? m.claims.model, 40)} (${m.weight})`),
    ...(a?.conflicts.length ? ['', 'conflicts:', ...a.conflicts.map((x) => `  ${c(x, 400)}`)] : []),
    ...(a?.notes?.length ? ['', 'notes:', ...a.notes.map((x) => `  ${c(x, 400)}`)] : []),
    '',
    `evidence (${d.evidence.length}):`,
    ...d.evidence.map((e) => `  ${c(e.field, 60)} = ${c(e.value, 120)}`),
  ];
  return `${out.join('\n')}\n`;
}

function readAll(fd: number): Buffer {
  return readFileSync(fd);
}

export function runIdentify(files: readonly string[], opts: IdentifyCliOptions, io: CliIo, readStdin: () => Buffer = () => readAll(0), found: Problems = new Problems()): number {
  if (files.length === 0) found.add('identify needs at least one FILE (or - for standard input)');
  found.add(...unknownVariableProblems(io.env));
  const problems: string[] = [...found.list];
  const threshold = opts.threshold === undefined ? 0.6 : Number(opts.threshold);
  if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1) problems.push(`--threshold ${opts.threshold}: a number from 0 to 1`);
  const asOf = opts.asOf === undefined ? new Date() : new Date(opts.asOf);
  if (Number.isNaN(asOf.getTime())) problems.push(`--as-of ${opts.asOf}: a date such as 2026-01-01`);
  if (opts.ip !== undefined && !/^[0-9a-fA-F:.%\w-]{2,64}$/u.test(opts.ip)) problems.push(`--ip ${opts.ip}: an IP address`);
  if (problems.length > 0) throw new UsageError(problems.join('\n'), { problems });
  const captures = readCaptures(files, opts.as, readStdin);
  const judge = {
    db: loadFingerprintDb(),
    policy: loadPolicy({ ...(opts.pack && opts.pack.length > 0 ? { packs: opts.pack } : {}), ...(opts.policyFile ? { customFiles: opts.policyFile } : {}) }),
    threshold,
  };
  const result = identify(captures, judge, { asOf, ...(opts.ip === undefined ? {} : { ip: opts.ip }) });
  for (const e of result.errors) io.stderr(`camsweep identify: ${e.code}: ${cleanText(e.message, 400)}\n`);
  io.stdout(opts.format === 'json' ? formatDeviceJson(result.device) : formatIdentifyTable(result.device, result.read));
  if (result.read.every((r) => r.format === undefined)) return EXIT.failure;
  return failed(result.device.status, opts.failOn) ? EXIT.found : EXIT.ok;
}

function failed(status: DeviceStatus, failOn: IdentifyCliOptions['failOn']): boolean {
  if (failOn === 'restricted') return status === 'restricted';
  if (failOn === 'review') return status === 'restricted' || status === 'review';
  return false;
}

