/**
 * What every decoder's output must satisfy, whatever it was fed: strings clean and bounded,
 * lists bounded, errors only with documented codes, nothing global changed. Plain checks
 * that throw (cheaper than expect() when run a few million times).
 */
import { CamsweepError } from '../../../src/domain/errors.ts';
import type { Evidence, Observation, Protocol } from '../../../src/domain/types.ts';

/**
 * Characters that must never reach a terminal or a report from a device: C0 (tab and line
 * breaks included: values are single-line), DEL, C1, the bidi controls (Trojan Source:
 * embeddings, overrides, isolates, LRM/RLM/ALM), zero-width characters and the BOM.
 */
// eslint-disable-next-line no-control-regex
export const UNSAFE_CHAR = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;
/** Line and paragraph separators: cleanText folds them like any white space (evidence is one line). */
const SEPARATOR = /[\u2028\u2029]/u;

export function fail(message: string): never {
  throw new Error(message);
}

export function check(condition: boolean, message: () => string): void {
  if (!condition) fail(message());
}

const show = (s: string): string => JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…(${s.length} chars)` : s);

/** A string a device influenced: at most `max` UTF-16 units, no unsafe character. */
export function checkClean(s: string, max: number, where: string): void {
  check(typeof s === 'string', () => `${where}: not a string`);
  check(s.length <= max, () => `${where}: ${s.length} chars (limit ${max}): ${show(s)}`);
  const bad = UNSAFE_CHAR.exec(s);
  check(bad === null, () => `${where}: U+${bad![0].codePointAt(0)!.toString(16).padStart(4, '0')} in ${show(s)}`);
}

/** A string that is bounded but may hold raw bytes as text (a DHIP body, a dst key). */
export function checkLength(s: string, max: number, where: string): void {
  check(typeof s === 'string' && s.length <= max, () => `${where}: ${typeof s === 'string' ? s.length : typeof s} chars (limit ${max})`);
}

export interface Limits {
  /** Longest string anywhere in the value. */
  maxString: number;
  /** Most strings and numbers in all (array items and object keys count too). */
  maxNodes: number;
  /** Object paths (dotted, array indexes as `[]`) whose strings may hold any character. */
  raw?: RegExp;
  /** Deepest nesting (default 32). */
  maxDepth?: number;
}

/**
 * Walks a decoder's output (plain data; Buffers are counted by length): every string within
 * `maxString` and clean unless its path is `raw`, every key clean, at most `maxNodes` in all.
 */
export function checkTree(value: unknown, limits: Limits, where: string): void {
  let nodes = 0;
  const stack: Array<{ v: unknown; path: string; depth: number }> = [{ v: value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { v, path, depth } = stack.pop()!;
    nodes += 1;
    check(nodes <= limits.maxNodes, () => `${where}: more than ${limits.maxNodes} values in the output`);
    check(depth <= (limits.maxDepth ?? 32), () => `${where}${path}: nested deeper than ${limits.maxDepth ?? 32}`);
    if (typeof v === 'string') {
      if (limits.raw?.test(path)) checkLength(v, limits.maxString, `${where}${path}`);
      else checkClean(v, limits.maxString, `${where}${path}`);
    } else if (typeof v === 'number') {
      check(!Number.isNaN(v), () => `${where}${path}: NaN`);
    } else if (Buffer.isBuffer(v)) {
      check(v.length <= limits.maxString, () => `${where}${path}: ${v.length}-byte Buffer`);
    } else if (v instanceof Date) {
      check(!Number.isNaN(v.getTime()), () => `${where}${path}: invalid Date`);
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push({ v: item, path: `${path}[]`, depth: depth + 1 });
    } else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        if (limits.raw?.test(`${path}.${k}`)) checkLength(k, limits.maxString, `${where}${path} key`);
        else checkClean(k, 256, `${where}${path} key`);
        stack.push({ v: item, path: `${path}.${k}`, depth: depth + 1 });
      }
    } else {
      check(v === undefined || v === null || typeof v === 'boolean', () => `${where}${path}: unexpected ${typeof v}`);
    }
  }
}

/** Evidence values are cleanText'd (512), fields are code-built names with bounded device parts. */
export const EVIDENCE_VALUE_MAX = 512;
export const EVIDENCE_FIELD_MAX = 128;

/** mDNS keeps TXT flags (`key` without `=`) as evidence with an empty value: presence is the fact. */
const EMPTY_VALUES_ALLOWED: ReadonlySet<Protocol> = new Set(['mdns']);

export function checkEvidence(evidence: readonly Evidence[], cap: number, protocol: Protocol, where: string): void {
  check(evidence.length <= cap, () => `${where}: ${evidence.length} evidence items (cap ${cap})`);
  const seen = new Set<string>();
  for (const e of evidence) {
    check(e.protocol === protocol, () => `${where}: evidence of protocol ${e.protocol}`);
    checkClean(e.field, EVIDENCE_FIELD_MAX, `${where} field`);
    check(/^[a-z][A-Za-z0-9]*\./u.test(e.field), () => `${where}: field ${show(e.field)} not under a protocol prefix`);
    checkClean(e.value, EVIDENCE_VALUE_MAX, `${where} ${e.field}`);
    check(!SEPARATOR.test(e.value), () => `${where} ${e.field}: line separator in ${show(e.value)}`);
    check(e.value !== '' || EMPTY_VALUES_ALLOWED.has(protocol), () => `${where}: empty value for ${e.field}`);
    const key = `${e.field}\u0000${e.value}`;
    check(!seen.has(key), () => `${where}: duplicate evidence ${e.field}=${show(e.value)}`);
    seen.add(key);
  }
}

/** An Observation: its evidence, its ip as given, and bounded identifiers and endpoints. */
export function checkObservation(obs: Observation, cap: number, protocol: Protocol, ip: string, where: string): void {
  check(obs.protocol === protocol, () => `${where}: protocol ${obs.protocol}`);
  check(obs.ip === ip, () => `${where}: ip ${obs.ip} is not the datagram's source ${ip}`);
  checkEvidence(obs.evidence, cap, protocol, where);
  if (obs.mac !== undefined) check(/^(?:[0-9a-f]{2}:){5}[0-9a-f]{2}$/u.test(obs.mac), () => `${where}: mac ${show(obs.mac!)}`);
  const { evidence: _e, ...rest } = obs;
  checkTree(rest, { maxString: 1024, maxNodes: 256 }, `${where} observation`);
  for (const p of obs.endpoints?.httpPorts ?? []) check(Number.isInteger(p) && p >= 1 && p <= 65_535, () => `${where}: http port ${p}`);
}

