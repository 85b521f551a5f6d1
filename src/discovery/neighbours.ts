import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { normaliseMac } from '../util/text.ts';

/**
 * The kernel's neighbour table: IP -> MAC for hosts we exchanged unicast traffic with, both
 * address families. Entries exist only after contact, so the sweep reads it last. Read with
 * `ip -j neigh show` (IPv4 and IPv6), falling back to /proc/net/arp (IPv4) where iproute2 is
 * missing. Entries without a MAC (INCOMPLETE, FAILED) are skipped.
 */
export type NeighbourTable = Map<string, string>;

const UNUSABLE_STATES = new Set(['INCOMPLETE', 'FAILED', 'NOARP']);

export function parseIpNeighJson(text: string): NeighbourTable {
  const table: NeighbourTable = new Map();
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch {
    return table;
  }
  if (!Array.isArray(entries)) return table;
  for (const entry of entries.slice(0, 100_000)) {
    if (!entry || typeof entry !== 'object') continue;
    const { dst, lladdr, state } = entry as { dst?: unknown; lladdr?: unknown; state?: unknown };
    if (typeof dst !== 'string' || typeof lladdr !== 'string') continue;
    if (Array.isArray(state) && state.some((s) => typeof s === 'string' && UNUSABLE_STATES.has(s))) continue;
    const mac = normaliseMac(lladdr);
    if (mac) table.set(dst, mac);
  }
  return table;
}

export function parseProcNetArp(text: string): NeighbourTable {
  const table: NeighbourTable = new Map();
  const lines = text.split('\n').slice(1, 100_001);
  for (const line of lines) {
    const cols = line.trim().split(/\s+/u);
    if (cols.length < 4) continue;
    const [ip, , flags, hw] = cols;
    // flags 0x0 = incomplete entry: no MAC learnt.
    if (!ip || !hw || flags === '0x0') continue;
    const mac = normaliseMac(hw);
    if (mac) table.set(ip, mac);
  }
  return table;
}

function ipNeigh(timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('ip', ['-j', 'neigh', 'show'], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
      resolve(err ? undefined : stdout);
    });
  });
}

export async function readNeighbours(options: { timeoutMs?: number; procPath?: string } = {}): Promise<NeighbourTable> {
  const json = await ipNeigh(options.timeoutMs ?? 2000);
  if (json !== undefined) return parseIpNeighJson(json);
  try {
    return parseProcNetArp(await readFile(options.procPath ?? '/proc/net/arp', 'utf8'));
  } catch {
    return new Map();
  }
}
