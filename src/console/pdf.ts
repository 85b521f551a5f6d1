import { accessSync, constants } from 'node:fs';
import { CamsweepError, ERR } from '../domain/errors.ts';

/**
 * The report as PDF: Chromium prints the report's HTML (docs/decisions/console.md), driven by
 * playwright-core, so the PDF is the page a person sees, print styles and charts included.
 * Chromium is the system's (Debian's `chromium`, which scripts/system-deps.ts installs), found
 * at $CAMSWEEP_CHROMIUM or /usr/bin/chromium; playwright-core downloads nothing. The page is
 * given its HTML directly and every request it would make is refused: the report is
 * self-contained, and printing it reaches nothing.
 */

export const CHROMIUM_ENV = 'CAMSWEEP_CHROMIUM';
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/lib/chromium/chromium'];

export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const given = env[CHROMIUM_ENV];
  for (const p of given !== undefined && given !== '' ? [given] : CANDIDATES) {
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}

/** Arguments for Chromium here: without its sandbox when we are root (Chromium refuses to start otherwise). */
export function chromiumArgs(isRoot = process.getuid?.() === 0): string[] {
  return [...(isRoot ? ['--no-sandbox'] : []), '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-extensions', '--disable-background-networking', '--disable-sync'];
}

export interface PdfOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export async function htmlToPdf(html: string, o: PdfOptions = {}): Promise<Buffer> {
  const executablePath = findChromium(o.env);
  if (executablePath === undefined) {
    throw new CamsweepError(ERR.CONSOLE_NO_CHROMIUM, `no Chromium to print the PDF with: install Debian's chromium (apt-get install chromium) or set $${CHROMIUM_ENV}`);
  }
  const timeout = o.timeoutMs ?? 120_000;
  const { chromium } = await import('playwright-core');
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  try {
    browser = await chromium.launch({ executablePath, args: chromiumArgs(), timeout });
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    const page = await context.newPage();
    page.setDefaultTimeout(timeout);
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load', timeout });
    return await page.pdf({ preferCSSPageSize: true, printBackground: true, timeout } as Parameters<typeof page.pdf>[0]);
  } catch (err) {
    if (err instanceof CamsweepError) throw err;
    throw new CamsweepError(ERR.CONSOLE_PDF_FAILED, `Chromium (${executablePath}) could not print the report: ${(err as Error).message.split('\n')[0] ?? ''}`, { cause: err });
  } finally {
    await browser?.close().catch(() => undefined);
  }
}

/** One PDF at a time in this process (Chromium takes ~200 MB and a core while it prints). */
export function serialised<A extends unknown[], R>(fn: (...a: A) => Promise<R>): (...a: A) => Promise<R> {
  let chain: Promise<unknown> = Promise.resolve();
  return (...a: A) => {
    const next = chain.then(
      () => fn(...a),
      () => fn(...a),
    );
    chain = next.catch(() => undefined);
    return next;
  };
}
