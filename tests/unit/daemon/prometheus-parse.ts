/**
 * A strict reader of the Prometheus text format (0.0.4) for the tests: every family has HELP
 * and TYPE before its samples, names and labels are well formed, escapes are valid, values are
 * numbers. Throws on anything else, so "it parses" is itself an assertion.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help: string;
  type: string;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)$`, 'u');

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)="/u.exec(text.slice(i));
    if (m === null) throw new Error(`bad label at ${i} in: ${line}`);
    i += m[0].length;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) throw new Error(`unterminated label value in: ${line}`);
      if (c === '"') break;
      if (c === '\\') {
        const e = text[i + 1];
        if (e === '\\') value += '\\';
        else if (e === '"') value += '"';
        else if (e === 'n') value += '\n';
        else throw new Error(`bad escape \\${e ?? ''} in: ${line}`);
        i += 2;
      } else {
        value += c;
        i += 1;
      }
    }
    i += 1;
    if (m[1]! in labels) throw new Error(`label ${m[1]} twice in: ${line}`);
    labels[m[1]!] = value;
    if (text[i] === ',') i += 1;
    else if (i < text.length) throw new Error(`expected , after a label in: ${line}`);
  }
  return labels;
}

function parseValue(text: string, line: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  if (!/^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/u.test(text)) throw new Error(`bad value in: ${line}`);
  return Number(text);
}

export function parsePrometheus(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, Family>();
  let current: Family | undefined;
  for (const line of text.slice(0, -1).split('\n')) {
    const help = /^# HELP (\S+) (.*)$/u.exec(line);
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/u.exec(line);
    if (help) {
      if (families.has(help[1]!)) throw new Error(`family ${help[1]} twice`);
      current = { name: help[1]!, help: help[2]!, type: '', samples: [] };
      families.set(current.name, current);
    } else if (type) {
      if (current === undefined || current.name !== type[1]) throw new Error(`TYPE without HELP: ${line}`);
      current.type = type[2]!;
    } else {
      const m = SAMPLE.exec(line);
      if (m === null) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
      const name = m[1]!;
      if (current === undefined || current.type === '') throw new Error(`sample before HELP/TYPE: ${line}`);
      const base = current.type === 'histogram' ? name.replace(/_(bucket|sum|count)$/u, '') : name;
      if (base !== current.name) throw new Error(`sample ${name} outside its family ${current.name}`);
      current.samples.push({ name, labels: m[2] === undefined ? {} : parseLabels(m[2], line), value: parseValue(m[3]!, line) });
    }
  }
  return families;
}

/** The value of one sample (labels must match exactly); throws when absent. */
export function valueOf(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const family = families.get(name) ?? families.get(name.replace(/_(bucket|sum|count)$/u, ''));
  const sample = family?.samples.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === JSON.stringify(Object.entries(labels).sort()));
  if (sample === undefined) throw new Error(`no sample ${name} ${JSON.stringify(labels)}`);
  return sample.value;
}
