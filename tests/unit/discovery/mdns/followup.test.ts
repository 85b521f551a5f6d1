import { describe, expect, it } from 'vitest';
import { decodeMdnsResponse } from '../../../../src/discovery/mdns/decode.ts';
import { FollowUpTracker } from '../../../../src/discovery/mdns/followup.ts';
import type { MdnsQuestion } from '../../../../src/discovery/mdns/payloads.ts';
import { fixture, response } from './helpers.ts';

const show = (qs: MdnsQuestion[]): string[] => qs.map((q) => `${q.type} ${JSON.stringify(q.labels)}`);

describe('FollowUpTracker', () => {
  it('asks PTR for enumerated types that the browse rounds do not cover, at most maxAsks times', () => {
    const t = new FollowUpTracker(['_http._tcp'], { maxAsks: 2 });
    t.learn(
      decodeMdnsResponse(
        response([
          { type: 'PTR', name: '_services._dns-sd._udp.local', ttl: 4500, data: '_http._tcp.local' },
          { type: 'PTR', name: '_services._dns-sd._udp.local', ttl: 4500, data: '_Bosch-Video._tcp.local' },
        ]),
      ).records,
    );
    expect(t.learnedTypes()).toEqual(['_bosch-video._tcp']);
    expect(t.hasPending()).toBe(true);
    expect(t.hasPending()).toBe(true); // asking whether counts no ask
    expect(show(t.pending())).toEqual(['PTR ["_bosch-video","_tcp","local"]']);
    expect(show(t.pending())).toEqual(['PTR ["_bosch-video","_tcp","local"]']);
    expect(t.hasPending()).toBe(false);
    expect(t.pending()).toEqual([]);
  });

  it('asks SRV and TXT for an instance seen only in a PTR (Axis capture), keeping the dotted label whole', () => {
    const t = new FollowUpTracker(['_axis-video._tcp', '_rtsp._tcp']);
    t.learn(decodeMdnsResponse(fixture('axis.m5014.mdns-response.bin')).records);
    expect(show(t.pending())).toEqual([
      'SRV ["Virtual - 001122334455","_axis-video","_tcp","local"]',
      'TXT ["Virtual - 001122334455","_axis-video","_tcp","local"]',
      'SRV ["AXIS M5014 - ACCC8E3C0419 H.264","_axis-video","_tcp","local"]',
      'TXT ["AXIS M5014 - ACCC8E3C0419 H.264","_axis-video","_tcp","local"]',
    ]);
  });

  it('asks only for what is still missing, and A for SRV targets without an address', () => {
    const t = new FollowUpTracker(['_http._tcp']);
    const inst = 'Cam._http._tcp.local';
    t.learn(
      decodeMdnsResponse(
        response([
          { type: 'PTR', name: '_http._tcp.local', ttl: 120, data: inst },
          { type: 'SRV', name: inst, ttl: 120, data: { port: 80, target: 'cam.local' } },
        ]),
      ).records,
    );
    expect(show(t.pending())).toEqual(['TXT ["Cam","_http","_tcp","local"]', 'A ["cam","local"]']);
    t.learn(
      decodeMdnsResponse(
        response([
          { type: 'TXT', name: inst, ttl: 120, data: ['path=/'] },
          { type: 'A', name: 'cam.local', ttl: 120, data: '10.0.0.20' },
        ]),
      ).records,
    );
    expect(t.hasPending()).toBe(false);
    expect(t.pending()).toEqual([]);
  });

  it('asks nothing for a complete reply (Google Cast capture)', () => {
    const t = new FollowUpTracker(['_googlecast._tcp']);
    t.learn(decodeMdnsResponse(fixture('google-cast.google-home-virtual.mdns-response.bin')).records);
    expect(t.pending()).toEqual([]);
  });

  it('caps learned types, instances and hosts against a flood', () => {
    const t = new FollowUpTracker([], { maxTypes: 3, maxInstances: 4, maxHosts: 2, maxAsks: 1 });
    for (let i = 0; i < 50; i += 1) {
      t.learn(
        decodeMdnsResponse(
          response([
            { type: 'PTR', name: '_services._dns-sd._udp.local', ttl: 1, data: `_t${i}._tcp.local` },
            { type: 'PTR', name: `_t${i}._tcp.local`, ttl: 1, data: `i${i}._t${i}._tcp.local` },
            { type: 'SRV', name: `j${i}._x._tcp.local`, ttl: 1, data: { port: 1, target: `h${i}.local` } },
          ]),
        ).records,
      );
    }
    const qs = t.pending();
    expect(qs.filter((q) => q.type === 'PTR')).toHaveLength(3);
    expect(qs.filter((q) => q.type === 'A')).toHaveLength(2);
    // 4 instances, each missing TXT (and the PTR-only ones SRV too)
    expect(new Set(qs.filter((q) => q.type === 'SRV' || q.type === 'TXT').map((q) => q.labels[0])).size).toBe(4);
    expect(t.pending()).toEqual([]);
  });

  it('ignores names that are not DNS-SD instances or host names', () => {
    const t = new FollowUpTracker([]);
    t.learn(
      decodeMdnsResponse(
        response([
          { type: 'PTR', name: '1.0.0.10.in-addr.arpa', ttl: 120, data: 'cam.local' },
          { type: 'SRV', name: '_tcp.local', ttl: 120, data: { port: 80, target: '_bad._tcp.local' } },
        ]),
      ).records,
    );
    expect(t.pending()).toEqual([]);
  });
});
