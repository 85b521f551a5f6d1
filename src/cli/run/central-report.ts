import { statSync, writeFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../domain/errors.ts';
import { htmlToPdf } from '../../console/pdf.ts';
import { renderReport, reportData } from '../../console/report.ts';
import { VERSION } from '../../version.ts';
import type { CliIo } from '../context.ts';
import type { Problems } from '../problems.ts';
import { withStore, type StoreFlags } from './central.ts';

/** `camsweep central report [--site SITE] [--format html|pdf] [-o FILE]`: the console's compliance report from the command line. */

export interface ReportOpts extends StoreFlags {
  site?: string;
  format?: 'html' | 'pdf';
  output?: string;
}

export function reportFormat(opts: ReportOpts, problems: Problems): 'html' | 'pdf' {
  if (opts.format !== undefined) return opts.format;
  const ext = opts.output === undefined ? '' : path.extname(opts.output).toLowerCase();
  if (ext === '.pdf') return 'pdf';
  if (ext === '' || ext === '.html' || ext === '.htm') return 'html';
  problems.add(`--output ${opts.output ?? ''}: cannot tell the format from the extension: give --format html|pdf, or name it .html or .pdf`);
  return 'html';
}

export async function runReport(opts: ReportOpts, io: CliIo, problems: Problems): Promise<void> {
  const format = reportFormat(opts, problems);
  if (opts.site !== undefined && (opts.site.trim() === '' || opts.site.length > 200)) problems.add('--site: 1-200 characters');
  if (opts.output !== undefined) {
    const dir = path.dirname(path.resolve(opts.output));
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) problems.add(`--output ${opts.output}: no directory ${dir}`);
  } else if (format === 'pdf' && (io.isTty || io.stdoutBytes === undefined)) {
    problems.add('--format pdf: a PDF is not for a terminal: give -o FILE.pdf, or redirect stdout');
  }
  const html = await withStore(opts, io, problems, async (store) => {
    const data = await reportData(store, opts.site ?? null, Date.now(), VERSION);
    if (opts.site !== undefined && data.summary.total === 0) throw new UsageError(`no device at site ${JSON.stringify(opts.site)} (sites are named as the agents' registrations name them)`);
    return renderReport(data);
  });
  const bytes = format === 'pdf' ? await htmlToPdf(html, { env: io.env }) : Buffer.from(html, 'utf8');
  if (opts.output === undefined) {
    if (format === 'pdf') io.stdoutBytes!(bytes);
    else io.stdout(html);
    return;
  }
  // Written beside the target and renamed: a reader never sees half a report.
  const tmp = `${opts.output}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, bytes, { mode: 0o644 });
    renameSync(tmp, opts.output);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  io.stderr(`report written to ${opts.output} (${format}, ${bytes.length} bytes)\n`);
}
