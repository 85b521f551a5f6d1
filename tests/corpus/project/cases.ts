import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DEVICE_KINDS } from '../../../src/fingerprint/schema.ts';
import { CAPTURE_FORMATS } from '../../../src/identify/detect.ts';
import { splitOf, type CorpusSet } from '../split.ts';

/**
 * The project corpus (corpus/README.md): cases/<group>.yaml, each case one device with the
 * captured files, its public source (the split key), licence, completeness, and the verdict
 * the facts call for. Loaded and validated here; judged by tests/corpus/project/run.ts.
 */

export const CORPUS_DIR = fileURLToPath(new URL('../../../corpus/', import.meta.url));

const name = z.string().min(1).max(80).nullable();

const caseSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]{2,160}$/u),
    files: z.array(z.object({ path: z.string().min(3).max(300), as: z.enum(CAPTURE_FORMATS).optional() }).strict()).min(1).max(12),
    source: z
      .object({
        key: z.string().min(6).max(400),
        url: z.string().min(6).max(600),
        licence: z.string().min(1).max(200),
        retrieved: z.string().min(4).max(40),
        note: z.string().max(3000).optional(),
      })
      .strict(),
    completeness: z.enum(['complete', 'fragment', 'anonymized', 're-serialized', 'printed', 'converted']),
    expect: z
      .object({
        manufacturer: name,
        brand: name.optional(),
        kind: z.enum(DEVICE_KINDS as [string, ...string[]]).optional(),
        status: z.enum(['restricted', 'review', 'clear']),
      })
      .strict(),
    reason: z.string().min(20).max(4000),
  })
  .strict();

export type ProjectCase = z.infer<typeof caseSchema> & { group: string; set: CorpusSet; capturesDir: string };

/** `corpusDir` (default: the repository's corpus/) holds cases/ and captures/. */
export function loadProjectCases(corpusDir = CORPUS_DIR): { cases: ProjectCase[]; problems: string[] } {
  const dir = join(corpusDir, 'cases');
  const cases: ProjectCase[] = [];
  const problems: string[] = [];
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
  } catch {
    return { cases, problems: [`${dir}: no cases directory`] };
  }
  for (const file of files) {
    const group = file.replace(/\.yaml$/u, '');
    const raw = parseYaml(readFileSync(join(dir, file), 'utf8'), { maxAliasCount: 10 }) as { cases?: unknown[] } | null;
    for (const [i, item] of (raw?.cases ?? []).entries()) {
      const parsed = caseSchema.safeParse(item);
      if (!parsed.success) {
        problems.push(`${file}: cases.${i}: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
        continue;
      }
      cases.push({ ...parsed.data, group, set: splitOf(parsed.data.source.key), capturesDir: join(corpusDir, 'captures') });
    }
  }
  return { cases, problems };
}

export function readCaseFile(c: Pick<ProjectCase, 'capturesDir'>, path: string): Buffer {
  return readFileSync(join(c.capturesDir, path));
}
