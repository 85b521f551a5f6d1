import { describe, expect, it } from 'vitest';
import { deviceVars, fillTemplate, linkLocalFromMac, peerNames } from './template.ts';

describe('template', () => {
  it('derives the MAC forms and the kernel\'s EUI-64 link-local address', () => {
    // fe80::4619:b6ff:fe12:3456 is what Linux assigned eth0 for 44:19:b6:12:34:56 in a lab namespace.
    expect(linkLocalFromMac('44:19:B6:12:34:56')).toBe('fe80::4619:b6ff:fe12:3456');
    expect(deviceVars('10.66.0.13', 'AC-CC-8E-20-36-0D')).toEqual({
      ip: '10.66.0.13',
      mac: 'ac:cc:8e:20:36:0d',
      MAC: 'AC:CC:8E:20:36:0D',
      mac12: 'accc8e20360d',
      MAC12: 'ACCC8E20360D',
      macdash: 'ac-cc-8e-20-36-0d',
      ipv6ll: 'fe80::aecc:8eff:fe20:360d',
    });
  });

  it('fills strings deep in objects, leaves other braces alone, and fails on a missing value', () => {
    const vars = deviceVars('10.0.0.1', '02:00:00:00:00:01');
    expect(fillTemplate({ a: ['http://{ip}/', { b: 'x-{MAC12}' }], css: 'p{color:red}', n: 3 }, vars)).toEqual({
      a: ['http://10.0.0.1/', { b: 'x-020000000001' }],
      css: 'p{color:red}',
      n: 3,
    });
    expect(() => fillTemplate('http://{peer:cam}/', vars)).toThrow(/unfilled placeholder \{peer:cam\}/u);
    expect(fillTemplate('{peer:cam} {ip}', { 'peer:cam': '10.0.0.9' }, true)).toBe('10.0.0.9 {ip}');
    expect(peerNames({ x: ['{peer:a}', '{peer:b-1}', '{peer:a}'] })).toEqual(['a', 'b-1']);
  });
});
