/**
 * Dahua discovery datagrams under hostile input: decodeDahua, parseDhipFrame, decodeDhipBody
 * and decodeDahuaV1 never throw (lying lengths, broken or deeply nested JSON, cut sections),
 * and every value they return is cleaned and normalised; the observations stay bounded.
 */
import { isIPv4 } from 'node:net';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { dahuaV1ToObservation, decodeDahua, dhipToObservation, type DahuaDecoded } from '../../src/discovery/dhip/decode.ts';
import { decodeDhipBody, type DhipBody, type DhipDeviceInfo } from '../../src/discovery/dhip/device-info.ts';
import { DHIP_LIMITS, parseDhipFrame } from '../../src/discovery/dhip/frame.ts';
import { decodeDahuaV1, type DahuaV1Info } from '../../src/discovery/dhip/v1.ts';
import { MAX_EVIDENCE } from '../../src/domain/evidence.ts';
import { cleanText } from '../../src/util/text.ts';
import { check, checkClean, checkLength, checkNoPollution, checkObservation, noThrow } from './shared/bounds.ts';
import { allCaptures, captures, uniqueCaptures } from './shared/captures.ts';
import { dahuaV1Frame, dhipBody, dhipFrame } from './shared/dhip-gen.ts';
import { captureCases, inputFloorCase } from './shared/family.ts';
import { CASE_TIMEOUT_MS, fuzz, Tally } from './shared/run.ts';
import { hostileString } from './shared/text-gen.ts';

const FROM = { ip: '10.66.0.11', iface: 'eth0' };
const FUNCTIONS = ['decodeDahua', 'parseDhipFrame', 'decodeDhipBody', 'decodeDahuaV1', 'dhipToObservation', 'dahuaV1ToObservation'] as const;
const tally = new Tally();
const MAC = /^(?:[0-9a-f]{2}:){5}[0-9a-f]{2}$/u;

function checkPort(port: string | undefined, where: string): void {
  if (port !== undefined) check(/^[1-9]\d{0,4}$/u.test(port) && Number(port) <= 65_535, () => `${where} ${port}`);
}

function checkInfo(info: DhipDeviceInfo): void {
  for (const key of ['model', 'serial', 'vendor', 'manufacturer', 'firmware', 'machineName', 'deviceClass'] as const) {
    const v = info[key];
    if (v !== undefined) checkClean(v, 256, `dhip ${key}`);
  }
  checkPort(info.port, 'dhip port');
  checkPort(info.httpPort, 'dhip httpPort');
  if (info.ipv4 !== undefined) check(isIPv4(info.ipv4), () => `dhip ipv4 ${info.ipv4}`);
  if (info.mac !== undefined) check(MAC.test(info.mac), () => `dhip mac ${info.mac}`);
  const obs = tally.time('dhipToObservation', () => noThrow(() => dhipToObservation(info, FROM), 'dhipToObservation'));
  checkObservation(obs, MAX_EVIDENCE, 'dhip', FROM.ip, 'dhipToObservation');
}

function checkV1(info: DahuaV1Info): void {
  for (const key of ['model', 'serial', 'name', 'ipv6'] as const) {
    const v = info[key];
    if (v !== undefined) checkClean(v, 256, `v1 ${key}`);
  }
  if (info.ipv4 !== undefined) check(isIPv4(info.ipv4), () => `v1 ipv4 ${info.ipv4}`);
  if (info.mac !== undefined) check(MAC.test(info.mac), () => `v1 mac ${info.mac}`);
  const obs = tally.time('dahuaV1ToObservation', () => noThrow(() => dahuaV1ToObservation(info, FROM), 'dahuaV1ToObservation'));
  checkObservation(obs, MAX_EVIDENCE, 'dhip', FROM.ip, 'dahuaV1ToObservation');
}

function checkBody(body: DhipBody): void {
  if (body.kind === 'notify') checkInfo(body.info);
  else if (body.kind === 'other') checkClean(body.method, 64, 'other method');
  else if (body.kind === 'invalid') checkClean(body.reason, 300, 'invalid reason');
  else check(body.kind === 'search', () => `kind ${(body as { kind: string }).kind}`);
}

