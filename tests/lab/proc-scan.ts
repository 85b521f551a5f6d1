import { readdirSync, readFileSync } from 'node:fs';

/** PIDs of live processes whose command line contains `text` (tests use it to prove cleanup). */
export function pidsMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/u.test(entry) || Number(entry) === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ESRCH' || code === 'EACCES') continue;
      throw err;
    }
    if (cmdline.replaceAll('\u0000', ' ').includes(text)) pids.push(Number(entry));
  }
  return pids;
}
