import { readFile } from 'node:fs/promises';
import { normaliseMac } from '../util/text.ts';

/**
 * The kernel's IPv4 neighbour table (`/proc/net/arp`): IP -> MAC for hosts we exchanged
 * unicast traffic with. Entries exist only after contact, so the sweep reads it last.
 */
export function parseProcNetArp(text: string): Map<string, string> {
  const table = new Map<string, string>();
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

export async function readNeighbours(path = '/proc/net/arp'): Promise<Map<string, string>> {
  try {
    return parseProcNetArp(await readFile(path, 'utf8'));
  } catch {
    return new Map();
  }
}
