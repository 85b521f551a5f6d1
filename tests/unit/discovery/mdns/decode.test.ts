import { describe, expect, it } from 'vitest';
import dnsPacket from 'dns-packet';
import type { Answer } from 'dns-packet';
import { decodeMdnsResponse, MAX_RECORDS, type MdnsRecord } from '../../../../src/discovery/mdns/decode.ts';
import { fixture, prng, response } from './helpers.ts';

/** TXT data as strings, for readable expectations. */
function plain(records: MdnsRecord[]): unknown[] {
  return records.map((r) => (r.type === 'TXT' ? { ...r, data: r.data.map((s) => s.toString('latin1')) } : r));
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/u;

function allNames(records: MdnsRecord[]): string[] {
  return records.flatMap((r) => [r.name, ...(r.type === 'PTR' ? [r.data] : r.type === 'SRV' ? [r.data.target] : [])]);
}

describe('decodeMdnsResponse: real captures', () => {
  it('Axis (UniversalScanner Axis.selftest): PTR answer, _rtsp PTR with a dotted instance, TXT macaddress, two A', () => {
    const d = decodeMdnsResponse(fixture('axis.m5014.mdns-response.bin'));
    expect(d.kind).toBe('response');
    expect(d.problems).toEqual([]);
    expect(d.truncated).toBe(false);
    // The anonymiser of this capture resized the instance name, so the TXT and A owners
    // point at `_tcp.local`: decoded as sent, not repaired.
    expect(plain(d.records)).toEqual([
      { section: 'answer', name: '_axis-video._tcp.local', ttl: 0, type: 'PTR', data: 'Virtual - 001122334455._axis-video._tcp.local' },
      {
        section: 'additional',
        name: '_rtsp._tcp.local',
        ttl: 0,
        type: 'PTR',
        data: 'AXIS M5014 - ACCC8E3C0419 H.264._axis-video._tcp.local',
      },
      { section: 'additional', name: '_tcp.local', ttl: 4500, type: 'TXT', data: ['macaddress=001122334455'] },
      { section: 'additional', name: '_tcp.local', ttl: 120, type: 'A', data: '240.0.6.0' },
      { section: 'additional', name: '_tcp.local', ttl: 120, type: 'A', data: '169.254.65.120' },
    ]);
  });

  it('Google Cast (UniversalScanner GoogleCast.selftest): PTR, 12-string TXT, SRV, A', () => {
    const d = decodeMdnsResponse(fixture('google-cast.google-home-virtual.mdns-response.bin'));
    expect(d.kind).toBe('response');
    expect(d.problems).toEqual([]);
    const instance = 'Google-Home-Virtual._googlecast._tcp.local';
    expect(plain(d.records)).toEqual([
      { section: 'answer', name: '_googlecast._tcp.local', ttl: 120, type: 'PTR', data: instance },
      {
        section: 'additional',
        name: instance,
        ttl: 3600,
        type: 'TXT',
        data: ['id=virtual', 'cd=123456789', 'rm=123456789', 've=05', 'md=Google Virtual', 'ic=/setup/icon.png', 'fn=Google Virtual', 'ca=123456789', 'st=0', 'bs=001122334455', 'nf=1', 'rs='],
      },
      // the capture's SRV bytes say port 0x0050 (80); corpus/INDEX.md's "8009" is not what is in the file
      { section: 'additional', name: instance, ttl: 120, type: 'SRV', data: { target: '123456789.local', port: 80, priority: 0, weight: 0 } },
      { section: 'additional', name: '123456789.local', ttl: 120, type: 'A', data: '240.0.8.0' },
    ]);
  });
});

describe('decodeMdnsResponse: message kinds', () => {
  it('returns no records for a query (QR=0), even one carrying known answers', () => {
    const q = dnsPacket.encode({
      type: 'query',
      questions: [{ type: 'PTR', name: '_http._tcp.local' }],
      answers: [{ type: 'PTR', name: '_http._tcp.local', ttl: 120, data: 'x._http._tcp.local' }],
    });
    expect(decodeMdnsResponse(q)).toMatchObject({ kind: 'query', records: [], problems: [] });
  });

  it('ignores responses with a non-zero opcode or rcode (RFC 6762 §18.3, §18.11)', () => {
    const ok = response([{ type: 'A', name: 'h.local', ttl: 120, data: '10.0.0.1' }]);
    const opcode = Buffer.from(ok);
    opcode.writeUInt16BE(ok.readUInt16BE(2) | (5 << 11), 2);
    const rcode = Buffer.from(ok);
    rcode.writeUInt16BE(ok.readUInt16BE(2) | 3, 2);
    expect(decodeMdnsResponse(opcode).kind).toBe('ignored');
    expect(decodeMdnsResponse(rcode).kind).toBe('ignored');
  });

  it('reports the TC bit', () => {
    const buf = response([{ type: 'A', name: 'h.local', ttl: 120, data: '10.0.0.1' }]);
    buf.writeUInt16BE(buf.readUInt16BE(2) | 0x0200, 2);
    expect(decodeMdnsResponse(buf)).toMatchObject({ kind: 'response', truncated: true });
  });

  it('skips record types it does not use and counts them', () => {
    const buf = response([
      { type: 'HINFO', name: 'h.local', ttl: 120, data: { cpu: 'ARM', os: 'Linux' } },
      { type: 'NSEC', name: 'h.local', ttl: 120, data: { nextDomain: 'h.local', rrtypes: ['A'] } },
      { type: 'A', name: 'h.local', ttl: 120, data: '10.0.0.1' },
    ]);
    const d = decodeMdnsResponse(buf);
    expect(d.skipped).toBe(2);
    expect(d.records).toEqual([{ section: 'answer', name: 'h.local', ttl: 120, type: 'A', data: '10.0.0.1' }]);
  });

  it('reads answers, authorities and additionals, tagging each', () => {
    const buf = dnsPacket.encode({
      type: 'response',
      answers: [{ type: 'A', name: 'a.local', ttl: 1, data: '10.0.0.1' }],
      authorities: [{ type: 'A', name: 'b.local', ttl: 2, data: '10.0.0.2' }],
      additionals: [{ type: 'AAAA', name: 'c.local', ttl: 3, data: 'fe80::1' }],
    });
    expect(decodeMdnsResponse(buf).records.map((r) => `${r.section}:${r.name}:${r.data as string}`)).toEqual([
      'answer:a.local:10.0.0.1',
      'authority:b.local:10.0.0.2',
      'additional:c.local:fe80::1',
    ]);
  });

  it('keeps instance names with dots whole', () => {
    const inst = 'Office Cam 2.1 (v.3)._http._tcp.local';
    const d = decodeMdnsResponse(
      response([{ type: 'PTR', name: '_http._tcp.local', ttl: 120, data: inst }], [{ type: 'SRV', name: inst, ttl: 120, data: { port: 80, target: 'cam.local' } }]),
    );
    // dns-packet's encoder split the label at dots, but the decoded text is the same either way
    expect(d.records.map((r) => (r.type === 'PTR' ? r.data : r.name))).toEqual([inst, inst]);
  });
});

describe('decodeMdnsResponse: hostile input', () => {
  const good = fixture('google-cast.google-home-virtual.mdns-response.bin');

  it('rejects non-DNS junk without throwing', () => {
    for (const junk of [Buffer.alloc(0), Buffer.from('hello'), Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), Buffer.alloc(11, 0xff)]) {
      const d = decodeMdnsResponse(junk);
      expect(d.records).toEqual([]);
      expect(['invalid', 'query', 'ignored']).toContain(d.kind);
    }
    expect(decodeMdnsResponse(Buffer.from('hello')).kind).toBe('invalid');
  });

  it('survives every truncation of a real reply, keeping the records before the cut', () => {
    for (let len = 0; len < good.length; len += 1) {
      const d = decodeMdnsResponse(good.subarray(0, len));
      if (len < 12) expect(d.kind).toBe('invalid');
      else expect(d.problems.length).toBeGreaterThan(0);
    }
    // cut inside the SRV record: PTR and TXT survive
    const cut = decodeMdnsResponse(good.subarray(0, 0xf0));
    expect(cut.kind).toBe('response');
    expect(cut.records.map((r) => r.type)).toEqual(['PTR', 'TXT']);
    expect(cut.problems.join()).toMatch(/truncated/u);
  });

  it('stops on a compression pointer loop (self pointer and a two-pointer cycle)', () => {
    // header: response, 1 answer; answer owner = pointer to itself (offset 12)
    const self = Buffer.from([0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 120, 0, 4, 10, 0, 0, 1]);
    const d1 = decodeMdnsResponse(self);
    expect(d1.records).toEqual([]);
    expect(d1.problems.join()).toMatch(/pointer/u);
    // a two-pointer cycle: the owner at 12 is "a" + pointer to 30, and 30 points back to 12
    const cycle = Buffer.from([
      0, 0, 0x84, 0, 0, 0, 0, 2, 0, 0, 0, 0,
      1, 0x61, 0xc0, 0x1e, // 12: "a" + pointer to 30 (forward)
      0, 1, 0, 1, 0, 0, 0, 120, 0, 4, 10, 0, 0, 1, // 16..29: A rdata
      0xc0, 0x0c, // 30: pointer back to 12 -> loop
      0, 1, 0, 1, 0, 0, 0, 120, 0, 4, 10, 0, 0, 2,
    ]);
    const d2 = decodeMdnsResponse(cycle);
    expect(d2.records).toEqual([]);
    expect(d2.problems.length).toBeGreaterThan(0);
    // a PTR whose rdata points at itself: that record is dropped, the next one is kept
    const ptrSelf = Buffer.concat([
      Buffer.from([0, 0, 0x84, 0, 0, 0, 0, 2, 0, 0, 0, 0]),
      Buffer.from([1, 0x78, 5, ...Buffer.from('local'), 0, 0, 12, 0, 1, 0, 0, 0, 120, 0, 2, 0xc0, 0x1f]), // rdata at 31 points at 31
      Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 120, 0, 4, 10, 0, 0, 9]),
    ]);
    const d3 = decodeMdnsResponse(ptrSelf);
    expect(d3.records).toEqual([{ section: 'answer', name: 'x.local', ttl: 120, type: 'A', data: '10.0.0.9' }]);
    expect(d3.problems.join()).toMatch(/PTR.*pointer/u);
  });

  it(`reads at most ${MAX_RECORDS} records of a 1000-answer reply`, () => {
    const answers: Answer[] = Array.from({ length: 1000 }, (_, i) => ({ type: 'A', name: 'h.local', ttl: 120, data: `10.0.${i >> 8}.${i & 255}` }));
    const d = decodeMdnsResponse(response(answers));
    expect(d.records).toHaveLength(MAX_RECORDS);
    expect(d.problems).toEqual([`1000 records: only the first ${MAX_RECORDS} read`]);
  });

  it('reports a header that claims more records than the message holds', () => {
    const buf = response([{ type: 'A', name: 'h.local', ttl: 120, data: '10.0.0.1' }]);
    buf.writeUInt16BE(1000, 6);
    const d = decodeMdnsResponse(buf);
    expect(d.records).toHaveLength(1);
    expect(d.problems).toHaveLength(1);
  });

  it('drops a record with a wrong rdata length and keeps the next one', () => {
    const a = response([{ type: 'A', name: 'h.local', ttl: 120, data: '10.0.0.1' }]);
    // rewrite the A as 5 bytes of rdata, then append a good A record
    const bad = Buffer.concat([a.subarray(0, a.length - 6), Buffer.from([0, 5, 10, 0, 0, 1, 7])]);
    const second = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 120, 0, 4, 10, 0, 0, 2]);
    const buf = Buffer.concat([bad, second]);
    buf.writeUInt16BE(2, 6);
    const d = decodeMdnsResponse(buf);
    expect(d.records).toEqual([{ section: 'answer', name: 'h.local', ttl: 120, type: 'A', data: '10.0.0.2' }]);
    expect(d.problems).toEqual(['answer 1: A with 5 bytes of rdata']);
  });

  it('rejects a question section it cannot walk', () => {
    const buf = Buffer.from([0, 0, 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x20]);
    expect(decodeMdnsResponse(buf).kind).toBe('invalid');
  });

  it('turns control characters and ANSI escapes in names into spaces', () => {
    const evil = '\u001b[31mEvil\u0007Cam\u202e\u0000';
    const inst = `${evil}._http._tcp.local`;
    const d = decodeMdnsResponse(
      response(
        [{ type: 'PTR', name: '_http._tcp.local', ttl: 120, data: inst }],
        [
          { type: 'SRV', name: inst, ttl: 120, data: { port: 80, target: '\u001b]0;pwn\u0007.local' } },
          { type: 'A', name: 'host\u009b.local', ttl: 120, data: '10.0.0.1' },
        ],
      ),
    );
    expect(d.records).toHaveLength(3);
    for (const n of allNames(d.records)) expect(n).not.toMatch(CONTROL);
    expect(d.records[0]?.type === 'PTR' && d.records[0].data).toBe(' [31mEvil Cam  ._http._tcp.local');
  });

  it('never throws and never lets control characters through on 3000 mutated replies', () => {
    const rand = prng(0x6d646e73);
    const seeds = [good, fixture('axis.m5014.mdns-response.bin')];
    for (let i = 0; i < 3000; i += 1) {
      const base = seeds[i % 2]!;
      const buf = Buffer.from(base);
      const flips = 1 + Math.floor(rand() * 6);
      for (let f = 0; f < flips; f += 1) buf[Math.floor(rand() * buf.length)] = Math.floor(rand() * 256);
      const d = decodeMdnsResponse(buf);
      expect(d.records.length).toBeLessThanOrEqual(MAX_RECORDS);
      for (const n of allNames(d.records)) expect(n).not.toMatch(CONTROL);
    }
  });

  it('never throws on 3000 random buffers', () => {
    const rand = prng(42);
    for (let i = 0; i < 3000; i += 1) {
      const buf = Buffer.alloc(Math.floor(rand() * 600));
      for (let j = 0; j < buf.length; j += 1) buf[j] = Math.floor(rand() * 256);
      if (buf.length >= 3) buf[2] = (buf[2] ?? 0) | 0x80; // mostly responses
      expect(() => decodeMdnsResponse(buf)).not.toThrow();
    }
  });
});
