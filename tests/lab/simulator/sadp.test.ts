import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSadpProbeMatch, parseSadpRequest } from './sadp-messages.ts';
import { parseProfile } from './profile.ts';
import { deviceVars, fillTemplate } from './template.ts';

/** The real SADP captures live with the decoder's fixtures. */
const capture = (name: string): string => readFileSync(new URL(`../../fixtures/sadp/${name}`, import.meta.url), 'utf8');
const tags = (xml: string): string[] => [...xml.matchAll(/<([A-Za-z][A-Za-z0-9]*)>/gu)].map((m) => m[1] ?? '');

const raw = JSON.parse(readFileSync(new URL('../profiles/hikvision-ds-2cd2142fwd.json', import.meta.url), 'utf8')) as unknown;
const hik = parseProfile(fillTemplate(raw, deviceVars('10.66.0.11', '44:19:b6:21:42:0b')), 'hikvision');
const sadp = hik.sadp;
if (sadp === undefined) throw new Error('the hikvision profile has no sadp');

const INQUIRY = '<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>8282F1DB-2FA6-4709-B261-3C6B6A48CA17</Uuid><Types>inquiry</Types></Probe>';

describe('parseSadpRequest', () => {
  it('answers only the inquiry Probe, with its Uuid', () => {
    expect(parseSadpRequest(Buffer.from(INQUIRY))).toEqual({ kind: 'inquiry', uuid: '8282F1DB-2FA6-4709-B261-3C6B6A48CA17' });
  });

  it('calls every other SADP message junk, naming its Types', () => {
    for (const types of ['activate', 'inquiry_v32', 'update', 'exchangecode', 'reset', '']) {
      expect(parseSadpRequest(Buffer.from(INQUIRY.replace('<Types>inquiry</Types>', `<Types>${types}</Types>`)))).toEqual({ kind: 'junk', detail: `Types ${types}` });
    }
    expect(parseSadpRequest(Buffer.from(INQUIRY.replace('<Uuid>8282F1DB-2FA6-4709-B261-3C6B6A48CA17</Uuid>', '')))).toEqual({ kind: 'junk', detail: 'inquiry without Uuid' });
  });

  it('calls non-XML, DOCTYPEs, replies and oversized datagrams junk', () => {
    expect(parseSadpRequest(Buffer.from([0, 255, 1])).kind).toBe('junk');
    expect(parseSadpRequest(Buffer.from(`<!DOCTYPE a [<!ENTITY b "c">]>${INQUIRY}`))).toEqual({ kind: 'junk', detail: 'oversized or DOCTYPE' });
    expect(parseSadpRequest(Buffer.from(capture('hikvision.virtual.ProbeMatch.xml')))).toEqual({ kind: 'junk', detail: 'not a Probe' });
    expect(parseSadpRequest(Buffer.from(`${INQUIRY}${' '.repeat(9000)}`)).kind).toBe('junk');
  });
});

describe('buildSadpProbeMatch', () => {
  const built = buildSadpProbeMatch('8282F1DB-2FA6-4709-B261-3C6B6A48CA17', sadp.fields);

  it('has the element set and order of the complete capture, with OEMInfo where the DVR capture has it', () => {
    const complete = tags(capture('hikvision.virtual.ProbeMatch.xml'));
    const expected = [...complete];
    expected.splice(complete.indexOf('Activated'), 0, 'OEMInfo');
    expect(tags(built)).toEqual(expected);
    const dvr = tags(capture('hikvision.ds-7804hqh-k1.ProbeMatch-cut.xml'));
    expect(dvr.indexOf('OEMInfo')).toBe(dvr.indexOf('Activated') - 1);
  });

  it('is laid out like the Wireshark capture: declaration, one element per line, Uuid echoed first', () => {
    const real = capture('hikvision.ds-2cd5a26fwd-iz.ProbeMatch-cut.xml').split('\n').slice(0, 4);
    const lines = built.split('\n');
    expect(lines.slice(0, 4).map((l) => l.replace(/>[^<]*</u, '><'))).toEqual(real.map((l) => l.replace(/>[^<]*</u, '><')));
    expect(lines[2]).toBe('<Uuid>8282F1DB-2FA6-4709-B261-3C6B6A48CA17</Uuid>');
    expect(built.endsWith('</ProbeMatch>\n')).toBe(true);
  });

  it('carries the profile\'s MAC (dash form), serial, firmware and the real firmware typo', () => {
    expect(built).toContain('<MAC>44-19-b6-21-42-0b</MAC>');
    expect(built).toContain('<IPv4Address>10.66.0.11</IPv4Address>');
    expect(built).toContain('<DeviceSN>DS-2CD2142FWD-I20170418AAWR739215406</DeviceSN>');
    expect(built).toContain('<SoftwareVersion>V5.4.5build 170124</SoftwareVersion>');
    expect(built).toContain('<HCPlatformEnable>flase</HCPlatformEnable>');
    expect(sadp.replyTo).toBe('group');
  });

  it('escapes markup in values', () => {
    expect(buildSadpProbeMatch('a<b', [['OEMInfo', 'x&y']])).toContain('<Uuid>a&lt;b</Uuid>\n<Types>inquiry</Types>\n<OEMInfo>x&amp;y</OEMInfo>');
  });
});
