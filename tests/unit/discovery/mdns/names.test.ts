import { describe, expect, it } from 'vitest';
import { cleanName, instanceOf, isHostName, serviceTypeOf, splitInstanceName } from '../../../../src/discovery/mdns/names.ts';
import { clipSchedule } from '../../../../src/discovery/mdns/session.ts';

describe('DNS-SD names', () => {
  it('finds the service type at the end of a name, lowercased', () => {
    expect(serviceTypeOf('_Axis-Video._TCP.local')).toBe('_axis-video._tcp');
    expect(serviceTypeOf('AXIS M5014 - ACCC8E3C0419 H.264._axis-video._tcp.local.')).toBe('_axis-video._tcp');
    expect(serviceTypeOf('_printer._sub._http._tcp.local')).toBe('_http._tcp');
    expect(serviceTypeOf('_services._dns-sd._udp.local')).toBeUndefined();
    expect(serviceTypeOf('cam.local')).toBeUndefined();
    expect(serviceTypeOf('_http._tcp.example.com')).toBeUndefined();
  });

  it('splits instance and type by the suffix, never at the first dot', () => {
    expect(splitInstanceName('AXIS M5014 - ACCC8E3C0419 H.264._axis-video._tcp.local')).toEqual({
      instance: 'AXIS M5014 - ACCC8E3C0419 H.264',
      type: '_axis-video._tcp',
    });
    // an instance that itself looks like a type name
    expect(splitInstanceName('x._a._tcp._http._tcp.local')).toEqual({ instance: 'x._a._tcp', type: '_http._tcp' });
    expect(splitInstanceName('_http._tcp.local')).toBeUndefined();
    expect(splitInstanceName('_printer._sub._http._tcp.local')).toBeUndefined();
    expect(instanceOf(`${'x'.repeat(64)}._http._tcp.local`, '_http._tcp')).toBeUndefined();
  });

  it('accepts host names and rejects service names, blanks and single labels', () => {
    expect(isHostName('axis-accc8e3c0419.local.')).toBe(true);
    expect(isHostName('_tcp.local')).toBe(false);
    expect(isHostName('my cam.local')).toBe(false);
    expect(isHostName('local')).toBe(false);
    expect(isHostName('a..local')).toBe(false);
  });

  it('cleanName replaces control characters one for one and keeps spacing', () => {
    expect(cleanName('a  b\u001b[0m\u0000')).toBe('a  b [0m ');
    // every bidi control, the Arabic letter mark U+061C too (found by tests/fuzz)
    expect(cleanName('x\u061cy\u202ez')).toBe('x y z');
  });
});

describe('clipSchedule', () => {
  it('keeps rounds that leave time for replies in the window', () => {
    expect(clipSchedule([0, 1000, 2500], 3000)).toEqual([0, 1000, 2500]);
    expect(clipSchedule([0, 1000, 2500], 2000)).toEqual([0, 1000]);
    expect(clipSchedule([2500, 0, 1000, 1000, -5, Number.NaN], 1100)).toEqual([0]);
    expect(clipSchedule([], 500)).toEqual([0]);
    expect(clipSchedule([300], 200)).toEqual([0]);
  });
});
