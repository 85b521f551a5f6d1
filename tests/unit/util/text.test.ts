import { describe, expect, it } from 'vitest';
import { cleanText, normaliseMac } from '../../../src/util/text.ts';

describe('cleanText', () => {
  it('removes control characters, ANSI escapes and bidi overrides, folds space, caps length', () => {
    expect(cleanText('HIK\u001b[31mVISION\u0007\r\n  cam\u202e')).toBe('HIK [31mVISION cam');
    expect(cleanText('a'.repeat(600))).toHaveLength(512);
    expect(cleanText(undefined)).toBe('');
    expect(cleanText(42)).toBe('42');
  });

  it('removes every bidi control, the Arabic letter mark U+061C too (found by tests/fuzz)', () => {
    expect(cleanText('a\u061cb\u200ec\u200fd\u2066e\u2069')).toBe('a b c d e');
  });
});

describe('normaliseMac', () => {
  it.each([
    ['44:19:B6:4B:F1:A2', '44:19:b6:4b:f1:a2'],
    ['44-19-b6-4b-f1-a2', '44:19:b6:4b:f1:a2'],
    ['ACCC8E3C0419', 'ac:cc:8e:3c:04:19'],
    ['accc.8e3c.0419', 'ac:cc:8e:3c:04:19'],
    // net-snmp drops an octet's leading zero (corpus dahua/librenms-8126-dh-nvr.mac.json)
    ['3c:ef:8c:8:4e:1e', '3c:ef:8c:08:4e:1e'],
    ['0-1f-54-a-b-c', '00:1f:54:0a:0b:0c'],
    ['3c:ef:8c:8:4e', undefined],
    ['00:00:00:00:00:00', undefined],
    ['ff:ff:ff:ff:ff:ff', undefined],
    ['mac 00112233', undefined],
    ['0011223344556', undefined],
    ['', undefined],
  ])('%s -> %s', (input, expected) => {
    expect(normaliseMac(input)).toBe(expected);
  });
});
