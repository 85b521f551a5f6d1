import { csvRow } from './csv.ts';

/**
 * SSDP datagrams rebuilt from captures that kept only parsed headers. The header names and
 * values are the capture's, verbatim and in its order; the framing is the protocol's: a
 * status line (`HTTP/1.1 200 OK` for a search reply, `NOTIFY * HTTP/1.1` for an
 * announcement), `NAME: value` lines, CRLF, a blank line. The same rules built the rebuilt
 * files in tests/fixtures/ssdp (README there); tests/corpus/convert.test.ts checks that these
 * functions reproduce them byte for byte.
 */

function block(startLine: string, headers: ReadonlyArray<[string, string]>): string {
  const lines = headers.map(([name, value]) => (value === '' ? `${name}:` : `${name}: ${value}`));
  return `${[startLine, ...lines].join('\r\n')}\r\n\r\n`;
}

/**
 * Home Assistant's SSDP log lines (async_upnp_client): one JSON object of headers per line,
 * plus keys starting with `_` that Home Assistant adds (`_source` says whether the message
 * was a search reply or an advertisement). Those keys are dropped.
 */
export function ssdpFromJsonl(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const obj = JSON.parse(line) as Record<string, unknown>;
    const source = obj['_source'];
    if (source !== 'search' && source !== 'advertisement') throw new Error(`unknown _source ${String(source)}`);
    const headers: Array<[string, string]> = [];
    for (const [name, value] of Object.entries(obj)) {
      if (name.startsWith('_')) continue;
      if (typeof value !== 'string') throw new Error(`header ${name} is not a string`);
      headers.push([name, value]);
    }
    out.push(block(source === 'search' ? 'HTTP/1.1 200 OK' : 'NOTIFY * HTTP/1.1', headers));
  }
  return out;
}

/**
 * One row of Shadowserver's open-SSDP scan CSV: `header` is the status line; the reply's
 * headers are the `cache_control`, `systime` (the DATE header), `location`, `server`,
 * `search_target` (ST) and `unique_service_name` (USN) columns, in that order, when not empty.
 */
export function ssdpFromCsvRow(text: string, row: number): string {
  const r = csvRow(text, row);
  const columns: Array<[string, string]> = [
    ['CACHE-CONTROL', 'cache_control'],
    ['DATE', 'systime'],
    ['LOCATION', 'location'],
    ['SERVER', 'server'],
    ['ST', 'search_target'],
    ['USN', 'unique_service_name'],
  ];
  const headers: Array<[string, string]> = [];
  for (const [name, column] of columns) {
    const value = r[column] ?? '';
    if (value !== '') headers.push([name, value]);
  }
  return block(r['header'] ?? '', headers);
}

/** The C escapes noddos' test strings use: \r, \n, \t, \\, \", and octal \NNN (`\01` is the byte 0x01). */
export function decodeCString(literal: string): string {
  return literal.replace(/\\([0-7]{1,3}|[rnt"\\])/gu, (_, e: string) => {
    switch (e) {
      case 'r':
        return '\r';
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case '"':
        return '"';
      case '\\':
        return '\\';
      default:
        return String.fromCharCode(Number.parseInt(e, 8));
    }
  });
}

export interface NoddosSsdp {
  /** The NOTIFY datagram, decoded from the C string (with the test author's edits). */
  notify: string;
  /** The description fields the test asserts, by the test's property name. */
  fields: Record<string, string>;
}

/**
 * noddos src/SsdpServer_test.cxx: `char msg[300] = "NOTIFY ...";` and then
 * `if (sHost->FriendlyName != "...")` assertions on the fields read from the device's
 * description.
 */
export function parseNoddosSsdp(text: string): NoddosSsdp {
  const msg = /char msg\[\d+\] = "((?:[^"\\]|\\.)*)";/u.exec(text);
  if (!msg) throw new Error('no NOTIFY string literal');
  const fields: Record<string, string> = {};
  for (const m of text.matchAll(/sHost->(\w+) != "((?:[^"\\]|\\.)*)"/gu)) fields[m[1]!] = decodeCString(m[2]!);
  return { notify: decodeCString(msg[1]!), fields };
}

export interface NmapUpnpHost {
  ip: string;
  /** The SSDP SERVER header (the line under the address). */
  server: string;
  location?: string;
  /** `Webserver:`, `Name:`, `Manufacturer:`, ... as nmap labels them. */
  fields: Record<string, string>;
}

/** The hosts of an nmap broadcast-upnp-info `@output` block. */
export function parseNmapUpnp(text: string): NmapUpnpHost[] {
  const hosts: NmapUpnpHost[] = [];
  let current: NmapUpnpHost | undefined;
  let expectServer = false;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^--\s?\|_?\s*/u, '').trimEnd();
    if (/^\d{1,3}(?:\.\d{1,3}){3}$/u.test(line.trim())) {
      current = { ip: line.trim(), server: '', fields: {} };
      hosts.push(current);
      expectServer = true;
      continue;
    }
    if (!current) continue;
    if (expectServer) {
      current.server = line.trim();
      expectServer = false;
      continue;
    }
    const kv = /^\s*([A-Za-z][A-Za-z ]*):\s+(.*)$/u.exec(line);
    if (!kv) continue;
    const [, key, value] = kv;
    if (key === 'Location') current.location = value!.trim();
    else current.fields[key!] = value!.trim();
  }
  return hosts;
}
