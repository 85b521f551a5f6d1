import { cidrContains, type Cidr } from '../../util/cidr.ts';
import { onSubnet } from '../../util/ip.ts';
import type { NetInterface } from '../interfaces.ts';

/**
 * Who a sweep may talk to (pure). Discovery replies from an excluded address are dropped,
 * whatever the protocol; beyond discovery (ONVIF, UPnP description, HTTP banner), only a host
 * that replied, is not excluded, and is on a swept interface's segment or inside a target
 * range is ever contacted. A reply naming another host, or arriving from an address on no
 * local segment (a factory-default 192.0.0.64 answering SADP through the group), can never
 * steer a request off the segments and ranges the operator chose.
 */
export interface SweepScope {
  excluded(ip: string): boolean;
  /** Inside one of the target ranges (excluded or not). */
  inTargets(ip: string): boolean;
  /** The swept interface whose subnet holds `ip`. */
  localInterface(ip: string): string | undefined;
  /** Not excluded, and on a local segment or inside a target range. */
  mayContact(ip: string): boolean;
}

export interface ScopeInput {
  interfaces: readonly NetInterface[];
  targets?: readonly Cidr[];
  exclude?: readonly Cidr[];
}

export function createScope(input: ScopeInput): SweepScope {
  const targets = input.targets ?? [];
  const exclude = input.exclude ?? [];
  const scope: SweepScope = {
    excluded: (ip) => exclude.some((c) => cidrContains(c, ip)),
    inTargets: (ip) => targets.some((c) => cidrContains(c, ip)),
    localInterface: (ip) => input.interfaces.find((i) => onSubnet(i, ip))?.name,
    mayContact: (ip) => !scope.excluded(ip) && (scope.localInterface(ip) !== undefined || scope.inTargets(ip)),
  };
  return scope;
}
