/**
 * CSV as Shadowserver writes it (certtools/intelmq test data): comma separated, fields
 * optionally double-quoted, a quote inside quotes written `""` (RFC 4180) or `\"` (the mDNS
 * scan's TXT column), LF or CRLF line ends. Rows come back as objects keyed by the header row.
 */
export function parseCsv(text: string): Array<Record<string, string>> {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const s = text.replace(/^\ufeff/u, '');
  while (i < s.length) {
    const c = s[i]!;
    if (quoted) {
      if (c === '\\' && (s[i + 1] === '"' || s[i + 1] === '\\')) {
        field += s[i + 1];
        i += 2;
        continue;
      }
      if (c === '"' && s[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i += 1;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
    i += 1;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const [header, ...body] = rows.filter((r) => !(r.length === 1 && r[0] === ''));
  if (!header) return [];
  return body.map((r) => Object.fromEntries(header.map((name, k) => [name, r[k] ?? ''])));
}

/** Row `index` of a CSV, or an error naming the file's row count. */
export function csvRow(text: string, index: number): Record<string, string> {
  const rows = parseCsv(text);
  const row = rows[index];
  if (!row) throw new Error(`CSV has ${rows.length} rows, no row ${index}`);
  return row;
}
