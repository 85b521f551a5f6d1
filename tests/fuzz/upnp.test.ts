/**
 * UPnP device descriptions under hostile input: parseUpnpDescription throws only
 * UPNP_INVALID or UPNP_TOO_LARGE, and its evidence and identifiers stay bounded and clean
 * however many embedded devices, namespaces or repeated fields a document holds.
 */
import { describe, it } from 'vitest';
import { MAX_EVIDENCE } from '../../src/domain/evidence.ts';
import { parseUpnpDescription } from '../../src/enrich/upnp.ts';
import { allowCodes, check, checkClean, checkEvidence, checkNoPollution } from './shared/bounds.ts';
import { allCaptures, captures, uniqueCaptures } from './shared/captures.ts';
import { captureCases, inputFloorCase } from './shared/family.ts';
import { CASE_TIMEOUT_MS, fuzz, Tally } from './shared/run.ts';
import { REAL_VALUES } from './shared/text-gen.ts';
import { xmlDocument } from './shared/xml-gen.ts';

const MAX_BYTES = 256 * 1024;
const FUNCTIONS = ['parseUpnpDescription'] as const;
const tally = new Tally();

/** One description body through the path enrichUpnp takes. */
function input(bytes: Buffer): void {
  const text = bytes.toString('utf8');
  const desc = tally.time('parseUpnpDescription', () =>
    allowCodes(() => parseUpnpDescription(text, MAX_BYTES), ['UPNP_INVALID', 'UPNP_TOO_LARGE'], 'parseUpnpDescription'),
    bytes.length,
  );
  checkNoPollution('parseUpnpDescription');
  if (desc === undefined) return;
  checkEvidence(desc.evidence, MAX_EVIDENCE, 'upnp', 'parseUpnpDescription');
  for (const e of desc.evidence) check(e.field.startsWith('upnp.'), () => `field ${e.field}`);
  const keys = Object.keys(desc.identifiers);
  check(keys.every((k) => k === 'udn' || k === 'serial'), () => `identifiers ${keys.join(',')}`);
  if (desc.identifiers.udn !== undefined) checkClean(desc.identifiers.udn, 512, 'udn');
  if (desc.identifiers.serial !== undefined) checkClean(desc.identifiers.serial, 512, 'serial');
}

const seeds = uniqueCaptures(captures('upnp'), captures('corpus', /upnp|desc-fields/u));

const VOCAB = {
  names: [
    'root', 'specVersion', 'major', 'minor', 'URLBase', 'device', 'deviceList', 'serviceList', 'service',
    'deviceType', 'friendlyName', 'manufacturer', 'manufacturerURL', 'modelName', 'modelNumber', 'modelDescription',
    'serialNumber', 'UDN', 'presentationURL', 'MANUFACTURER', 'udn', 'iconList', 'icon',
  ],
  prefixes: ['', 'dlna', 'r', 'yamaha', 'sec'],
  texts: ['urn:schemas-upnp-org:device:Basic:1', 'uuid:00000000-0000-0000-0000-000000000000', 'Eureka Dongle', 'Google Inc.', 'http://10.66.0.11:8008/', ...REAL_VALUES],
};

/** Descriptions that reach the parser: rooted at `<root>`, often with nested devices. */
const rooted = xmlDocument({ ...VOCAB, names: VOCAB.names.filter((n) => n !== 'root') }).map(
  (inner) => `<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0" xmlns:dlna="urn:schemas-dlna-org:device-1-0"><device>${inner.replace(/^<\?xml[^>]*>/u, '')}</device></root>`,
);

describe('fuzz: UPnP description parsing', { timeout: CASE_TIMEOUT_MS }, () => {
  captureCases({ family: 'upnp', areas: [{ area: 'upnp' }], seeds, pool: allCaptures(), mutants: 5000, input });

  it('survives generated documents', () => {
    fuzz('upnp generated documents', xmlDocument(VOCAB), (doc) => input(Buffer.from(doc, 'utf8')), 1500);
  });

  it('survives generated descriptions with a root device', () => {
    fuzz('upnp generated descriptions', rooted, (doc) => input(Buffer.from(doc, 'utf8')), 2000);
  });

  inputFloorCase(tally, FUNCTIONS, 'upnp');
});
