import { describe, expect, it } from 'vitest';
import { nestedNamingScope, parseOnvifScope, safeDecode } from '../../../../src/discovery/wsd/scopes.ts';

describe('safeDecode', () => {
  it('decodes valid escapes, including UTF-8 sequences in lowercase hex', () => {
    expect(safeDecode('HIKVISION%20DS-2CD2142FWD-I')).toBe('HIKVISION DS-2CD2142FWD-I');
    expect(safeDecode('Xu%e1%ba%a5t%20c%e1%ba%a3nh')).toBe('Xuất cảnh');
    expect(safeDecode('TC-C32TS%20SPEC%3AI8%2FA')).toBe('TC-C32TS SPEC:I8/A');
  });

  it('never throws: invalid escapes stay as sent', () => {
    expect(safeDecode('100%')).toBe('100%');
    expect(safeDecode('%zz%4')).toBe('%zz%4');
    expect(safeDecode('cut%E4%B8')).toBe('cut%E4%B8');
    expect(safeDecode('%C0%AFok%20x')).toBe('%C0%AFok x');
  });
});

describe('parseOnvifScope', () => {
  it('splits key and value; the key is lowercased, the value decoded', () => {
    expect(parseOnvifScope('onvif://www.onvif.org/name/HIKVISION%20DS-2CD2142FWD-I')).toEqual({ key: 'name', value: 'HIKVISION DS-2CD2142FWD-I' });
    expect(parseOnvifScope('onvif://www.onvif.org/location/city/hangzhou')).toEqual({ key: 'location', value: 'city/hangzhou' });
    expect(parseOnvifScope('onvif://www.onvif.org/Profile/Streaming')).toEqual({ key: 'profile', value: 'Streaming' });
    expect(parseOnvifScope('onvif://www.onvif.org/MAC/58:50:ed:1f:e3:85')).toEqual({ key: 'mac', value: '58:50:ed:1f:e3:85' });
    expect(parseOnvifScope('ONVIF://WWW.ONVIF.ORG/Model/631GA')).toEqual({ key: 'model', value: '631GA' });
  });

  it('ignores other schemes, empty values and keys that are not plain words', () => {
    expect(parseOnvifScope('dvtel://www.dvtel.com/ariel/gen2')).toBeUndefined();
    expect(parseOnvifScope('onvif://www.onvif.org/location/')).toBeUndefined();
    expect(parseOnvifScope('onvif://www.onvif.org/mac')).toBeUndefined();
    expect(parseOnvifScope('onvif://www.onvif.org/na me/x')).toBeUndefined();
    expect(parseOnvifScope(`onvif://www.onvif.org/${'k'.repeat(40)}/x`)).toBeUndefined();
    expect(parseOnvifScope('onvif://www.onvif.org//x')).toBeUndefined();
  });

  it('cleans decoded control characters out of the value', () => {
    expect(parseOnvifScope('onvif://www.onvif.org/name/A%1B%5B2JB%00C')).toEqual({ key: 'name', value: 'A [2JB C' });
    expect(parseOnvifScope('onvif://www.onvif.org/name/%00%01')).toBeUndefined();
  });
});

describe('nestedNamingScope', () => {
  it('reads a maker or brand announced one level down as its own scope', () => {
    const foscam = parseOnvifScope('onvif://www.onvif.org/type/manufacturer/FOSCAM')!;
    expect(foscam).toEqual({ key: 'type', value: 'manufacturer/FOSCAM' });
    expect(nestedNamingScope(foscam)).toEqual({ key: 'manufacturer', value: 'FOSCAM' });
    expect(nestedNamingScope({ key: 'type', value: 'Brand/Acme Cam' })).toEqual({ key: 'brand', value: 'Acme Cam' });
    expect(nestedNamingScope({ key: 'extension', value: 'mfr/X' })).toEqual({ key: 'mfr', value: 'X' });
  });

  it('leaves every other scope alone', () => {
    for (const value of ['video_encoder', 'network_video_transmitter', 'city/hangzhou', 'manufacturer', 'manufacturer/', 'manufacturers/X', 'Honeywell_mask/37777']) {
      expect(nestedNamingScope({ key: 'type', value }), value).toBeUndefined();
    }
  });
});
