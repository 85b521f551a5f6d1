import stringWidth from 'string-width';
import { cleanText } from '../util/text.ts';

/**
 * The one table renderer for people (sweep, devices, sweeps, diff, outbox, receive --list,
 * show's listings), borderless, laid out by display width as string-width measures it (a CJK
 * model name takes two columns a character, an ANSI colour none). cli-table3 and table were
 * tried and measured: ~0.75 s for a 1,000-device table each, against ~10 ms here
 * (docs/decisions/terminal-table.md).
 *
 * On a terminal the table fits its width: columns that may be dropped go first (in `drop`
 * order) until the rest fits with no column cut below two thirds of its natural width, then
 * the widest shrinkable column gives way one display column at a time (never below its
 * `min`), its cells cut with an ellipsis. Rows never wrap. Without a width (a pipe, a
 * file) every column keeps its natural width.
 *
 * Every cell is cleaned of control characters, escapes and bidi controls before it is
 * measured or painted (src/util/text.ts): a hostile device name cannot drive the terminal.
 */

export interface Column<T> {
  title: string;
  get: (row: T) => string;
  /** Most display columns a cell takes (longer text is cut with an ellipsis). */
  max: number;
  /** Narrowest the column may shrink to on a narrow terminal (default: it does not shrink). */
  min?: number;
  /** Dropped on a terminal too narrow for every column at its narrowest; lower numbers go first. */
  drop?: number;
  /** Colour for the cleaned text of a cell (e.g. by status). */
  paint?: (row: T, text: string) => string;
  align?: 'left' | 'right';
}

export interface TableOptions {
  /** Terminal width: fit the table to it. */
  width?: number;
  /** Title row in bold (with colour on). */
  bold?: (text: string) => string;
}

const GAP = 2;

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/u;

/** Display width: wide characters count two, ANSI codes none (plain ASCII, the usual cell, measured by length). */
export const displayWidth = (text: string): number => (PRINTABLE_ASCII.test(text) ? text.length : stringWidth(text));

/** The column widths that fit `width` (undefined: the natural widths) and which columns stay. */
export function fitColumns(natural: readonly number[], mins: readonly number[], drops: ReadonlyArray<number | undefined>, width?: number): { widths: number[]; keep: boolean[] } {
  const keep = natural.map(() => true);
  const widths = [...natural];
  if (width === undefined) return { widths, keep };
  const total = (ws: readonly number[]): number => {
    const kept = ws.filter((_, i) => keep[i]);
    return kept.reduce((a, b) => a + b, 0) + GAP * Math.max(0, kept.length - 1);
  };
  // A column may be dropped rather than cut below two thirds of its natural width: a table of
  // fewer, readable columns over one of many cut to stubs.
  const comfortable = natural.map((n, i) => Math.max(Math.min(n, mins[i]!), Math.ceil((n * 2) / 3)));
  const order = drops.map((d, i) => [d, i] as const).filter((x): x is readonly [number, number] => x[0] !== undefined).sort((a, b) => a[0] - b[0]);
  for (const [, i] of order) {
    if (total(comfortable) <= width) break;
    keep[i] = false;
  }
  // Shrink the widest shrinkable column by one, again and again, until the table fits.
  while (total(widths) > width) {
    let widest = -1;
    for (let i = 0; i < widths.length; i += 1) {
      if (keep[i] && widths[i]! > mins[i]! && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    }
    if (widest < 0) break;
    widths[widest]! -= 1;
  }
  return { widths, keep };
}

/** The table's lines (title row first), without trailing spaces. */
export function renderTable<T>(columns: ReadonlyArray<Column<T>>, rows: readonly T[], options: TableOptions = {}): string[] {
  const cells = rows.map((r) => columns.map((c) => cleanText(c.get(r), c.max) || '-'));
  // Each cell is measured once: the natural widths, the cut and the padding use it.
  const measured = cells.map((row) => row.map(displayWidth));
  const titles = columns.map((c) => displayWidth(c.title));
  const natural = columns.map((_, i) => measured.reduce((w, row) => Math.max(w, row[i]!), titles[i]!));
  const mins = columns.map((c, i) => Math.min(natural[i]!, Math.max(c.min ?? natural[i]!, 1)));
  const { widths, keep } = fitColumns(natural, mins, columns.map((c) => c.drop), options.width);
  const shown = columns.map((_, i) => i).filter((i) => keep[i]);
  const bold = options.bold ?? ((t: string) => t);
  const line = (texts: readonly string[], sizes: readonly number[], paint: (i: number, text: string) => string): string =>
    shown
      .map((i, k) => {
        const fits = sizes[i]! <= widths[i]!;
        const text = fits ? texts[i]! : cutToWidth(texts[i]!, widths[i]!);
        const pad = ' '.repeat(Math.max(0, widths[i]! - (fits ? sizes[i]! : displayWidth(text))));
        const painted = paint(i, text);
        if (columns[i]!.align === 'right') return `${pad}${painted}`;
        return k === shown.length - 1 ? painted : `${painted}${pad}`;
      })
      .join(' '.repeat(GAP))
      .trimEnd();
  const lines = [line(columns.map((c) => c.title), titles, (_, t) => bold(t))];
  rows.forEach((row, r) => {
    lines.push(line(cells[r]!, measured[r]!, (i, t) => columns[i]!.paint?.(row, t) ?? t));
  });
  return lines;
}

/**
 * The text cut to `width` display columns with an ellipsis, before it is painted (so a cut
 * never splits an escape sequence and the colour always closes).
 */
export function cutToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (PRINTABLE_ASCII.test(text)) return `${text.slice(0, Math.max(0, width - 1))}…`;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = PRINTABLE_ASCII.test(ch) ? 1 : stringWidth(ch);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return `${out}…`;
}
