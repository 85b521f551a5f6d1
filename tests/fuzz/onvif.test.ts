/**
 * ONVIF device-service replies under hostile input: decodeSoapReply throws only
 * ONVIF_INVALID; parseSystemDateAndTime and parseDeviceInformation never throw, whatever
 * parsed body they get, and return bounded, clean values (and only real dates).
 */
import { describe, it } from 'vitest';
import { decodeSoapReply, parseDeviceInformation, parseSystemDateAndTime, type SoapReply } from '../../src/enrich/onvif.ts';
import type { XmlNode } from '../../src/util/xml.ts';
import { allowCodes, check, checkClean, checkLength, checkNoPollution, noThrow } from './shared/bounds.ts';
import { allCaptures, captures, uniqueCaptures } from './shared/captures.ts';
import { captureCases, inputFloorCase } from './shared/family.ts';
import { CASE_TIMEOUT_MS, fuzz, Tally } from './shared/run.ts';
import { REAL_VALUES } from './shared/text-gen.ts';
import { xmlDocument, xmlNode } from './shared/xml-gen.ts';

const MAX_BYTES = 256 * 1024;
const FUNCTIONS = ['decodeSoapReply', 'parseSystemDateAndTime', 'parseDeviceInformation'] as const;
const tally = new Tally();

function checkReply(reply: SoapReply): void {
  check(reply.body !== undefined, () => 'reply without a body');
  check(reply.namespaces.length <= 64, () => `${reply.namespaces.length} namespaces`);
  for (const ns of reply.namespaces) {
    checkLength(ns.prefix, 64, 'namespace prefix');
    checkLength(ns.uri, 1024, 'namespace uri'); // 512 code points: up to 1024 UTF-16 units
  }
  if (reply.fault !== undefined) {
    checkClean(reply.fault.code, 128, 'fault code');
    check(reply.fault.code !== '', () => 'empty fault code');
    if (reply.fault.reason !== undefined) checkClean(reply.fault.reason, 256, 'fault reason');
    check(typeof reply.fault.notAuthorized === 'boolean', () => 'notAuthorized not a boolean');
  }
}

/** Both body readers on one parsed body. */
function readBody(body: XmlNode | undefined): void {
  const time = tally.time('parseSystemDateAndTime', () => noThrow(() => parseSystemDateAndTime(body), 'parseSystemDateAndTime'));
  if (time.timezone !== undefined) checkClean(time.timezone, 128, 'timezone');
  if (time.utc !== undefined) {
    const year = time.utc.getUTCFullYear();
    check(!Number.isNaN(time.utc.getTime()) && year >= 1970 && year <= 9999, () => `date ${time.utc!.toISOString()}`);
  }
  const info = tally.time('parseDeviceInformation', () => noThrow(() => parseDeviceInformation(body), 'parseDeviceInformation'));
  for (const [key, value] of Object.entries(info ?? {})) checkClean(value, 512, `deviceInformation.${key}`);
}

/** One HTTP reply body through the path enrichOnvif takes. */
function input(bytes: Buffer): void {
  const text = bytes.toString('utf8');
  const reply = tally.time('decodeSoapReply', () => allowCodes(() => decodeSoapReply(text, MAX_BYTES), ['ONVIF_INVALID'], 'decodeSoapReply'), bytes.length);
  checkNoPollution('decodeSoapReply');
  if (reply === undefined) return;
  checkReply(reply);
  readBody(reply.body);
}

const seeds = uniqueCaptures(
  captures('onvif'),
  captures('corpus', /GetCapabilities|GetStreamUri|GetNetworkProtocols|gb28181|GetDeviceInformation|http-401-body/u),
);

const VOCAB = {
  names: [
    'Envelope', 'Header', 'Body', 'Fault', 'Code', 'Subcode', 'Value', 'Reason', 'Text', 'faultcode', 'faultstring',
    'GetSystemDateAndTimeResponse', 'SystemDateAndTime', 'DateTimeType', 'DaylightSavings', 'TimeZone', 'TZ', 'UTCDateTime', 'LocalDateTime',
    'Date', 'Time', 'Year', 'Month', 'Day', 'Hour', 'Minute', 'Second',
    'GetDeviceInformationResponse', 'Manufacturer', 'Model', 'FirmwareVersion', 'SerialNumber', 'HardwareId',
  ],
  prefixes: ['s', 'SOAP-ENV', 'env', 'tds', 'tt', 'ter', 'tnshik', 'hikwsd'],
  texts: ['2024', '1970', '9999', '0', '13', '31', '2', '29', '60', '-1', ' 7 ', '00012', 'GMT+08:00', 'CST-8', 's:Sender', 'ter:NotAuthorized', 'Sender not authorized', ...REAL_VALUES],
};

describe('fuzz: ONVIF device service replies', { timeout: CASE_TIMEOUT_MS }, () => {
  captureCases({ family: 'onvif', areas: [{ area: 'onvif' }], seeds, pool: allCaptures(), mutants: 4000, input });

  it('survives generated SOAP replies', () => {
    fuzz('onvif generated replies', xmlDocument(VOCAB), (doc) => input(Buffer.from(doc, 'utf8')), 2000);
  });

  it('reads any parsed body without throwing', () => {
    fuzz('onvif generated bodies', xmlNode(VOCAB), readBody, 10_000);
  });

  inputFloorCase(tally, FUNCTIONS, 'onvif');
});
