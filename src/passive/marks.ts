import { createHash } from 'node:crypto';
import type { Evidence } from '../domain/types.ts';
import { udnFromUsn } from '../discovery/ssdp/decode.ts';

/**
 * What says a device is still the one identified (pure): values an announcement carries whose
 * change means the device (or its firmware, or its configuration) changed: the WS-Discovery
 * EPR and MetadataVersion, the UPnP UDN, BOOTID.UPNP.ORG, CONFIGID.UPNP.ORG, LOCATION and
 * SERVER, the mDNS host name and the TXT keys that carry a model, firmware or MAC, the SADP
 * and DHIP serial, model and firmware. Read from evidence, so a sweep's judged device and an
 * announcement's observation give comparable marks.
 *
 * A change is a mark both sides know with a value the known side does not hold. A mark only
 * one side knows is learnt, not a change: an announcement says less than a sweep (a NOTIFY
 * has no MetadataVersion), and a sweep may not have heard every protocol. Values that vary
 * from message to message (an SSDP NT, the mDNS records answering someone else's question)
 * are not marks.
 */
export type Marks = Map<string, string[]>;

/** Values kept per mark (a device with two root devices has two LOCATIONs). */
export const MAX_VALUES_PER_MARK = 4;
/** Marks kept per host. */
export const MAX_MARKS = 24;
/** A longer value is kept as a digest. */
const MAX_VALUE_CHARS = 64;

/** Evidence field -> mark name. */
const FIELDS: ReadonlyMap<string, string> = new Map([
  ['wsd.epr', 'epr'],
  ['wsd.metadataVersion', 'metadataVersion'],
  ['ssdp.header.bootid.upnp.org', 'bootId'],
  ['ssdp.header.configid.upnp.org', 'configId'],
  ['ssdp.location', 'location'],
  ['ssdp.server', 'server'],
  ['mdns.hostname', 'hostname'],
  ['sadp.serial', 'serial'],
  ['sadp.model', 'model'],
  ['sadp.firmware', 'firmware'],
  ['dhip.serial', 'serial'],
  ['dhip.model', 'model'],
  ['dhip.firmware', 'firmware'],
]);

/** mDNS TXT keys that name a model, a firmware or a MAC (HomeKit md/fv, Axis macaddress, printers ty/usb_MDL...). */
const MDNS_TXT = new Set(['md', 'mdl', 'model', 'fv', 'fw', 'fwver', 'firmware', 'ty', 'product', 'usb_mdl', 'macaddress', 'mac_address', 'serialnumber', 'sn']);

const short = (value: string): string =>
  value.length <= MAX_VALUE_CHARS ? value : `sha1:${createHash('sha1').update(value).digest('base64url')}`;

function add(marks: Marks, name: string, value: string): void {
  const v = short(value.trim());
  if (v === '') return;
  let list = marks.get(name);
  if (list === undefined) {
    if (marks.size >= MAX_MARKS) return;
    list = [];
    marks.set(name, list);
  }
  if (list.includes(v)) return;
  list.push(v);
  if (list.length > MAX_VALUES_PER_MARK) list.shift();
}

export function marksOf(evidence: readonly Evidence[]): Marks {
  const marks: Marks = new Map();
  for (const e of evidence) {
    const name = FIELDS.get(e.field);
    if (name !== undefined) {
      add(marks, name, e.value);
      continue;
    }
    if (e.field === 'ssdp.usn') {
      const udn = udnFromUsn(e.value);
      if (udn !== undefined) add(marks, 'udn', udn.toLowerCase());
      continue;
    }
    if (e.field.startsWith('mdns.txt.')) {
      const key = e.field.slice('mdns.txt.'.length);
      if (MDNS_TXT.has(key)) add(marks, `mdns.${key}`, e.value);
    }
  }
  return marks;
}

/**
 * The first mark `heard` holds a value of that `known` has never seen, or undefined. A mark
 * whose known values fill its bound is not compared: a device with more LOCATIONs (or UDNs)
 * than are kept would otherwise show a "new" one in every round of its announcements and be
 * identified again at every cool-down, for ever; its other marks still tell a change.
 */
export function changedMark(known: Marks, heard: Marks): { mark: string; value: string } | undefined {
  for (const [name, values] of heard) {
    const have = known.get(name);
    if (have === undefined || have.length >= MAX_VALUES_PER_MARK) continue;
    const fresh = values.find((v) => !have.includes(v));
    if (fresh !== undefined) return { mark: name, value: fresh };
  }
  return undefined;
}

/** Adds what `heard` says to `known` (the values it had not seen, within the bounds). */
export function learnMarks(known: Marks, heard: Marks): void {
  for (const [name, values] of heard) for (const v of values) add(known, name, v);
}
