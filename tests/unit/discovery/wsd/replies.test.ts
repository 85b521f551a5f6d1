import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Observation, SweepError } from '../../../../src/domain/types.ts';
import { createReplyHandler, messageIdKey } from '../../../../src/discovery/wsd/replies.ts';
import { decodeProbeMatches, decodeRepeat, wsdHeaderIds } from '../../../../src/discovery/wsd/decode.ts';
import { MAX_ERRORS_PER_SOURCE as MAX_ERRORS_PER_HOST } from '../../../../src/domain/error-log.ts';
import { silentLogger } from '../../../../src/util/log.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../../fixtures/wsd/${name}`, import.meta.url), 'utf8');

/** A captured reply re-addressed to one of our probes (its RelatesTo swapped). */
function answering(name: string, ourId: string): Buffer {
  return Buffer.from(fixture(name).replace(/(<[\w-]*:?RelatesTo>)[^<]*(<\/)/u, `$1${ourId}$2`));
}

function setup(sentIds: string[]) {
  const observations: Observation[] = [];
  const errors: SweepError[] = [];
  const handle = createReplyHandler({
    sent: new Set(sentIds),
    iface: 'eth0',
    emit: (o) => observations.push(o),
    error: (e) => errors.push(e),
    log: silentLogger(),
  });
  return { handle, observations, errors };
}

const OURS = 'urn:uuid:9d1f0c3e-2b4a-4e6f-8a7b-1c2d3e4f5a6b';

