import { describe, expect, it } from 'vitest';
import type { NetInterface } from '../../../../src/discovery/interfaces.ts';
import { createScope } from '../../../../src/discovery/unicast/scope.ts';
import { parseCidr, type Cidr } from '../../../../src/util/cidr.ts';

const eth0: NetInterface = { name: 'eth0', address: '10.66.0.2', netmask: '255.255.255.0', prefix: 24, mac: null };
const cidrs = (...texts: string[]): Cidr[] => texts.map((t) => parseCidr(t)!);

describe('createScope', () => {
  const scope = createScope({ interfaces: [eth0], targets: cidrs('10.68.0.0/24'), exclude: cidrs('10.68.0.13', '10.66.0.50/31') });

  it('contacts hosts on a swept segment or inside a target range, never an excluded one', () => {
    expect(scope.mayContact('10.66.0.11')).toBe(true);
    expect(scope.mayContact('10.68.0.12')).toBe(true);
    expect(scope.mayContact('10.68.0.13')).toBe(false);
    expect(scope.mayContact('10.66.0.51')).toBe(false);
    // Off every segment and range: a factory-default SADP camera, a foreign LOCATION host.
    expect(scope.mayContact('192.0.0.64')).toBe(false);
    expect(scope.mayContact('10.69.0.1')).toBe(false);
  });

  it('names the local interface of on-segment addresses only', () => {
    expect(scope.localInterface('10.66.0.11')).toBe('eth0');
    expect(scope.localInterface('10.68.0.12')).toBeUndefined();
    expect(scope.inTargets('10.68.0.13')).toBe(true);
    expect(scope.excluded('10.68.0.13')).toBe(true);
  });

  it('without targets or exclusions, only the swept segments are in scope', () => {
    const plain = createScope({ interfaces: [eth0] });
    expect(plain.mayContact('10.66.0.200')).toBe(true);
    expect(plain.mayContact('10.68.0.12')).toBe(false);
    expect(plain.excluded('10.66.0.200')).toBe(false);
  });
});
