import { PROTOCOLS, type Evidence } from '../domain/types.ts';
import type { Claims } from '../domain/verdict.ts';
import { cleanText } from '../util/text.ts';
import { displayWidth } from '../output/table.ts';
import { PLAIN_VIEW, type View } from '../output/view.ts';
import type { StoredDevice } from './device-json.ts';
import type { InventoryDevice } from './types.ts';

/**
 * `camsweep show`: one device with everything behind its verdict: identity, the verdict with
 * its pack, rule, source and reason, the attribution (manufacturer of record, brand,
 * confidence, candidates, conflicts), every fingerprint that matched, every piece of evidence
 * grouped by protocol, and the verdict history. Every value is cleaned for the terminal.
 */

export type ShowFormat = 'text' | 'json';
export const SHOW_FORMATS: readonly ShowFormat[] = ['text', 'json'];

const c = (value: unknown, max = 512): string => cleanText(value, max) || '-';
const time = (iso: string): string => iso.replace(/\.\d{3}Z$/u, 'Z');
const LABEL = 14;

/** Width the text view is laid out for when the terminal's is not known (a pipe, a file). */
export const SHOW_WIDTH = 80;

/**
 * `text` in lines of at most `width` display columns, broken at spaces (a word longer than a
 * line is cut where it must be), the first line after `first`, the others after `indent`.
 */
export function wrap(text: string, width: number, first: string, indent: string): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  const room = (prefix: string): number => Math.max(10, width - displayWidth(prefix));
  const flush = (): void => {
    lines.push(line.trimEnd());
    line = indent;
    empty = true;
  };
  for (let word of text.split(' ')) {
    while (displayWidth(word) > room(indent)) {
      // Too long for any line: fill this one (or a fresh one) and go on with the rest.
      if (!empty) flush();
      const head = cutPlain(word, room(line === first ? first : indent));
      line += head;
      word = word.slice(head.length);
      flush();
    }
    const next = empty ? word : ` ${word}`;
    if (!empty && displayWidth(line) + displayWidth(next) > width) flush();
    line += empty ? word : next;
    empty = false;
  }
  if (!empty || lines.length === 0) lines.push(line.trimEnd());
  return lines;
}

/** The longest start of `text` that fits `width` display columns (no ellipsis: wrap goes on). */
function cutPlain(text: string, width: number): string {
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = displayWidth(ch);
    if (used + w > width) break;
    out += ch;
    used += w;
  }
  return out === '' ? [...text][0] ?? '' : out;
}

function claims(k: Claims): string {
  const parts: string[] = [];
  if (k.manufacturer !== undefined) parts.push(`manufacturer ${c(k.manufacturer, 64)}`);
  if (k.brand !== undefined) parts.push(`brand ${c(k.brand, 64)}`);
  if (k.model !== undefined) parts.push(`model ${c(k.model, 64)}`);
  if (k.firmwareFamily !== undefined) parts.push(`firmware ${c(k.firmwareFamily, 64)}`);
  if (k.kind !== undefined) parts.push(`kind ${k.kind}`);
  return parts.length === 0 ? 'nothing' : parts.join(', ');
}

function evidenceByProtocol(evidence: readonly Evidence[], width: number): string[] {
  const order = [...PROTOCOLS, ...new Set(evidence.map((e) => e.protocol).filter((p) => !PROTOCOLS.includes(p)))];
  const lines: string[] = [];
  for (const protocol of order) {
    const items = evidence.filter((e) => e.protocol === protocol);
    if (items.length === 0) continue;
    lines.push(`  ${c(protocol, 16)}`);
    for (const e of items) lines.push(...wrap(`${c(e.field, 128)} = ${c(e.value)}`, width, '    ', '        '));
  }
  return lines;
}

/**
 * The text view, laid out for `view.width` columns (80 when unknown): every value wraps under
 * its label, fingerprint matches and history entries take a line each with their details
 * indented below, the verdict's status in its colour.
 */
