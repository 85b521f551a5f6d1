import { describe, expect, it } from 'vitest';
import { speaksOnvif } from '../../../../src/discovery/wsd/onvif.ts';
import type { Observation } from '../../../../src/domain/types.ts';

describe('speaksOnvif', () => {
  const wsdObs = (evidence: Array<[string, string]>): Observation => ({
    protocol: 'wsd',
    ip: '10.66.0.5',
    evidence: evidence.map(([field, value]) => ({ protocol: 'wsd', field, value })),
  });
  it.each([
    [[['wsd.type', 'dn:NetworkVideoTransmitter']], true],
    [[['wsd.type', 'tdn:NetworkVideoStorage']], true],
    [[['onvif.scope.name', 'IPCAM']], true],
    [[['wsd.type', 'wsdp:Device'], ['wsd.type', 'wprt:PrintDeviceType']], false],
    [[['wsd.type', 'pub:Computer']], false],
    [[], false],
  ] as Array<[Array<[string, string]>, boolean]>)('%j -> %s', (evidence, expected) => {
    expect(speaksOnvif(wsdObs(evidence))).toBe(expected);
  });
});
