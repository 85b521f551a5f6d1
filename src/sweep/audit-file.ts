import { closeSync, openSync, writeSync } from 'node:fs';
import type { AuditEntry, AuditSink } from '../domain/audit.ts';
import type { Logger } from '../util/log.ts';
import { ERR, CamsweepError } from '../domain/errors.ts';

/**
 * The audit sink the CLI uses: every entry is logged (module `audit`, level debug) and, when
 * a file is named, appended to it as one JSON line, written synchronously so a crash loses
 * nothing already sent. `close()` releases the file.
 */
export function createAuditSink(log: Logger, file?: string): { sink: AuditSink; close: () => void; count: () => number } {
  const auditLog = log.child({ module: 'audit' });
  let fd: number | undefined;
  if (file !== undefined) {
    try {
      fd = openSync(file, 'a', 0o640);
    } catch (err) {
      throw new CamsweepError(ERR.AUDIT_FILE, `cannot open audit file ${file}: ${(err as Error).message}`);
    }
  }
  let count = 0;
  return {
    sink: (entry: AuditEntry) => {
      count += 1;
      auditLog.debug({ audit: entry }, 'sent');
      if (fd !== undefined) writeSync(fd, `${JSON.stringify(entry)}\n`);
    },
    close: () => {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
    count: () => count,
  };
}
