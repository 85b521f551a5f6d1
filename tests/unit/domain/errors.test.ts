import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { CamsweepError, ERR, ERROR_CODES, ERROR_CODE_FAMILIES, errorCode, httpFailureCode, httpStatusCode, UsageError } from '../../../src/domain/errors.ts';

const SRC = path.join(import.meta.dirname, '..', '..', '..', 'src');
const CATALOGUE = 'domain/errors.ts';
/** Files left out of the checks while something replaces them (none now: src/storage takes its codes from the catalogue). */
const BEING_REPLACED = new Set<string>();
/** Upper-case names that are not our error codes. */
const NOT_CODES = new Map([
  ['CAMSWEEP_REPORT_TOKEN', 'an environment variable'],
  ['CAMSWEEP_REPORT_HMAC_SECRET', 'an environment variable'],
  ['CAMSWEEP_RECEIVER_TOKEN', 'an environment variable'],
  ['CAMSWEEP_RECEIVER_HMAC_SECRET', 'an environment variable'],
  ['CAMSWEEP_CENTRAL_DATABASE', 'an environment variable'],
  ['CAMSWEEP_FORWARD_HEC_TOKEN', 'an environment variable'],
  ['CAMSWEEP_FORWARD_WEBHOOK_SECRET', 'an environment variable'],
  ['ERR_BUFFER_TOO_LARGE', "Node's own code, compared against"],
]);
const CODE_SHAPE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/u;

function sources(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** String literals and template heads in code (comments are not tokens), with their line. */
function literals(file: string): Array<{ text: string; template: boolean; line: number }> {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: Array<{ text: string; template: boolean; line: number }> = [];
  const visit = (n: ts.Node): void => {
    const line = source.getLineAndCharacterOfPosition(n.getStart()).line + 1;
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) out.push({ text: n.text, template: false, line });
    else if (ts.isTemplateHead(n)) out.push({ text: n.text, template: true, line });
    ts.forEachChild(n, visit);
  };
  visit(source);
  return out;
}

describe('the error-code catalogue', () => {
  it('gives every code one line saying what it means', () => {
    for (const [code, meaning] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/u);
      expect(meaning, code).toMatch(/^\S.{9,159}$/u);
    }
    for (const [family, meaning] of Object.entries(ERROR_CODE_FAMILIES)) {
      expect(family).toMatch(/^[A-Z]+(_[A-Z]+)*_<[a-z ]+>$/u);
      expect(meaning, family).toMatch(/^\S.{9,159}$/u);
    }
    expect(Object.entries(ERR).every(([k, v]) => k === v)).toBe(true);
  });

  it('is where every code comes from: no source file spells a code as a string literal', () => {
    const found: string[] = [];
    for (const file of sources()) {
      const rel = path.relative(SRC, file).split(path.sep).join('/');
      if (rel === CATALOGUE || BEING_REPLACED.has(rel)) continue;
      for (const { text, template, line } of literals(file)) {
        // CAMSWEEP_* names are environment variables (src/config/env.ts lists those it knows), never codes.
        const code = template ? /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*_$/u.test(text) : (text in ERROR_CODES || CODE_SHAPE.test(text)) && !NOT_CODES.has(text) && !text.startsWith('CAMSWEEP_');
        if (code) found.push(`${rel}:${line} ${template ? `\`${text}\${...}\`` : `'${text}'`}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('holds no code that nothing uses', () => {
    const rel = (f: string): string => path.relative(SRC, f).split(path.sep).join('/');
    const text = (replaced: boolean): string =>
      sources()
        .filter((f) => BEING_REPLACED.has(rel(f)) === replaced)
        .map((f) => readFileSync(f, 'utf8'))
        .join('\n');
    const [ours, replaced] = [text(false), text(true)];
    const used = (code: string): boolean => new RegExp(`\\bERR\\.${code}\\b`, 'u').test(ours) || replaced.includes(`'${code}'`);
    expect(Object.keys(ERROR_CODES).filter((code) => !used(code))).toEqual([]);
  });

  it('builds the family codes and keeps codes on errors', () => {
    expect(httpFailureCode('ECONNREFUSED')).toBe(ERR.HTTP_ECONNREFUSED);
    expect(httpFailureCode(undefined)).toBe('HTTP_ERROR');
    expect(httpStatusCode('UPNP', 404)).toBe('UPNP_HTTP_404');
    expect(httpStatusCode('ONVIF', 500)).toBe('ONVIF_HTTP_500');
    expect(errorCode(new CamsweepError(ERR.WSD_INVALID, 'x'))).toBe('WSD_INVALID');
    expect(errorCode(new UsageError('x'))).toBe('USAGE');
    expect(errorCode(Object.assign(new Error('x'), { code: 'EADDRINUSE' }))).toBe('EADDRINUSE');
    expect(errorCode(new Error('x'))).toBe('INTERNAL');
  });
});
