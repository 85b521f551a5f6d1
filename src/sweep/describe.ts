import type { Protocol } from '../domain/types.ts';
import { cleanText } from '../util/text.ts';

/**
 * A short, human-readable name for a datagram we sent, for the audit record. Pure and
 * bounded; it reads our own payloads, never a device's.
 */
export function describeDatagram(protocol: Protocol, payload: Buffer): string {
  const text = payload.subarray(0, 4096).toString('latin1');
  switch (protocol) {
    case 'wsd': {
      const types = /<[\w:-]*Types>([^<]{0,200})</u.exec(text)?.[1];
      return types ? `Probe ${cleanText(types)}` : 'Probe (no Types)';
    }
    case 'ssdp': {
      const first = text.split(/\r?\n/u, 1)[0] ?? '';
      const st = /^ST:\s*(.{0,200})$/imu.exec(text)?.[1];
      return cleanText(`${first.split(' ')[0] ?? ''} ${st ?? ''}`);
    }
    case 'sadp': {
      const types = /<Types>([^<]{0,64})</u.exec(text)?.[1];
      return `SADP ${cleanText(types ?? 'unknown')}`;
    }
    case 'dhip': {
      const method = /"method"\s*:\s*"([^"]{0,64})"/u.exec(text)?.[1];
      if (method) return `DHIP ${cleanText(method)}`;
      return payload[0] === 0xa3 ? 'Dahua v1 search' : 'DHIP';
    }
    case 'mdns':
      return `mDNS query ${mdnsQuestions(payload).join(' ')}`.trimEnd();
    default:
      return cleanText(text.split(/\r?\n/u, 1)[0] ?? '', 120);
  }
}

/** Question names of a DNS query (no compression in our own queries), bounded. */
function mdnsQuestions(buf: Buffer): string[] {
  if (buf.length < 12) return [];
  const count = Math.min(buf.readUInt16BE(4), 16);
  const names: string[] = [];
  let offset = 12;
  for (let q = 0; q < count && offset < buf.length; q += 1) {
    const labels: string[] = [];
    while (offset < buf.length) {
      const len = buf[offset]!;
      if (len === 0 || len >= 0xc0) {
        offset += len === 0 ? 1 : 2;
        break;
      }
      labels.push(buf.subarray(offset + 1, offset + 1 + len).toString('latin1'));
      offset += 1 + len;
    }
    offset += 4; // type + class
    names.push(cleanText(labels.join('.'), 120));
  }
  return names;
}