describe('createReplyHandler', () => {
  it('emits one observation per ProbeMatch, with the datagram source as ip', () => {
    const { handle, observations, errors } = setup([OURS]);
    handle(answering('dahua.ipc-hfw2228m-i1-v2.ProbeMatches.xml', OURS), { address: '10.66.0.12' });
    expect(errors).toEqual([]);
    expect(observations).toHaveLength(1);
    expect(observations[0]!.ip).toBe('10.66.0.12');
    expect(observations[0]!.interface).toBe('eth0');
    expect(observations[0]!.identifiers).toEqual({ epr: 'uuid:503b687a-b9d7-474f-a2d0-a18c8b25a464' });
    expect(observations[0]!.evidence).toContainEqual({ protocol: 'wsd', field: 'wsd.namespace', value: 'dn=http://www.onvif.org/ver10/network/wsdl' });
  });

  it('accepts RelatesTo echoed without urn:, or in another case', () => {
    expect(messageIdKey('urn:uuid:ABC-def')).toBe(messageIdKey('uuid:abc-DEF'));
    const { handle, observations, errors } = setup([OURS]);
    handle(answering('axis.m2036-le.ProbeMatches.xml', OURS.replace('urn:', '').toUpperCase()), { address: '10.66.0.13' });
    expect(errors).toEqual([]);
    expect(observations).toHaveLength(1);
  });

  it('drops a reply whose RelatesTo names no probe of ours, and one without RelatesTo', () => {
    const { handle, observations, errors } = setup([OURS]);
    handle(Buffer.from(fixture('axis.m2036-le.ProbeMatches.xml')), { address: '10.66.0.13' });
    handle(Buffer.from(fixture('dahua.ipc-hfw2228m-i1-v2.Hello.xml')), { address: '10.66.0.12' });
    expect(observations).toEqual([]);
    expect(errors).toEqual([
      { protocol: 'wsd', interface: 'eth0', ip: '10.66.0.13', code: 'WSD_RELATES_TO_MISMATCH', message: 'reply RelatesTo names no probe we sent' },
      { protocol: 'wsd', interface: 'eth0', ip: '10.66.0.12', code: 'WSD_RELATES_TO_MISMATCH', message: 'reply without RelatesTo' },
    ]);
  });

  it('records junk as WSD_INVALID and still takes the next good reply', () => {
    const { handle, observations, errors } = setup([OURS]);
    handle(Buffer.from('\u0000\u0001garbage'), { address: '10.66.0.99' });
    handle(Buffer.from('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'), { address: '10.66.0.98' });
    handle(answering('hikvision.ds-2cd3955fwd-iws.ProbeMatches.xml', OURS), { address: '10.66.0.11' });
    expect(errors.map((e) => [e.code, e.ip, e.protocol, e.interface])).toEqual([
      ['WSD_INVALID', '10.66.0.99', 'wsd', 'eth0'],
      ['WSD_INVALID', '10.66.0.98', 'wsd', 'eth0'],
    ]);
    expect(observations.map((o) => o.ip)).toEqual(['10.66.0.11']);
  });

  it('emits the decodable part of a truncated reply and records WSD_TRUNCATED', () => {
    const { handle, observations, errors } = setup([OURS]);
    handle(answering('tp-link.tl-sc3130g.ProbeMatches-fragment.xml', OURS), { address: '10.66.0.20' });
    expect(errors.map((e) => e.code)).toEqual(['WSD_TRUNCATED']);
    expect(observations).toHaveLength(1);
    expect(observations[0]!.evidence).toContainEqual({ protocol: 'wsd', field: 'onvif.scope.location', value: 'global' });
  });

  it('a reply of ours with no ProbeMatch is WSD_INVALID', () => {
    const { handle, observations, errors } = setup([OURS]);
    const empty = `<s:Envelope xmlns:s="x" xmlns:a="y"><s:Header><a:RelatesTo>${OURS}</a:RelatesTo></s:Header><s:Body/></s:Envelope>`;
    handle(Buffer.from(empty), { address: '10.66.0.21' });
    expect(observations).toEqual([]);
    expect(errors.map((e) => e.code)).toEqual(['WSD_INVALID']);
  });

  it('does not repeat an identical match from the same host (one reply per probe sent)', () => {
    const second = 'urn:uuid:0a0b0c0d-0e0f-4a1b-8c2d-3e4f5a6b7c8d';
    const { handle, observations } = setup([OURS, second]);
    handle(answering('dahua.ipc-hfw2228m-i1-v2.ProbeMatches.xml', OURS), { address: '10.66.0.12' });
    handle(answering('dahua.ipc-hfw2228m-i1-v2.ProbeMatches.xml', second), { address: '10.66.0.12' });
    handle(answering('dahua.ipc-hfw2228m-i1-v2.ProbeMatches.xml', second), { address: '10.66.0.14' });
    expect(observations.map((o) => o.ip)).toEqual(['10.66.0.12', '10.66.0.14']);
  });

  it('never throws, even when the sink does', () => {
    const errors: SweepError[] = [];
    const handle = createReplyHandler({
      sent: new Set([OURS]),
      iface: 'eth0',
      emit: () => {
        throw new Error('sink failed');
      },
      error: (e) => errors.push(e),
      log: silentLogger(),
    });
    expect(() => handle(answering('dahua.ipc-hfw2228m-i1-v2.ProbeMatches.xml', OURS), { address: '10.66.0.12' })).not.toThrow();
    expect(errors.map((e) => e.code)).toEqual(['WSD_INTERNAL']);
  });
});

describe('createReplyHandler under a junk flood', () => {
  it('records at most MAX_ERRORS_PER_HOST errors per source, and still emits its good replies', () => {
    const { handle, observations, errors } = setup([OURS]);
    for (let i = 0; i < 1000; i += 1) handle(Buffer.from(`junk ${i} <<<`), { address: '10.66.0.200' });
    handle(Buffer.from('junk from another host'), { address: '10.66.0.201' });
    handle(answering('dahua.ipc-hfw2228m-i1-v2.ProbeMatches.xml', OURS), { address: '10.66.0.200' });
    expect(errors.filter((e) => e.ip === '10.66.0.200')).toHaveLength(MAX_ERRORS_PER_HOST);
    expect(errors.filter((e) => e.ip === '10.66.0.201')).toHaveLength(1);
    expect(observations.map((o) => o.ip)).toEqual(['10.66.0.200']);
  });
});

/** A fixture with its MessageID and RelatesTo texts set (raw: markup or entities go in as given). */
function withIds(name: string, messageId: string, relatesTo: string): string {
  return fixture(name)
    .replace(/(<[\w-]*:?MessageID>)[^<]*(<\/)/u, `$1${messageId}$2`)
    .replace(/(<[\w-]*:?RelatesTo>)[^<]*(<\/)/u, `$1${relatesTo}$2`);
}

const PROBE_MATCHES = ['axis.m2036-le.ProbeMatches.xml', 'dahua.ipc-hfw2228m-i1-v2.ProbeMatches.xml'];