/** A stable error code: upper-case words joined by underscores. */
export const CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/u;

/**
 * Runs `fn`; a throw must be a CamsweepError with one of `codes` and a bounded, clean
 * message. Returns the result, or undefined when it threw as documented.
 */
export function allowCodes<T>(fn: () => T, codes: readonly string[], where: string): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof CamsweepError)) {
      const e = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      fail(`${where}: undocumented exception escaped: ${e}`);
    }
    check(CODE.test(err.code) && codes.includes(err.code), () => `${where}: error code ${err.code} (allowed: ${codes.join(', ')})`);
    checkClean(err.message, 1024, `${where} ${err.code} message`);
    return undefined;
  }
}

/** Runs `fn`, which must not throw at all. */
export function noThrow<T>(fn: () => T, where: string): T {
  try {
    return fn();
  } catch (err) {
    const e = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return fail(`${where}: exception escaped: ${e}`);
  }
}

const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).length;

/** Nothing a device sent may add a property to Object.prototype (prototype pollution). */
export function checkNoPollution(where: string): void {
  check(Object.getOwnPropertyNames(Object.prototype).length === PROTOTYPE_KEYS, () => `${where}: Object.prototype was changed`);
  check(!('polluted' in {}), () => `${where}: Object.prototype.polluted is set`);
}
