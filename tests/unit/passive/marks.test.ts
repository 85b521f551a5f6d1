import { describe, expect, it } from 'vitest';
import type { Evidence } from '../../../src/domain/types.ts';
import { changedMark, learnMarks, marksOf, MAX_VALUES_PER_MARK } from '../../../src/passive/marks.ts';

const ev = (field: string, value: string): Evidence => ({ protocol: field.split('.')[0] as Evidence['protocol'], field, value });

describe('marks', () => {
  it('reads the identity-bearing values from evidence, whatever protocol gave them', () => {
    const marks = marksOf([
      ev('wsd.epr', 'urn:uuid:1'),
      ev('wsd.metadataVersion', '3'),
      ev('ssdp.usn', 'uuid:ABC-1::upnp:rootdevice'),
      ev('ssdp.usn', 'uuid:abc-1::urn:schemas-upnp-org:device:Basic:1'),
      ev('ssdp.header.bootid.upnp.org', '7'),
      ev('ssdp.st', 'upnp:rootdevice'),
      ev('mdns.txt.fv', '2.1'),
      ev('mdns.txt.s#', '12'),
      ev('sadp.firmware', 'V5.4.5build 170124'),
      ev('onvif.manufacturer', 'HIKVISION'),
    ]);
    expect(Object.fromEntries(marks)).toEqual({ epr: ['urn:uuid:1'], metadataVersion: ['3'], udn: ['uuid:abc-1'], bootId: ['7'], 'mdns.fv': ['2.1'], firmware: ['V5.4.5build 170124'] });
  });

  it('a change is a mark both know with a value the known side never held; a mark only one side knows is not', () => {
    const known = marksOf([ev('wsd.epr', 'urn:uuid:1'), ev('wsd.metadataVersion', '1')]);
    expect(changedMark(known, marksOf([ev('wsd.epr', 'urn:uuid:1'), ev('wsd.metadataVersion', '1')]))).toBeUndefined();
    expect(changedMark(known, marksOf([ev('ssdp.header.bootid.upnp.org', '9')]))).toBeUndefined();
    expect(changedMark(known, marksOf([ev('wsd.metadataVersion', '2')]))).toEqual({ mark: 'metadataVersion', value: '2' });
    learnMarks(known, marksOf([ev('ssdp.header.bootid.upnp.org', '9')]));
    expect(changedMark(known, marksOf([ev('ssdp.header.bootid.upnp.org', '10')]))).toEqual({ mark: 'bootId', value: '10' });
  });

  it('stays bounded: long values as digests, a few values per mark', () => {
    const marks = marksOf([ev('ssdp.server', 'x'.repeat(500)), ...Array.from({ length: 10 }, (_, n) => ev('ssdp.location', `http://10.0.0.1:${n}/`))]);
    expect(marks.get('server')![0]).toMatch(/^sha1:/u);
    expect(marks.get('location')).toHaveLength(MAX_VALUES_PER_MARK);
  });

  it('a device with more values of a mark than are kept is not "changed" by them in every round', () => {
    const locations = Array.from({ length: MAX_VALUES_PER_MARK + 3 }, (_, n) => ev('ssdp.location', `http://10.0.0.1:${5000 + n}/desc.xml`));
    const known = marksOf([ev('ssdp.header.bootid.upnp.org', '7'), ...locations]);
    // Each round of its NOTIFYs, one LOCATION at a time: none is a change, whichever the bound dropped.
    for (const l of locations) expect(changedMark(known, marksOf([l, ev('ssdp.header.bootid.upnp.org', '7')])), l.value).toBeUndefined();
    // Another mark still tells a real change.
    expect(changedMark(known, marksOf([locations[0]!, ev('ssdp.header.bootid.upnp.org', '8')]))).toEqual({ mark: 'bootId', value: '8' });
    // Below the bound a new value is still a change.
    const few = marksOf([ev('ssdp.location', 'http://10.0.0.1:1/')]);
    expect(changedMark(few, marksOf([ev('ssdp.location', 'http://10.0.0.1:2/')]))).toEqual({ mark: 'location', value: 'http://10.0.0.1:2/' });
  });
});
