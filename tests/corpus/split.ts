import { createHash } from 'node:crypto';

/**
 * The fixed rule that keeps part of the corpus unseen (corpus/README.md): a case is held out
 * when the first byte of sha256(source key) is below 77 (about 30 %), fitting otherwise.
 * Fingerprints are written from fitting cases only (tests/corpus/split.test.ts checks every
 * example's source); the held-out figures are the ones that count.
 */

export type CorpusSet = 'fitting' | 'held-out';

export const HELD_OUT_BELOW = 77;

export function splitOf(sourceKey: string): CorpusSet {
  const first = createHash('sha256').update(sourceKey.trim()).digest()[0]!;
  return first < HELD_OUT_BELOW ? 'held-out' : 'fitting';
}

/**
 * The split key of a source as written in the shared corpus's INDEX.md or in a fingerprint
 * example's `source`: `github:owner/repo` for a repository's files, the thread's URL for an
 * issue or pull request, `code-index:<id>` for a file the index could not place, else the
 * page's URL. Undefined when the text names no source.
 */
export function sourceKeyOf(text: string): string | undefined {
  const t = text.trim();
  const repo = /^github[: ]([\w.-]+\/[\w.-]+)/u.exec(t) ?? /https:\/\/github\.com\/([\w.-]+\/[\w.-]+)\/(?:blob|tree|raw)\//u.exec(t);
  if (repo) return `github:${repo[1]}`;
  const thread = /https:\/\/github\.com\/[\w.-]+\/[\w.-]+\/(?:issues|pull|discussions)\/\d+/u.exec(t);
  if (thread) return thread[0];
  const index = /code-index ids? (\d+)/u.exec(t);
  if (index) return `code-index:${index[1]}`;
  const url = /https?:\/\/[^\s)'"]+/u.exec(t);
  if (url) return url[0].replace(/[.,;]+$/u, '');
  return undefined;
}
