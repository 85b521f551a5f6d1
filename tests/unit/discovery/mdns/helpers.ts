import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import dnsPacket from 'dns-packet';
import type { Answer } from 'dns-packet';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/mdns/', import.meta.url));

export function fixture(name: string): Buffer {
  return readFileSync(`${FIXTURES}${name}`);
}

/** A response encoded by dns-packet (the independent codec). */
export function response(answers: Answer[], additionals: Answer[] = []): Buffer {
  return dnsPacket.encode({ type: 'response', id: 0, flags: dnsPacket.AUTHORITATIVE_ANSWER, answers, additionals });
}

/** Reads the labels of an uncompressed name at `offset` (to check our encoder byte for byte). */
export function readLabels(buf: Buffer, offset: number): { labels: string[]; end: number } {
  const labels: string[] = [];
  let at = offset;
  for (;;) {
    const len = buf[at];
    if (len === undefined) throw new Error('name runs past the packet');
    if (len === 0) return { labels, end: at + 1 };
    labels.push(buf.subarray(at + 1, at + 1 + len).toString('utf8'));
    at += 1 + len;
  }
}

/** Questions of a query packet we built: labels, type code, class word. */
export function readQuestions(buf: Buffer): Array<{ labels: string[]; type: number; klass: number }> {
  const count = buf.readUInt16BE(4);
  const out: Array<{ labels: string[]; type: number; klass: number }> = [];
  let at = 12;
  for (let i = 0; i < count; i += 1) {
    const { labels, end } = readLabels(buf, at);
    out.push({ labels, type: buf.readUInt16BE(end), klass: buf.readUInt16BE(end + 2) });
    at = end + 4;
  }
  if (at !== buf.length) throw new Error(`trailing bytes after questions: ${buf.length - at}`);
  return out;
}

/** A deterministic PRNG for fuzz loops (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
