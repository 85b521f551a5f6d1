import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { cleanText } from '../util/text.ts';
import { validateReport, type ReceivedReport } from '../report/receiver/validate.ts';

/**
 * Checks a report body before anything is stored, in three steps:
 *
 * 1. nesting depth, on the raw bytes before JSON.parse (a document nested 200,000 levels deep
 *    is refused with 400, not parsed into a stack overflow);
 * 2. the published contract, schemas/report.v1.schema.json, with its formats enforced
 *    (date-time, IP addresses, MAC addresses): ajv, compiled once;
 * 3. the receiver's bounds on what it stores (src/report/receiver/validate.ts: string lengths,
 *    no device or event key twice), which also types the result.
 */

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

export const MAX_JSON_DEPTH = 64;

/** The deepest nesting of arrays and objects in a JSON text (strings skipped); stops counting past `limit`. */
export function jsonDepth(text: Buffer, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (inString) {
      if (c === 0x5c) i += 1;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x5d || c === 0x7d) depth -= 1;
  }
  return max;
}

const REPORT_SCHEMA_FILE = new URL('../../schemas/report.v1.schema.json', import.meta.url);

let compiled: ValidateFunction | undefined;

/** The v1 contract, compiled once per process. */
export function reportSchemaValidator(): ValidateFunction {
  if (compiled === undefined) {
    const ajv = new Ajv2020({ allErrors: false, strict: true });
    addFormats(ajv);
    compiled = ajv.compile(JSON.parse(readFileSync(REPORT_SCHEMA_FILE, 'utf8')) as object);
  }
  return compiled;
}

function describe(e: ErrorObject): string {
  return cleanText(`${e.instancePath || '(root)'}: ${e.message ?? 'invalid'}`, 300);
}

export type BodyCheck = { ok: true; report: ReceivedReport } | { ok: false; status: 400; error: string; problems?: string[] };

/** Raw JSON bytes (already decompressed) to a checked report, or why not. */
export function checkReportBody(json: Buffer): BodyCheck {
  if (jsonDepth(json) > MAX_JSON_DEPTH) return { ok: false, status: 400, error: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` };
  let doc: unknown;
  try {
    doc = JSON.parse(json.toString('utf8'));
  } catch {
    return { ok: false, status: 400, error: 'body is not JSON' };
  }
  const validate = reportSchemaValidator();
  if (!validate(doc)) {
    return { ok: false, status: 400, error: 'not a camsweep.report/v1 document', problems: (validate.errors ?? []).slice(0, 10).map(describe) };
  }
  const bounded = validateReport(doc);
  if (!bounded.ok) return { ok: false, status: 400, error: 'not a camsweep.report/v1 document', problems: bounded.problems.map((p) => cleanText(p, 300)) };
  return { ok: true, report: bounded.report };
}