function checkDecoded(d: DahuaDecoded): void {
  if (d.kind === 'dhip') checkInfo(d.info);
  else if (d.kind === 'v1') checkV1(d.info);
  else if (d.kind === 'other') checkClean(d.method, 64, 'other method');
  else if (d.kind === 'invalid') checkClean(d.reason, 300, 'invalid reason');
  else check(d.kind === 'search', () => `kind ${(d as { kind: string }).kind}`);
}

/** The bytes as a body behind a correct DHIP header, so body mutants reach decodeDhipBody through decodeDahua. */
function framed(body: Buffer): Buffer {
  const header = Buffer.alloc(32);
  header.writeUInt32LE(0x20, 0);
  header.write('DHIP', 4, 'latin1');
  header.writeUInt32LE(body.length, 16);
  header.writeUInt32LE(body.length, 24);
  return Buffer.concat([header, body]);
}

/** One datagram through every Dahua decoder: as a datagram, as a framed body, as a v1 reply, as body text. */
function input(bytes: Buffer): void {
  for (const datagram of [bytes, framed(bytes)]) {
    const decoded = tally.time('decodeDahua', () => noThrow(() => decodeDahua(datagram), 'decodeDahua'), datagram.length);
    checkDecoded(decoded);
  }
  const frame = tally.time('parseDhipFrame', () => noThrow(() => parseDhipFrame(bytes), 'parseDhipFrame'), bytes.length);
  if (frame.ok) checkLength(frame.body, DHIP_LIMITS.maxBody, 'frame body');
  else checkClean(frame.reason, 200, 'frame reason');
  const v1 = tally.time('decodeDahuaV1', () => noThrow(() => decodeDahuaV1(bytes), 'decodeDahuaV1'), bytes.length);
  if (v1.kind === 'reply') checkV1(v1.info);
  else if (v1.kind === 'invalid') checkClean(v1.reason, 200, 'v1 reason');
  body(bytes.toString('utf8'));
  checkNoPollution('dhip decoders');
}

function body(text: string): void {
  checkBody(tally.time('decodeDhipBody', () => noThrow(() => decodeDhipBody(text), 'decodeDhipBody'), text.length));
}

const seeds = uniqueCaptures(captures('dhip'), captures('corpus', /dhip|dahua-rpc|magicbox|reolink/u));

/** v1 replies as decodeDahuaV1 hands them over (cleaned text, normalised MAC), otherwise arbitrary. */
const decodedV1: fc.Arbitrary<DahuaV1Info> = fc.record(
  {
    model: hostileString.map((s) => cleanText(s, 64)).filter((s) => s !== ''),
    serial: hostileString.map((s) => cleanText(s, 256)).filter((s) => s !== ''),
    name: fc.oneof(fc.constant('Dahua'), hostileString.map((s) => cleanText(s, 256)).filter((s) => s !== '')),
    ipv6: hostileString.map((s) => cleanText(s, 256)).filter((s) => s !== ''),
    mac: fc.constantFrom('00:11:22:33:44:55', '3c:ef:8c:00:00:01'),
    ipv4: fc.constantFrom('10.66.0.11', '240.0.3.0'),
  },
  { requiredKeys: [] },
);

describe('fuzz: Dahua DHIP and v1 decoding', { timeout: CASE_TIMEOUT_MS }, () => {
  captureCases({ family: 'dhip', areas: [{ area: 'dhip' }], seeds, pool: allCaptures(), mutants: 6000, input });

  it('survives generated DHIP frames (lying lengths, broken JSON)', () => {
    fuzz('dhip generated frames', dhipFrame, input, 5000);
  });

  it('survives generated v1 replies (section lengths that overrun)', () => {
    fuzz('dhip generated v1 replies', dahuaV1Frame, input, 4000);
  });

  it('reads any body text', () => {
    fuzz('dhip generated bodies', dhipBody, body, 4000);
  });

  it('turns any decoder-shaped v1 reply into a bounded observation', () => {
    fuzz('dhip decoded v1 replies', decodedV1, checkV1, 10_000);
  });

  inputFloorCase(tally, FUNCTIONS, 'dhip');
});
