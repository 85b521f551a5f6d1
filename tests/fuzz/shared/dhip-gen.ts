/**
 * Dahua discovery datagrams: DHIP frames (32-byte header with lengths that may lie, a JSON
 * body that may be broken the way real firmware breaks it) and legacy v1 replies (120-byte
 * binary header with section lengths that may overrun).
 */
import fc from 'fast-check';
import { rarely } from './rarely.ts';
import { hostileBytes, hostileString } from './text-gen.ts';

const jsonScalar: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.constantFrom(0, -1, 65_535, 65_536, 4_294_967_295, Number.MAX_SAFE_INTEGER, 1e308, 0.5),
  fc.boolean(),
  fc.constant(null),
);

const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { maxDepth: 4, depthIdentifier: 'json' },
    jsonScalar,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('IPAddress', 'a', '__proto__', 'constructor', 'DeviceType'), tie('v'), { maxKeys: 4 }),
  ),
})).v;

const DEVICE_KEYS = ['DeviceType', 'SerialNo', 'Vendor', 'Manufacturer', 'Version', 'MachineName', 'DeviceClass', 'Port', 'HttpPort', 'mac', 'IPv4Address', 'IPv6Address', 'VideoInputChannels'];

const deviceInfo: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(
  fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...DEVICE_KEYS) }, { weight: 1, arbitrary: hostileString }),
  fc.oneof(
    jsonValue,
    fc.record({ IPAddress: fc.oneof(fc.constantFrom('192.168.1.108', '999.1.1.1', ' 10.0.0.1 ', ''), hostileString), SubnetMask: fc.constant('255.255.255.0') }),
  ),
  { maxKeys: 14 },
);

/** A notifyDevInfo-like (or search, or other method) message as an object. */
export const dhipMessage: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    mac: fc.oneof(fc.constantFrom('4c:11:bf:c2:0b:9d', '00-1F-54-AA-BB-CC', ''), hostileString),
    method: fc.oneof(fc.constantFrom('client.notifyDevInfo', 'client.notifyDevInfo', 'DHDiscover.search', 'other.method'), hostileString),
    params: fc.oneof(fc.record({ deviceInfo: fc.oneof(deviceInfo, jsonValue) }), jsonValue),
    id: fc.integer(),
  },
  { requiredKeys: [] },
);

/** A body as text: device-style JSON, compact JSON, JSON cut or broken, or not JSON at all. */
export const dhipBody: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: dhipMessage.map((m) => JSON.stringify(m).replace(/":/gu, '" : ').replace(/,"/gu, ', "').replace(/\//gu, '\\/')) },
  { weight: 2, arbitrary: dhipMessage.map((m) => JSON.stringify(m)) },
  {
    weight: 3,
    arbitrary: fc.tuple(dhipMessage, fc.nat(), fc.constantFrom('cut', 'unterminated', 'junk')).map(([m, at, how]) => {
      const json = JSON.stringify(m);
      const i = at % (json.length + 1);
      if (how === 'cut') return json.slice(0, i);
      if (how === 'unterminated') return json.replace(/"([^"]*)"(,|\})/u, '"$1$2');
      return `${json.slice(0, i)}\u0000\u001b[2J${json.slice(i)}`;
    }),
  },
  { weight: 1, arbitrary: hostileString },
);

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

/** A whole DHIP datagram: header fields usually right, sometimes lying; body as bytes. */
export const dhipFrame: fc.Arbitrary<Buffer> = fc
  .record({
    headerLength: fc.oneof({ weight: 8, arbitrary: fc.constant(0x20) }, { weight: 1, arbitrary: fc.nat({ max: 0xffffffff }) }),
    magic: fc.oneof({ weight: 10, arbitrary: fc.constant('DHIP') }, { weight: 1, arbitrary: fc.constantFrom('DHIp', 'PIHD', '\0\0\0\0') }),
    body: fc.oneof({ weight: 5, arbitrary: dhipBody.map((s) => Buffer.from(s, 'utf8')) }, { weight: 1, arbitrary: hostileBytes }),
    length: rarely(fc.oneof(fc.nat({ max: 20_000 }), fc.constantFrom(0, 16 * 1024, 16 * 1024 + 1, 0xffffffff)), 5),
    again: rarely(fc.nat({ max: 0xffffffff }), 8),
    reserved: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    cut: rarely(fc.nat(), 6),
  })
  .map(({ headerLength, magic, body, length, again, reserved, cut }) => {
    const len = length ?? body.length;
    const r = Buffer.from(reserved);
    const frame = Buffer.concat([
      u32(headerLength),
      Buffer.from(magic, 'latin1'),
      r.subarray(0, 8),
      u32(len),
      r.subarray(8, 12),
      u32(again ?? len),
      r.subarray(12, 16),
      body,
    ]);
    return cut === null ? frame : frame.subarray(0, cut % (frame.length + 1));
  });

/** A legacy v1 reply: header, MAC + model section, `Key:Value` text section; lengths may lie. */
export const dahuaV1Frame: fc.Arbitrary<Buffer> = fc
  .record({
    magic: fc.oneof({ weight: 8, arbitrary: fc.constant(0xb3) }, { weight: 1, arbitrary: fc.constantFrom(0xa3, 0x00) }),
    model: hostileString,
    ip: fc.uint8Array({ minLength: 4, maxLength: 4 }),
    mac: fc.oneof(fc.constantFrom('00:11:22:33:44:55', '00:00:00:00:00:00', 'zz:zz:zz:zz:zz:zz'), hostileString),
    section2Model: hostileString,
    lines: fc.array(
      fc.tuple(fc.oneof(fc.constantFrom('Name', 'Device', 'IPv6Addr', 'SerialNo', 'Version'), hostileString), hostileString).map(([k, v]) => `${k}:${v}`),
      { maxLength: 40 },
    ),
    s2lie: rarely(fc.nat({ max: 255 }), 4),
    s3lie: rarely(fc.nat({ max: 0xffff }), 4),
    cut: rarely(fc.nat(), 6),
  })
  .map(({ magic, model, ip, mac, section2Model, lines, s2lie, s3lie, cut }) => {
    const header = Buffer.alloc(120);
    header[0] = magic;
    header[0x10] = 0x02;
    Buffer.from(model, 'utf8').copy(header, 0x28, 0, 16);
    Buffer.from(ip).copy(header, 0x38);
    const section2 = Buffer.concat([Buffer.from(mac, 'latin1').subarray(0, 17), Buffer.from(section2Model, 'utf8'), Buffer.alloc(1)]).subarray(0, 255);
    const section3 = Buffer.from(lines.join('\r\n'), 'utf8');
    header[2] = s2lie ?? section2.length;
    header.writeUInt16LE(s3lie ?? Math.min(section3.length, 0xffff), 0x14);
    const frame = Buffer.concat([header, section2, section3]);
    return cut === null ? frame : frame.subarray(0, cut % (frame.length + 1));
  });
