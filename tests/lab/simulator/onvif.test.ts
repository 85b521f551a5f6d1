import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { handleOnvifRequest } from './onvif-service.ts';
import { passwordDigest, verifyUsernameToken } from './ws-security.ts';
import { parseProfile } from './profile.ts';
import type { OnvifProfile } from './profile.ts';
import { xmlShape } from './xml-shape.ts';

const onvif: OnvifProfile = (() => {
  const p = parseProfile({
    id: 'test-cam',
    description: 'test',
    onvif: {
      style: 'dahua',
      requireAuth: true,
      credentials: { username: 'admin', password: 's3cret' },
      deviceInformation: { manufacturer: 'Dahua', model: 'IPC-HFW2228M-I1-V2', firmwareVersion: '2.800', serialNumber: '00012345', hardwareId: '1.00' },
    },
  });
  if (p.onvif === undefined) throw new Error('no onvif');
  return p.onvif;
})();
const state = { ip: '10.66.0.12', mac: '4c:11:bf:22:28:0c', scopes: ['onvif://www.onvif.org/name/Dahua'], now: new Date('2026-01-02T03:04:05Z') };
const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false });

function request(op: string, security = ''): string {
  return (
    `<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">` +
    `${security === '' ? '' : `<s:Header>${security}</s:Header>`}` +
    `<s:Body xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><tds:${op}/></s:Body></s:Envelope>`
  );
}

function token(username: string, password: string): string {
  const nonce = randomBytes(16).toString('base64');
  const created = new Date().toISOString();
  return (
    `<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" ` +
    `xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"><wsse:UsernameToken>` +
    `<wsse:Username>${username}</wsse:Username>` +
    `<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${passwordDigest(nonce, created, password)}</wsse:Password>` +
    `<wsse:Nonce>${nonce}</wsse:Nonce><wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`
  );
}

type Doc = { Envelope: { Body: Record<string, Record<string, unknown>> } };

describe('WS-Security PasswordDigest', () => {
  it('matches the ONVIF Application Programmer\'s Guide example', () => {
    expect(passwordDigest('LKqI6G/AikKCQrN0zqZFlg==', '2010-09-16T07:50:45Z', 'userpassword')).toBe('tuOSpGlFlIXsozq4HFNeeGeFLEI=');
  });

  it('refuses a missing nonce, a wrong user and a PasswordText token', () => {
    const good = { username: 'admin', password: passwordDigest('AAAA', 'c', 'p'), passwordType: undefined, nonce: 'AAAA', created: 'c' };
    expect(verifyUsernameToken(good, { username: 'admin', password: 'p' })).toBe(true);
    expect(verifyUsernameToken({ ...good, nonce: undefined }, { username: 'admin', password: 'p' })).toBe(false);
    expect(verifyUsernameToken({ ...good, username: 'root' }, { username: 'admin', password: 'p' })).toBe(false);
    expect(verifyUsernameToken({ ...good, passwordType: 'x#PasswordText' }, { username: 'admin', password: 'p' })).toBe(false);
  });
});

