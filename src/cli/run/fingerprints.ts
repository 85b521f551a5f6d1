import { DEFAULT_FINGERPRINT_DIR, verifyFingerprintDb, type VerifyResult } from '../../fingerprint/db.ts';
import { DEFAULT_VENDORS_FILE } from '../../fingerprint/vocabulary.ts';
import { unknownVariableProblems } from '../../config/env.ts';
import { EXIT, type CliIo } from '../context.ts';
import { Problems } from '../problems.ts';

export interface VerifyCliOptions {
  dir?: string;
  vendors?: string;
  format: 'text' | 'json';
}

/** The verify report for people: every problem, then what the database covers. */
export function formatVerify(result: VerifyResult, dir: string): string {
  const { problems, stats } = result;
  const lines: string[] = [];
  lines.push(
    `fingerprint database ${dir}: ${stats.files} files, ${stats.fingerprints} fingerprints, ${stats.examples} examples, ${stats.counterExamples} counter-examples`,
  );
  if (problems.length > 0) {
    lines.push('', `${problems.length} problem(s):`);
    for (const p of problems) lines.push(`  - ${p}`);
  }
  const files = Object.entries(stats.perFile);
  if (files.length > 0) {
    const width = Math.max(...files.map(([name]) => name.length));
    lines.push('', 'per vendor file:');
    for (const [name, f] of files) {
      lines.push(`  ${name.padEnd(width)}  ${String(f.fingerprints).padStart(3)} fingerprints  ${String(f.examples).padStart(3)} examples  ${String(f.counterExamples).padStart(3)} counter-examples`);
    }
  }
  const fields = Object.entries(stats.fields).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  if (fields.length > 0) {
    lines.push('', `fields read (${fields.length}):`);
    lines.push(`  ${fields.map(([f, n]) => `${f} (${n})`).join(', ')}`);
  }
  lines.push('', problems.length === 0 ? 'OK: every example matches its own entry first and no counter-example fires' : `FAILED: ${problems.length} problem(s)`);
  return `${lines.join('\n')}\n`;
}

/** Runs `fingerprints verify`; returns the exit code (0 clean, 1 problems found). */
export function runVerifyCommand(opts: VerifyCliOptions, io: CliIo, problems: Problems = new Problems()): number {
  problems.add(...unknownVariableProblems(io.env));
  problems.throwIfAny();
  const dir = opts.dir ?? DEFAULT_FINGERPRINT_DIR;
  const result = verifyFingerprintDb({ dir, vendorsFile: opts.vendors ?? DEFAULT_VENDORS_FILE });
  if (opts.format === 'json') io.stdout(`${JSON.stringify({ dir, ok: result.problems.length === 0, ...result }, null, 2)}\n`);
  else io.stdout(formatVerify(result, dir));
  return result.problems.length === 0 ? EXIT.ok : EXIT.failure;
}