export function formatShowText(item: InventoryDevice, view: View = PLAIN_VIEW): string {
  const width = Math.max(40, view.width ?? SHOW_WIDTH);
  const row = (label: string, value: string): string => wrap(value, width, `  ${label.padEnd(LABEL)}`, ' '.repeat(LABEL + 2)).join('\n');
  const d = item.latest as StoredDevice;
  const v = d.verdict;
  const ids = d.identifiers;
  const identifiers = (['epr', 'udn', 'serial', 'hostname'] as const).filter((k) => ids[k] !== undefined).map((k) => `${k} ${c(ids[k], 200)}`);
  const out: string[] = [
    `Device ${c(item.id, 32)}`,
    row('IP', c(d.ip, 64)),
    ...(d.addresses.length > 1 ? [row('Addresses', d.addresses.map((a) => c(a, 64)).join(', '))] : []),
    row('MAC', c(d.mac, 32)),
    row('Identifiers', identifiers.length === 0 ? '-' : identifiers.join('; ')),
    row('Kind', d.kind),
    row('Model', c(d.model)),
    row('Firmware', c(d.firmware)),
    row('Serial', c(d.serial)),
    row('Interfaces', d.interfaces.length === 0 ? '-' : d.interfaces.map((i) => c(i, 32)).join(', ')),
    row('Protocols', d.protocols.join(', ') || '-'),
    row('First seen', time(item.firstSeen)),
    row(
      'Last seen',
      `${time(item.lastSeen)}${item.present === false ? ' (gone since: a later sweep missed it)' : item.leaving !== undefined ? ` (said goodbye at ${time(item.leaving)}: possibly gone until the next sweep)` : ''}`,
    ),
    row('Sweeps', String(item.sweeps)),
    '',
    `Verdict: ${view.color.status(v.status, v.status.toUpperCase())}`,
    row('Reason', c(v.reason, 2000)),
  ];
  if (v.pack !== undefined) out.push(row('Pack', c(v.pack, 64)));
  if (v.rule !== undefined) out.push(row('Rule', c(v.rule, 64)));
  if (v.entity !== undefined) out.push(row('Entity', c(v.entity, 200)));
  if (v.source !== undefined) out.push(row('Source', `${c(v.source.document, 300)} (${c(v.source.date, 32)}) ${c(v.source.url, 500)}`));
  if (v.scope !== undefined) out.push(row('Scope', c(v.scope, 2000)));

  const a = d.attribution;
  out.push('', 'Attribution');
  if (a === undefined) out.push('  none: this device was recorded without fingerprinting');
  else {
    out.push(
      row('Manufacturer', a.manufacturer === null ? 'not established' : `${c(a.manufacturer, 64)} (manufacturer of record)`),
      row('Brand', a.brand === null ? '-' : `${c(a.brand, 64)} (the label)`),
      row('Model', c(a.model)),
      row('Firmware', c(a.firmwareFamily)),
      row('Kind', a.kind ?? '-'),
      row('Confidence', a.confidence.toFixed(2)),
      row(
        'Candidates',
        a.candidates.length === 0 ? 'none' : a.candidates.map((k) => `${c(k.manufacturer, 64)} ${k.score.toFixed(2)} (${k.fingerprints.map((f) => c(f, 80)).join(', ')})`).join('; '),
      ),
      row('Conflicts', a.conflicts.length === 0 ? 'none' : c(a.conflicts[0], 1000)),
      ...a.conflicts.slice(1).map((x) => row('', c(x, 1000))),
    );
    out.push('', `Fingerprints (${a.matches.length})`);
    for (const m of a.matches) {
      out.push(`  ${c(m.fingerprint, 80)}  weight ${m.weight.toFixed(2)}`);
      out.push(...wrap(`${c(m.field, 80)} = ${c(m.value, 200)}`, width, '      ', '          '));
      out.push(...wrap(`claims ${claims(m.claims)}`, width, '      ', '          '));
    }
  }

  out.push('', `Evidence (${d.evidence.length}${d.evidenceTruncated === true ? ', truncated when stored' : ''})`, ...evidenceByProtocol(d.evidence, width));

  out.push('', `Verdict history (${item.verdicts.length})`);
  for (const h of item.verdicts) {
    const rule = h.pack !== undefined || h.rule !== undefined ? `${c(h.pack, 64)}/${c(h.rule, 64)}` : '-';
    out.push(`  ${time(h.at)}  ${view.color.status(h.status, h.status)}  ${rule}`);
    out.push(...wrap(`sweep ${c(h.sweepId, 64)}`, width, '      ', '      '));
    out.push(...wrap(c(h.reason, 1000), width, '      ', '      '));
  }
  return `${out.join('\n')}\n`;
}

export function formatShow(item: InventoryDevice, format: ShowFormat, view: View = PLAIN_VIEW): string {
  return format === 'json' ? `${JSON.stringify(item, null, 2)}\n` : formatShowText(item, view);
}
