import type { Vendor, Vocabulary } from './vocabulary.ts';

/**
 * A device's own words: the one generic matcher that finds vendor names in what a device
 * states about itself (ONVIF Manufacturer, UPnP manufacturer and model text, DHIP Vendor, an
 * HTTP realm or title, a certificate's organisation...), driven by config/vendors.yaml.
 *
 * Values and vocabulary spellings are normalised the same way (Unicode compatibility form,
 * lower case, every run of non-alphanumerics one separator, legal suffixes such as "Co., Ltd."
 * or "Inc." dropped at the end) and compared as word sequences, never as substrings:
 * "HIKVISION DS-2CD2142FWD-I" names Hikvision, "Axisymmetric" does not name Axis. The longest
 * spelling wins where two overlap, so "Shanghai Dahua Scale Factory" names the scale maker the
 * vocabulary lists, not Dahua. Names that are common words (Canon, Ring, Apple: vendor
 * `match: whole`) and `exactAliases` (XM, General) count only as a field's whole value.
 * Domains (hikvision.com, www.dahuatech.com) are found in URLs and host names.
 *
 * Pure and bounded: values are cut to MAX_VALUE_CHARS and at most MAX_TOKENS words are read.
 */

export const MAX_VALUE_CHARS = 512;
export const MAX_TOKENS = 64;

/** Words a company's legal name ends with, dropped before comparing (in any combination). */
const LEGAL_SUFFIXES: ReadonlySet<string> = new Set([
  'co', 'ltd', 'limited', 'inc', 'incorporated', 'llc', 'lp', 'corp', 'corporation', 'company', 'gmbh', 'mbh', 'ag', 'kg',
  'ab', 'as', 'asa', 'oy', 'oyj', 'sa', 'sas', 'sarl', 'srl', 'spa', 'bv', 'nv', 'plc', 'pty', 'pte', 'kk', 'pvt', 'private', 'sro', 'a', 's',
  'the',
]);

export type NameMatchHow = 'word' | 'whole' | 'domain';

export interface NameMatch {
  vendor: Vendor;
  /** The spelling of the vocabulary that matched (name, alias, legal name or domain). */
  spelling: string;
  how: NameMatchHow;
}

interface Spelling {
  tokens: readonly string[];
  text: string;
  vendor: Vendor;
  /** Only as a whole value (or, for `match: whole` names, at the start of a product field). */
  wholeOnly: boolean;
  /** An exactAlias: only ever a whole value. */
  exact: boolean;
}

export interface FindOptions {
  /**
   * Whether a whole-only name may also open a longer value ("Canon MF620C Series", "Apple TV"):
   * true for fields that name a product, false for free text, where common words abound.
   */
  prefix?: boolean;
}

export interface NameIndex {
  /** Every vendor named by `value` (longest spellings first, each vendor once). */
  find(value: string, options?: FindOptions): NameMatch[];
}

/**
 * Lower-case words of `value` (NFKC, separators collapsed, camel case split: the server
 * string "AvigilonOnvifNvt/2.6" is the words avigilon onvif nvt 2 6; a word of three letters or
 * more running into digits is split too: "4.9.94-axis5" holds axis), at most MAX_TOKENS.
 */
export function nameTokens(value: string, options: { camel?: boolean } = {}): string[] {
  const nfkc = value.slice(0, MAX_VALUE_CHARS).normalize('NFKC');
  // Split camel case and a word running into digits ("axis5" in a kernel string "-axis5"); digits
  // running into letters stay one word (model codes such as 2CD).
  const text = (options.camel === false ? nfkc : nfkc.replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2').replace(/(\p{L}{3})(\p{N})/gu, '$1 $2')).toLowerCase();
  const words = text.split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '');
  return words.slice(0, MAX_TOKENS);
}

/**
 * Words of `value` as nameTokens gives them, with where each stands: `chunkStart` for the first
 * word of a chunk (chunks are separated by white space and by / ; , ( ) [ ] | and quotes:
 * "Linux/3.10 UPnP/1.0" is four chunks, a model code "AV1145DN-3310-D-LG" one), `glued` when the
 * next word was split off the same run of letters and digits ("avm" in "AVM80"), and
 * `codeChunk` when the word's chunk holds a digit (a model code, a version).
 */
export interface TokenInfo {
  tokens: string[];
  chunkStart: boolean[];
  glued: boolean[];
  codeChunk: boolean[];
}

