import { evidenceList } from '../../domain/evidence.ts';
import type { Observation } from '../../domain/types.ts';
import { decodeDhipBody, type DhipDeviceInfo } from './device-info.ts';
import { hasDhipMagic, parseDhipFrame } from './frame.ts';
import { decodeDahuaV1, type DahuaV1Info } from './v1.ts';

/**
 * One datagram from a Dahua discovery socket, decoded (pure, never throws): a DHIP
 * `client.notifyDevInfo` reply, a legacy v1 reply, a search (ours coming back by broadcast,
 * or another tool's: not an answer), a DHIP message with another method, or junk.
 */
export type DahuaDecoded =
  /** `wellFormed` false: body cut short or JSON broken; values extracted key by key. */
  | { kind: 'dhip'; info: DhipDeviceInfo; wellFormed: boolean }
  | { kind: 'v1'; info: DahuaV1Info; truncated: boolean }
  | { kind: 'search' }
  | { kind: 'other'; method: string }
  | { kind: 'invalid'; reason: string };

export function decodeDahua(buf: Buffer): DahuaDecoded {
  if (!hasDhipMagic(buf)) {
    const v1 = decodeDahuaV1(buf);
    if (v1.kind === 'reply') return { kind: 'v1', info: v1.info, truncated: v1.truncated };
    return v1;
  }
  const frame = parseDhipFrame(buf);
  if (!frame.ok) return { kind: 'invalid', reason: frame.reason };
  const body = decodeDhipBody(frame.body);
  if (body.kind === 'notify') return { kind: 'dhip', info: body.info, wellFormed: body.strict && !frame.truncated };
  return body;
}

function observation(evidence: Observation['evidence'], info: { mac?: string; serial?: string }, from: { ip: string; iface?: string }): Observation {
  const obs: Observation = { protocol: 'dhip', ip: from.ip, evidence };
  if (from.iface !== undefined) obs.interface = from.iface;
  if (info.mac !== undefined) obs.mac = info.mac;
  if (info.serial !== undefined) obs.identifiers = { serial: info.serial };
  return obs;
}

/**
 * The Observation of a notifyDevInfo reply. `from.ip` is the datagram's source; the address
 * the device claims is only evidence. Answering DHIP at all is a tell (Dahua firmware,
 * whatever the Vendor says), hence `dhip.reply`.
 */
export function dhipToObservation(info: DhipDeviceInfo, from: { ip: string; iface?: string }): Observation {
  const { list, add } = evidenceList('dhip');
  add('dhip.reply', 'true');
  add('dhip.variant', 'dhip');
  add('dhip.model', info.model);
  add('dhip.serial', info.serial);
  add('dhip.vendor', info.vendor);
  add('dhip.manufacturer', info.manufacturer);
  add('dhip.firmware', info.firmware);
  add('dhip.machineName', info.machineName);
  add('dhip.deviceClass', info.deviceClass);
  add('dhip.ipv4', info.ipv4);
  add('dhip.mac', info.mac);
  add('dhip.port', info.port);
  add('dhip.httpPort', info.httpPort);
  const obs = observation(list, info, from);
  if (info.httpPort !== undefined) obs.endpoints = { httpPorts: [Number(info.httpPort)] };
  return obs;
}

/** The Observation of a legacy v1 reply (same protocol, `dhip.variant` = v1). */
export function dahuaV1ToObservation(info: DahuaV1Info, from: { ip: string; iface?: string }): Observation {
  const { list, add } = evidenceList('dhip');
  add('dhip.reply', 'true');
  add('dhip.variant', 'v1');
  add('dhip.model', info.model);
  add('dhip.serial', info.serial);
  add('dhip.mac', info.mac);
  add('dhip.ipv4', info.ipv4);
  add('dhip.v1.name', info.name);
  add('dhip.v1.ipv6', info.ipv6);
  return observation(list, info, from);
}
