import { describe, expect, it } from 'vitest';
import { buildProbe, NVT_TYPES, WSD_GROUP, WSD_PORT } from '../../../../src/discovery/wsd/payloads.ts';
import { child, parseXml, textAt, xmlNamespaces } from '../../../../src/util/xml.ts';

describe('buildProbe', () => {
  const id = 'urn:uuid:3f1c2b7a-9d4e-4c1a-8b2f-0e6d5c4b3a29';

  it('builds a WS-Discovery 2005/04 Probe for NetworkVideoTransmitter', () => {
    const text = buildProbe({ messageId: id, types: NVT_TYPES });
    const env = child(parseXml(text), 'Envelope');
    expect(textAt(env, 'Header', 'MessageID')).toBe(id);
    expect(textAt(env, 'Header', 'Action')).toBe('http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe');
    expect(textAt(env, 'Header', 'To')).toBe('urn:schemas-xmlsoap-org:ws:2005:04:discovery');
    expect(textAt(env, 'Header', 'ReplyTo', 'Address')).toBe('http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous');
    expect(textAt(env, 'Body', 'Probe', 'Types')).toBe('dn:NetworkVideoTransmitter');
    expect(xmlNamespaces(text)).toEqual([
      { prefix: 's', uri: 'http://www.w3.org/2003/05/soap-envelope' },
      { prefix: 'a', uri: 'http://schemas.xmlsoap.org/ws/2004/08/addressing' },
      { prefix: 'd', uri: 'http://schemas.xmlsoap.org/ws/2005/04/discovery' },
      { prefix: 'dn', uri: 'http://www.onvif.org/ver10/network/wsdl' },
    ]);
    expect(text).toContain('<d:Types>dn:NetworkVideoTransmitter</d:Types>');
  });

  it('omits the Types element entirely in the untyped variant', () => {
    const text = buildProbe({ messageId: id });
    expect(text).not.toContain('Types');
    expect(text).toContain('<d:Probe></d:Probe>');
    expect(textAt(child(parseXml(text), 'Envelope'), 'Header', 'MessageID')).toBe(id);
  });

  it('escapes markup in its inputs', () => {
    const text = buildProbe({ messageId: 'urn:uuid:<x>&"', types: 'a<b' });
    expect(text).toContain('<a:MessageID>urn:uuid:&lt;x&gt;&amp;&quot;</a:MessageID>');
    expect(text).toContain('<d:Types>a&lt;b</d:Types>');
  });

  it('targets the WS-Discovery group and port', () => {
    expect([WSD_GROUP, WSD_PORT]).toEqual(['239.255.255.250', 3702]);
  });
});