describe('handleOnvifRequest', () => {
  it('answers GetSystemDateAndTime without credentials, in the Dahua dialect', () => {
    const reply = handleOnvifRequest(request('GetSystemDateAndTime'), onvif, state);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8" standalone="yes"\?><s:Envelope /u);
    expect(reply.body).toContain('<s:Header/>');
    const doc = parser.parse(reply.body) as Doc;
    const sdt = doc.Envelope.Body.GetSystemDateAndTimeResponse?.SystemDateAndTime as { UTCDateTime: { Date: { Year: string } }; LocalDateTime: { Time: { Hour: string } } };
    expect(sdt.UTCDateTime.Date.Year).toBe('2026');
    expect(sdt.LocalDateTime.Time.Hour).toBe('11');
  });

  it('has the element layout of a real Dahua GetSystemDateAndTime reply', () => {
    const real = readFileSync(new URL('../fixtures/dahua.ipc-hfw2228m-i1-v2.get-system-date-and-time.xml', import.meta.url), 'utf8');
    const built = handleOnvifRequest(request('GetSystemDateAndTime'), onvif, state).body;
    expect(xmlShape(real).length).toBeGreaterThan(20);
    expect(xmlShape(built)).toEqual(xmlShape(real));
  });

  it('refuses GetDeviceInformation without a token: SOAP 1.2 Fault, Subcode ter:NotAuthorized', () => {
    const reply = handleOnvifRequest(request('GetDeviceInformation'), onvif, state);
    expect(reply.status).toBe(400);
    expect(reply.authorized).toBe(false);
    expect(reply.body).toContain('<s:Subcode><s:Value>ter:NotAuthorized</s:Value></s:Subcode>');
    expect(reply.body).toContain('xmlns:ter="http://www.onvif.org/ver10/error"');
  });

  it('refuses a digest made with the wrong password', () => {
    expect(handleOnvifRequest(request('GetDeviceInformation', token('admin', 'guess')), onvif, state).status).toBe(400);
  });

  it('answers GetDeviceInformation with a valid digest, values kept as strings', () => {
    const reply = handleOnvifRequest(request('GetDeviceInformation', token('admin', 's3cret')), onvif, state);
    expect(reply.status).toBe(200);
    const info = (parser.parse(reply.body) as Doc).Envelope.Body.GetDeviceInformationResponse;
    expect(info).toEqual({ Manufacturer: 'Dahua', Model: 'IPC-HFW2228M-I1-V2', FirmwareVersion: '2.800', SerialNumber: '00012345', HardwareId: '1.00' });
  });

  it('answers GetNetworkInterfaces with the MAC once authorised', () => {
    const reply = handleOnvifRequest(request('GetNetworkInterfaces', token('admin', 's3cret')), onvif, state);
    expect(reply.body).toContain('<tt:HwAddress>4c:11:bf:22:28:0c</tt:HwAddress>');
  });

  it('faults on unknown operations and on bodies that are not SOAP', () => {
    expect(handleOnvifRequest(request('SetSystemFactoryDefault', token('admin', 's3cret')), onvif, state).body).toContain('ter:ActionNotSupported');
    const junk = handleOnvifRequest('\u0000garbage<<', onvif, state);
    expect(junk.status).toBe(400);
    expect(junk.body).toContain('ter:WellFormed');
    expect(handleOnvifRequest('<!DOCTYPE a [<!ENTITY x "y">]><a/>', onvif, state).operation).toBe('');
  });
});

describe('handleOnvifRequest with a profile namespace table', () => {
  const realIpnc = readFileSync(new URL('../fixtures/other-ipnc.predator.get-system-date-and-time.xml', import.meta.url), 'utf8');
  const declarations = (xml: string): string[] => [...xml.matchAll(/xmlns:([\w-]+)="([^"]*)"/gu)].map((m) => `${m[1]}=${m[2]}`);
  const ipnc = (() => {
    const p = parseProfile({
      id: 'test-ipnc',
      description: 'test',
      onvif: {
        style: 'gsoap',
        namespaces: declarations(realIpnc).map((d) => [d.slice(0, d.indexOf('=')), d.slice(d.indexOf('=') + 1)]),
        requireAuth: true,
        credentials: { username: 'admin', password: 'x' },
        deviceInformation: { manufacturer: 'm', model: 'm', firmwareVersion: 'f', serialNumber: 's', hardwareId: 'h' },
      },
    });
    if (p.onvif === undefined) throw new Error('no onvif');
    return p.onvif;
  })();

  it('declares every namespace of the real TI IPNC reply (tnsaxis included) on each answer, faults too', () => {
    const real = declarations(realIpnc);
    expect(real).toContain('tnsaxis=http://www.axis.com/2009/event/topics');
    for (const reply of [handleOnvifRequest(request('GetSystemDateAndTime'), ipnc, state), handleOnvifRequest(request('GetDeviceInformation'), ipnc, state)]) {
      const built = declarations(reply.body);
      expect(built).toEqual(expect.arrayContaining(real));
      expect(new Set(built.map((d) => d.slice(0, d.indexOf('=')))).size).toBe(built.length);
      expect(reply.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><SOAP-ENV:Envelope /u);
    }
  });

  it('keeps a style prefix bound to the style\'s URI when the profile names it again', () => {
    const p = parseProfile({
      id: 'test-clash',
      description: 'test',
      onvif: {
        style: 'gsoap',
        namespaces: [
          ['tt', 'urn:example:other'],
          ['acme', 'urn:example:acme'],
        ],
        deviceInformation: { manufacturer: 'm', model: 'm', firmwareVersion: 'f', serialNumber: 's', hardwareId: 'h' },
      },
    });
    if (p.onvif === undefined) throw new Error('no onvif');
    const built = declarations(handleOnvifRequest(request('GetSystemDateAndTime'), p.onvif, state).body);
    expect(built).toContain('tt=http://www.onvif.org/ver10/schema');
    expect(built).not.toContain('tt=urn:example:other');
    expect(built).toContain('acme=urn:example:acme');
  });
});