describe('repeats (the same reply to another probe: new MessageID and RelatesTo)', () => {
  it('decode as decodeProbeMatches would, without a parse', () => {
    for (const name of PROBE_MATCHES) {
      const first = withIds(name, 'urn:uuid:aaaa', OURS);
      for (const [messageId, relatesTo] of [
        ['urn:uuid:bbbb', 'urn:uuid:cccc'],
        ['  uuid:B  ', ` ${OURS.toUpperCase()}\t`],
        ['', ''],
        ['x>y', 'a\u0001b'],
      ] as const) {
        const repeat = withIds(name, messageId, relatesTo);
        const ids = wsdHeaderIds(repeat);
        expect(ids?.skeleton).toBe(wsdHeaderIds(first)!.skeleton);
        expect(decodeRepeat(decodeProbeMatches(first), ids!)).toEqual(decodeProbeMatches(repeat));
      }
    }
  });

  it('are not recognised when an id is not plain text, a tag has attributes, or the names occur elsewhere', () => {
    const name = PROBE_MATCHES[0]!;
    expect(wsdHeaderIds(withIds(name, 'urn:uuid:b', 'a&amp;b'))).toBeUndefined();
    expect(wsdHeaderIds(withIds(name, 'urn:uuid:b', '<![CDATA[x]]>'))).toBeUndefined();
    expect(wsdHeaderIds(withIds(name, 'urn:uuid:b', 'a<!-- c -->b'))).toBeUndefined();
    expect(wsdHeaderIds(withIds(name, 'urn:uuid:b', OURS).replace(/<([\w-]*:?)RelatesTo>/u, '<$1RelatesTo RelationshipType="x">'))).toBeUndefined();
    expect(wsdHeaderIds(withIds(name, 'urn:uuid:b', OURS).replace('</', '<!-- RelatesTo --></'))).toBeUndefined();
    // A document whose only ids sit in a comment decodes without them: never reused.
    const commented = '<?xml version="1.0"?><e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Header><!-- <a:MessageID>m</a:MessageID><a:RelatesTo>r</a:RelatesTo> --></e:Header><e:Body/></e:Envelope>';
    expect(decodeRepeat(decodeProbeMatches(commented), wsdHeaderIds(commented)!)).toBeUndefined();
  });

  it('give the handler the same observations and errors as parsing every datagram', () => {
    const other = 'urn:uuid:00000000-0000-4000-8000-000000000001';
    const datagrams: Array<[string, string]> = [];
    for (const [i, name] of PROBE_MATCHES.entries()) {
      const ip = `10.66.0.${20 + i}`;
      datagrams.push(
        [withIds(name, 'urn:uuid:m1', OURS), ip],
        [withIds(name, 'urn:uuid:m2', other), ip], // a repeat relating to our second probe
        [withIds(name, 'urn:uuid:m3', 'urn:uuid:not-ours'), ip], // a repeat relating to no probe of ours
        [withIds(name, 'urn:uuid:m4', ''), ip], // a repeat without RelatesTo
        [withIds(name, 'urn:uuid:m5', OURS).replace('</', ' </'), ip], // another skeleton: parsed
        [withIds(name, 'urn:uuid:m6', other), `10.66.0.${30 + i}`], // the same bytes from another host
        [withIds(name, 'urn:uuid:m7', 'a&amp;b'), ip],
        [withIds(name, 'urn:uuid:m8', OURS).slice(0, -40), ip], // cut short
      );
    }
    const run = (reuseRepeats: boolean): { observations: Observation[]; errors: SweepError[] } => {
      const observations: Observation[] = [];
      const errors: SweepError[] = [];
      const handle = createReplyHandler({ sent: new Set([OURS, other]), iface: 'eth0', emit: (o) => observations.push(o), error: (e) => errors.push(e), log: silentLogger(), reuseRepeats });
      for (const [text, address] of datagrams) handle(Buffer.from(text), { address });
      return { observations, errors };
    };
    const reused = run(true);
    expect(reused.observations.length).toBeGreaterThan(2);
    expect(reused.errors.length).toBeGreaterThan(2);
    expect(reused).toEqual(run(false));
  });
});

