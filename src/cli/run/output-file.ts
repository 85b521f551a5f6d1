import { closeSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { OutputFormat } from '../../output/format.ts';
import type { Problems } from '../problems.ts';

/** `--output FILE` (nmap's -oN/-oX habit): where, and in which format. */
export interface OutputTarget {
  file: string;
  format: OutputFormat;
}

const BY_EXTENSION: Record<string, OutputFormat> = { '.json': 'json', '.csv': 'csv', '.txt': 'table', '.text': 'table', '.table': 'table' };

/**
 * The file and its format (--format, else the extension), checked before anything is sent: a
 * format the extension does not tell, a directory that does not exist, a directory given as the
 * file are problems.
 */
export function outputTarget(file: string, format: OutputFormat | undefined, problems: Problems): OutputTarget | undefined {
  const chosen = format ?? BY_EXTENSION[path.extname(file).toLowerCase()];
  if (chosen === undefined) {
    problems.add(`--output ${file}: cannot tell the format from the extension: give --format table|json|csv, or name it .json, .csv or .txt`);
  }
  const dir = path.dirname(path.resolve(file));
  const kind = (p: string): 'dir' | 'file' | 'none' => {
    try {
      return statSync(p).isDirectory() ? 'dir' : 'file';
    } catch {
      return 'none';
    }
  };
  if (kind(dir) !== 'dir') problems.add(`--output ${file}: no directory ${dir}`);
  else if (kind(file) === 'dir') problems.add(`--output ${file}: is a directory`);
  return chosen === undefined ? undefined : { file, format: chosen };
}

/**
 * Writes the output in pieces to a temporary file beside the target and renames it over the
 * target at the end: a reader never sees half a document, and a failed write leaves any
 * earlier file whole.
 */
export function writeOutput(target: OutputTarget, chunks: Iterable<string>): void {
  const tmp = `${target.file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o644);
  try {
    for (const chunk of chunks) writeSync(fd, chunk);
    closeSync(fd);
    renameSync(tmp, target.file);
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(tmp, { force: true });
    throw err;
  }
}
