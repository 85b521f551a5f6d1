import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  BASE64_BINARY,
  clockOffsetMs,
  deviceNow,
  formatCreated,
  PASSWORD_DIGEST,
  passwordDigest,
  usernameTokenHeader,
} from '../../../src/enrich/wsse.ts';
import { child, parseXml, textAt } from '../../../src/util/xml.ts';

describe('passwordDigest', () => {
  it("matches the worked example of the ONVIF Application Programmer's Guide (6.1.1.3)", () => {
    const nonce = Buffer.from('LKqI6G/AikKCQrN0zqZFlg==', 'base64');
    expect(passwordDigest(nonce, '2010-09-16T07:50:45Z', 'userpassword')).toBe('tuOSpGlFlIXsozq4HFNeeGeFLEI=');
  });

  it('is Base64(SHA-1(nonce + created + password)) over raw bytes, UTF-8 password included', () => {
    const nonce = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x7f]);
    const created = '2026-11-26T10:00:00Z';
    const password = 'pässwörd';
    const expected = createHash('sha1')
      .update(Buffer.concat([nonce, Buffer.from(created), Buffer.from(password, 'utf8')]))
      .digest('base64');
    expect(passwordDigest(nonce, created, password)).toBe(expected);
  });
});

describe('device clock', () => {
  it('formats Created as UTC seconds without fractions', () => {
    expect(formatCreated(new Date('2010-09-16T07:50:45.987Z'))).toBe('2010-09-16T07:50:45Z');
  });

  it('shifts the local clock by the offset measured from the device', () => {
    const local = new Date('2026-11-26T10:00:00Z');
    const device = new Date('2018-09-12T05:34:10Z');
    const offset = clockOffsetMs(device, local);
    expect(deviceNow(() => new Date(local.getTime() + 5000), offset).toISOString()).toBe('2018-09-12T05:34:15.000Z');
  });
});

describe('usernameTokenHeader', () => {
  const nonce = Buffer.from('LKqI6G/AikKCQrN0zqZFlg==', 'base64');

  it('builds the UsernameToken on the device clock, with the digest and never the password', () => {
    const local = new Date('2026-11-26T10:00:00Z');
    const offsetMs = clockOffsetMs(new Date('2010-09-16T07:50:45Z'), local);
    const header = usernameTokenHeader({ username: 'admin', password: 'userpassword' }, { now: () => local, offsetMs, nonce: () => nonce });
    expect(header).not.toContain('userpassword');
    // parse it inside an envelope that declares the `s` prefix the header uses
    const doc = parseXml(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header>${header}</s:Header></s:Envelope>`);
    const token = child(doc, 'Envelope', 'Header', 'Security', 'UsernameToken');
    expect(textAt(token, 'Username')).toBe('admin');
    expect(textAt(token, 'Password')).toBe('tuOSpGlFlIXsozq4HFNeeGeFLEI=');
    expect(textAt(token, 'Nonce')).toBe('LKqI6G/AikKCQrN0zqZFlg==');
    expect(textAt(token, 'Created')).toBe('2010-09-16T07:50:45Z');
    expect(header).toContain(`Type="${PASSWORD_DIGEST}"`);
    expect(header).toContain(`EncodingType="${BASE64_BINARY}"`);
  });

  it('escapes markup in the user name and uses a fresh 16-byte nonce by default', () => {
    const now = (): Date => new Date('2026-11-26T10:00:00Z');
    const a = usernameTokenHeader({ username: 'a<b&"c', password: 'x' }, { now });
    const b = usernameTokenHeader({ username: 'a<b&"c', password: 'x' }, { now });
    expect(a).toContain('<wsse:Username>a&lt;b&amp;&quot;c</wsse:Username>');
    const nonceOf = (h: string): string => /<wsse:Nonce[^>]*>([^<]+)</u.exec(h)![1]!;
    expect(Buffer.from(nonceOf(a), 'base64')).toHaveLength(16);
    expect(nonceOf(a)).not.toBe(nonceOf(b));
  });
});
