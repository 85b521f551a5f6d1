import { describe, expect, it } from 'vitest';
import { analysePattern, compilePattern, fillTemplate, templateRefs } from '../../../src/fingerprint/regex.ts';

describe('pattern sanity', () => {
  it.each([
    ['(a+)+'],
    ['^(?:a|ab)*$'],
    ['^(?:-\\w+)*$'],
    ['^(\\d+\\.){3}$'],
    ['^(?:x(?:y|z))+$'],
    ['^(?:a?b)*c$'],
    ['^(?:[a-z]+){1,9}$'],
  ])('refuses a repeated group holding a quantifier or alternation: %s', (pattern) => {
    expect(analysePattern(pattern).problems.join()).toMatch(/repeated group/u);
  });

  it.each([
    ['^HIKVISION(?: (?<model>\\S{2,64}))?$'],
    ['^(?:ab)+$'],
    ['^V(?<major>\\d{1,2})\\.\\d{1,3}\\.\\d{1,3} ?build \\d{6}$'],
    ['^[(+*]+\\)+$'],
    ['^\\(a+\\)+$'],
    ['^(?:foo|bar)$'],
    ['^(?:a+)?$'],
    ['^\\u{1F600}{2}$'],
    ['^(?:ab){3}$'],
  ])('accepts %s', (pattern) => {
    expect(analysePattern(pattern).problems).toEqual([]);
  });

  it('refuses backreferences and over-long patterns', () => {
    expect(analysePattern('^(a)\\1$').problems).toContain('backreferences are not allowed');
    expect(analysePattern('^(?<x>a)\\k<x>$').problems).toContain('backreferences are not allowed');
    expect(analysePattern(`^${'a'.repeat(400)}$`).problems.join()).toMatch(/longer than 300/u);
  });

  it('lists named groups', () => {
    expect(analysePattern('^(?<model>DS-\\w+) (?<fw>V\\d)(?:x)(?=y)$').groupNames).toEqual(['model', 'fw']);
  });

  it('compiles with the u flag, or returns the engine error', () => {
    const r = compilePattern('^a$', 'i');
    expect(r).toBeInstanceOf(RegExp);
    expect((r as RegExp).flags).toBe('iu');
    expect(typeof compilePattern('^(a$', undefined)).toBe('string');
    expect(typeof compilePattern('^\\-$', undefined)).toBe('string'); // invalid escape in u mode
  });
});

describe('claim templates', () => {
  it('finds references and fills them from groups', () => {
    expect(templateRefs('Dahua $<major>.$<minor>')).toEqual(['major', 'minor']);
    expect(fillTemplate('Dahua $<major>.$<minor>', { major: '2', minor: '800' })).toBe('Dahua 2.800');
    expect(fillTemplate('$<model>', { model: '  DS-2CD  ' })).toBe('DS-2CD');
    expect(fillTemplate('fixed', undefined)).toBe('fixed');
  });

  it('drops the claim when a referenced group did not take part', () => {
    expect(fillTemplate('$<model>', { model: undefined })).toBeUndefined();
    expect(fillTemplate('$<model>', {})).toBeUndefined();
    expect(fillTemplate('$<model>', undefined)).toBeUndefined();
  });
});