const CHUNK_SEPARATOR = /[\s/;,()[\]|"'`]+/u;

export function tokenInfo(value: string, options: { camel?: boolean } = {}): TokenInfo {
  const out: TokenInfo = { tokens: [], chunkStart: [], glued: [], codeChunk: [] };
  const nfkc = value.slice(0, MAX_VALUE_CHARS).normalize('NFKC');
  for (const chunk of nfkc.split(CHUNK_SEPARATOR)) {
    if (chunk === '') continue;
    const code = /\p{N}/u.test(chunk);
    let first = true;
    for (const run of chunk.split(/[^\p{L}\p{N}]+/u)) {
      if (run === '') continue;
      const words = nameTokens(run, options);
      words.forEach((w, i) => {
        if (out.tokens.length >= MAX_TOKENS) return;
        out.tokens.push(w);
        out.chunkStart.push(first && i === 0);
        out.glued.push(i < words.length - 1);
        out.codeChunk.push(code);
      });
      first = false;
    }
  }
  return out;
}

/** Spellings this short (letters and digits) are read only where they cannot be part of a code. */
export const SHORT_NAME = 3;

/** `tokens` without the legal suffixes at its end ("acme industries co ltd" -> "acme industries"). */
export function withoutLegalSuffix(tokens: readonly string[]): readonly string[] {
  let end = tokens.length;
  while (end > 1 && LEGAL_SUFFIXES.has(tokens[end - 1]!)) end -= 1;
  return tokens.slice(0, end);
}

const HOST = /(?<![\p{L}\p{N}.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,8}[a-z]{2,24}(?![\p{L}\p{N}-])/giu;

/** Host names in a value (a URL's host, a bare www.example.com), lower case. */
export function hostNames(value: string): string[] {
  return [...value.slice(0, MAX_VALUE_CHARS).matchAll(HOST)].map((m) => m[0].toLowerCase());
}

function sameTokens(a: readonly string[], b: readonly string[], at = 0): boolean {
  if (at + b.length > a.length) return false;
  for (let i = 0; i < b.length; i += 1) if (a[at + i] !== b[i]) return false;
  return true;
}

export function buildNameIndex(vocabulary: Vocabulary): NameIndex {
  const byFirst = new Map<string, Spelling[]>();
  const domains: Array<{ domain: string; vendor: Vendor }> = [];
  // Each spelling is indexed as written and with camel case split ("NetSurveillance" is both
  // netsurveillance and net surveillance), and values are read both ways too: "NETSurveillance
  // WEB" and "Net Surveillance" both find it.
  const add = (text: string, vendor: Vendor, wholeOnly: boolean, exact = false): void => {
    for (const camel of [true, false]) {
      const tokens = withoutLegalSuffix(nameTokens(text, { camel }));
      if (tokens.length === 0) continue;
      const list = byFirst.get(tokens[0]!) ?? [];
      if (!list.some((s) => s.vendor === vendor && sameTokens(s.tokens, tokens) && s.tokens.length === tokens.length)) {
        list.push({ tokens, text, vendor, wholeOnly, exact });
      }
      byFirst.set(tokens[0]!, list);
    }
  };
  for (const v of vocabulary.vendors) {
    const whole = v.match === 'whole';
    add(v.name, v, whole);
    for (const a of v.aliases) add(a, v, whole);
    for (const a of v.exactAliases) add(a, v, true, true);
    // Legal names are long and specific: found anywhere.
    if (v.entity !== undefined) add(v.entity, v, false);
    for (const l of v.legalNames) add(l, v, false);
    for (const d of v.domains) domains.push({ domain: d, vendor: v });
  }
  for (const list of byFirst.values()) list.sort((a, b) => b.tokens.length - a.tokens.length);

  /**
   * Whether a short spelling at [start, end) stands as a name, not as a piece of a code: it
   * opens its chunk and is not glued to the next word ("LG" in "AV1145DN-3310-D-LG", "2N" in
   * "DS-3WF1000-EI-2N", "HP" in "IP816A-HP" and "AVM" in "AVM80" are parts of model codes).
   */
  const standsAlone = (info: TokenInfo, start: number, end: number, s: Spelling): boolean => {
    if (s.tokens.join('').length > SHORT_NAME) return true;
    if (info.glued[end - 1] === true) return false;
    return info.chunkStart[start] === true || info.codeChunk[start] !== true;
  };

  /** Vendors named in one tokenisation of a value: longest spellings first, no overlaps. */
  const findIn = (info: TokenInfo, options: FindOptions): NameMatch[] => {
    const { tokens } = info;
    const core = withoutLegalSuffix(tokens);
    const hits: Array<{ start: number; end: number; spelling: Spelling }> = [];
    for (let i = 0; i < tokens.length; i += 1) {
      for (const s of byFirst.get(tokens[i]!) ?? []) {
        if (!sameTokens(tokens, s.tokens, i)) continue;
        if (!standsAlone(info, i, i + s.tokens.length, s)) continue;
        if (s.wholeOnly && !(i === 0 && (s.tokens.length === core.length || (options.prefix === true && !s.exact)))) continue;
        hits.push({ start: i, end: i + s.tokens.length, spelling: s });
      }
    }
    // Longest first; a shorter spelling inside a longer one's span is not a separate name.
    hits.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
    const taken: Array<[number, number]> = [];
    const out: NameMatch[] = [];
    for (const h of hits) {
      if (taken.some(([s, e]) => h.start < e && s < h.end)) continue;
      taken.push([h.start, h.end]);
      if (out.some((m) => m.vendor === h.spelling.vendor)) continue;
      const how: NameMatchHow = h.start === 0 && h.end === core.length ? 'whole' : 'word';
      out.push({ vendor: h.spelling.vendor, spelling: h.spelling.text, how });
    }
    return out;
  };

  /**
   * What find() said of a value, by value and options: a sweep asks about the same strings over
   * and over (every Hikvision unit's manufacturer, server header, model prefix), and tokenising
   * them was most of a verdict's CPU time. Bounded: emptied when full.
   */
  const found = new Map<string, readonly NameMatch[]>();
  const FOUND_MAX = 8192;

  return {
    find(value: string, options: FindOptions = {}): NameMatch[] {
      const key = `${options.prefix === true ? 'p' : 'w'}${value}`;
      const known = found.get(key);
      if (known !== undefined) return [...known];
      const out = findUncached(value, options);
      if (found.size >= FOUND_MAX) found.clear();
      found.set(key, Object.freeze([...out]));
      return out;
    },
  };

  function findUncached(value: string, options: FindOptions): NameMatch[] {
    const out: NameMatch[] = [];
    for (const camel of [true, false]) {
      for (const m of findIn(tokenInfo(value, { camel }), options)) if (!out.some((o) => o.vendor === m.vendor)) out.push(m);
    }
    for (const host of hostNames(value)) {
      for (const d of domains) {
        if ((host === d.domain || host.endsWith(`.${d.domain}`)) && !out.some((m) => m.vendor === d.vendor)) {
          out.push({ vendor: d.vendor, spelling: d.domain, how: 'domain' });
        }
      }
    }
    return out;
  }
}
