import { parseCidr } from '../../util/cidr.ts';
import type { Problems } from '../problems.ts';

/**
 * Ranges from `--target`/`--exclude` flags and from `--target-file`/`--exclude-file` files (one
 * address or CIDR per line; blank lines and `#` comments ignored; several per line may be
 * separated by spaces or commas, as nmap's -iL takes them). Every bad range and unreadable file
 * is a problem naming where it came from; the good ranges are returned.
 */
export function rangesFrom(flag: string, values: readonly string[], fileFlag: string, files: readonly string[], read: (path: string) => string, problems: Problems): string[] {
  const out: string[] = [];
  for (const v of values) {
    if (parseCidr(v) === undefined) problems.add(`${flag}: not an IPv4 address or CIDR range: ${v}`);
    else out.push(v);
  }
  for (const file of files) {
    let text: string;
    try {
      text = read(file);
    } catch (err) {
      problems.add(`${fileFlag}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      continue;
    }
    text.split(/\r?\n/u).forEach((line, i) => {
      for (const word of (line.split('#')[0] ?? '').split(/[\s,]+/u).filter((w) => w !== '')) {
        if (parseCidr(word) === undefined) problems.add(`${fileFlag} ${file}:${i + 1}: not an IPv4 address or CIDR range: ${word}`);
        else out.push(word);
      }
    });
  }
  return out;
}
