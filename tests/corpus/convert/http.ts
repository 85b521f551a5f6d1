import type { HttpResponse } from '../../../src/util/http.ts';
import { csvRow } from './csv.ts';

/**
 * One row of a Shadowserver HTTP scan CSV (scan_cwmp) as the response it was parsed from:
 * `http_code` is the status, and the header columns (`server`, `www_authenticate`,
 * `content_type`, `connection`, `set_cookie`, `content_length`, `transfer_encoding`, `date`)
 * are the headers, when not empty. The body was not kept: it is empty.
 */
export function httpFromCsvRow(text: string, row: number): HttpResponse {
  const r = csvRow(text, row);
  const columns: Array<[string, string]> = [
    ['content-type', 'content_type'],
    ['connection', 'connection'],
    ['www-authenticate', 'www_authenticate'],
    ['set-cookie', 'set_cookie'],
    ['server', 'server'],
    ['content-length', 'content_length'],
    ['transfer-encoding', 'transfer_encoding'],
    ['date', 'date'],
  ];
  const headers: Record<string, string> = {};
  for (const [name, column] of columns) {
    const value = r[column] ?? '';
    if (value !== '') headers[name] = value;
  }
  const status = Number(r['http_code']);
  if (!Number.isInteger(status)) throw new Error(`row ${row}: no http_code`);
  return { status, headers, body: Buffer.alloc(0), truncated: false };
}

/** The TCP port a CSV row was scanned on. */
export function portFromCsvRow(text: string, row: number): number {
  return Number(csvRow(text, row)['port']);
}
