import { describe, expect, it } from 'vitest';
import { MAX_TXT_ENTRIES, parseTxt, txtValueText } from '../../../../src/discovery/mdns/txt.ts';
import { fixture } from './helpers.ts';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

/**
 * The Epson XP-410 TXT rdata as noddos/noddos src/Mdns_test.cxx stores it: the content of the
 * character-strings with each length byte shown as a placeholder ('^', and one '&' where the
 * test's literal has it), overwritten by the test at these offsets.
 */
const EPSON_LENGTH_OFFSETS = [0, 10, 22, 45, 59, 81, 111, 161, 174, 183, 239, 245, 253, 262, 268, 275, 340];

function epsonRdata(): { wire: Buffer; strings: Buffer[] } {
  const text = fixture('epson.xp-410.mdns-txt.txt').toString('latin1').replace(/\n$/u, '');
  const wire = Buffer.from(text, 'latin1');
  const strings: Buffer[] = [];
  EPSON_LENGTH_OFFSETS.forEach((at, i) => {
    expect('^&').toContain(text[at]);
    const end = EPSON_LENGTH_OFFSETS[i + 1] ?? wire.length;
    wire[at] = end - at - 1;
    strings.push(wire.subarray(at + 1, end));
  });
  return { wire, strings };
}

/** Splits real length-prefixed rdata the way a DNS decoder does. */
function splitRdata(wire: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < wire.length) {
    const len = wire[at]!;
    out.push(wire.subarray(at + 1, at + 1 + len));
    at += 1 + len;
  }
  expect(at).toBe(wire.length);
  return out;
}

describe('parseTxt: RFC 6763 §6', () => {
  it('skips zero-length strings (an empty TXT record carries nothing)', () => {
    expect(parseTxt([Buffer.alloc(0)])).toEqual([]);
    expect(parseTxt([Buffer.alloc(0), b('a=1'), Buffer.alloc(0)])).toEqual([{ key: 'a', value: '1' }]);
  });

  it('reads a string without "=" as a boolean attribute (value null), including 1-byte strings', () => {
    expect(parseTxt([b('Color'), b('a')])).toEqual([
      { key: 'color', value: null },
      { key: 'a', value: null },
    ]);
  });

  it('keeps "key=" as an empty value, distinct from a flag', () => {
    expect(parseTxt([b('rs='), b('note=')])).toEqual([
      { key: 'rs', value: '' },
      { key: 'note', value: '' },
    ]);
  });

  it('splits at the FIRST "=" only: values may contain "="', () => {
    expect(parseTxt([b('adminurl=http://h/?a=b=c')])).toEqual([{ key: 'adminurl', value: 'http://h/?a=b=c' }]);
  });

  it('ignores strings that start with "=" (no key)', () => {
    expect(parseTxt([b('=value'), b('='), b('k=v')])).toEqual([{ key: 'k', value: 'v' }]);
  });

  it('lowercases keys and keeps the first occurrence only', () => {
    expect(parseTxt([b('MacAddress=ACCC8E3C0419'), b('macaddress=000000000000'), b('MACADDRESS')])).toEqual([
      { key: 'macaddress', value: 'ACCC8E3C0419' },
    ]);
  });

  it('ignores keys with bytes outside printable US-ASCII', () => {
    expect(parseTxt([Buffer.from([0x6b, 0x01, 0x3d, 0x76]), b('ké=v'), b('ok=1')])).toEqual([{ key: 'ok', value: '1' }]);
  });

  it('keeps printable UTF-8 values verbatim', () => {
    expect(parseTxt([b('fn=Salle de réunion 2'), b('path=/a\\b')])).toEqual([
      { key: 'fn', value: 'Salle de réunion 2' },
      { key: 'path', value: '/a\\b' },
    ]);
  });

  it('renders binary and control-character values printable-safe with \\xNN escapes', () => {
    const entries = parseTxt([
      Buffer.from([0x6b, 0x3d, 0xff, 0x00, 0xfe, 0x41]),
      Buffer.concat([b('ansi='), Buffer.from([0x1b]), b('[31mred\\')]),
    ]);
    expect(entries).toEqual([
      { key: 'k', value: '\\xff\\x00\\xfeA' },
      { key: 'ansi', value: '\\x1b[31mred\\\\' },
    ]);
    for (const e of entries) expect(e.value).toMatch(/^[\x20-\x7e]*$/u);
  });

  it('takes 255-byte strings whole, as flag or as key=value', () => {
    const longFlag = 'f'.repeat(255);
    const longValue = `k=${'v'.repeat(253)}`;
    expect(Buffer.byteLength(longValue)).toBe(255);
    expect(parseTxt([b(longFlag), b(longValue)])).toEqual([
      { key: longFlag, value: null },
      { key: 'k', value: 'v'.repeat(253) },
    ]);
  });

  it(`keeps at most ${MAX_TXT_ENTRIES} entries`, () => {
    const many = Array.from({ length: 500 }, (_, i) => b(`k${i}=${i}`));
    const entries = parseTxt(many);
    expect(entries).toHaveLength(MAX_TXT_ENTRIES);
    expect(entries[0]).toEqual({ key: 'k0', value: '0' });
  });

  it('txtValueText escapes a value holding a bidi control, the Arabic letter mark U+061C too (found by tests/fuzz)', () => {
    expect(txtValueText(Buffer.from('a\u061cb', 'utf8'))).toBe('a\\xd8\\x9cb');
  });

  it('txtValueText escapes invalid UTF-8 rather than inserting U+FFFD', () => {
    expect(txtValueText(Buffer.from([0xc3, 0x28]))).toBe('\\xc3(');
    expect(txtValueText(Buffer.from('\ufffd', 'utf8'))).toBe('\\xef\\xbf\\xbd');
  });
});

describe('parseTxt: Epson XP-410 (_ipp._tcp) TXT, rebuilt as real length-prefixed rdata', () => {
  it('rebuilds 17 character-strings that split back exactly', () => {
    const { wire, strings } = epsonRdata();
    expect(splitRdata(wire)).toEqual(strings);
    expect(strings).toHaveLength(17);
  });

  it('decodes every key, lowercased, with exact values', () => {
    const entries = parseTxt(splitRdata(epsonRdata().wire));
    expect(entries).toEqual([
      { key: 'txtvers', value: '1' },
      { key: 'priority', value: '30' },
      { key: 'ty', value: 'EPSON XP-410 Series' },
      { key: 'usb_mfg', value: 'EPSON' },
      { key: 'usb_mdl', value: 'XP-410 Series' },
      { key: 'product', value: '(EPSON XP-410 Series)' },
      { key: 'pdl', value: 'application/octet-stream,image/urf,image/jpeg' },
      { key: 'rp', value: 'ipp/print' },
      { key: 'qtotal', value: '1' },
      { key: 'adminurl', value: 'http://EPSON410.local.:80/PRESENTATION/BONJOUR' },
      { key: 'note', value: '' },
      { key: 'color', value: 'T' },
      { key: 'duplex', value: 'F' },
      { key: 'fax', value: 'F' },
      { key: 'scan', value: 'T' },
      { key: 'urf', value: 'CP1,MT1-3-8-10-11-12,PQ4-5,OB9,OFU0,RS360,SRGB24,W8,IS1,V1.2' },
      { key: 'uuid', value: 'cfe92100-67c4-11d4-a45f-ac1826841a46' },
    ]);
  });
});
