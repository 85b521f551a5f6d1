import type { CentralEvent } from '../events.ts';

/**
 * ArcSight Common Event Format (CEF 0) for one central event, pure. Hostile device strings
 * are escaped as CEF requires (`\` and `|` in the header; `\`, `=`, CR and LF in extension
 * values), every other control character is dropped, and every value is cut to a bound, so a
 * device cannot forge a field or a new line in the SIEM.
 */

// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const CONTROL = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/gu;

const clip = (v: string, max: number): string => (v.length > max ? v.slice(0, max) : v);

export function cefHeader(value: string, max = 128): string {
  return clip(value.replace(CONTROL, '').replace(/[\r\n]+/gu, ' '), max).replace(/\\/gu, '\\\\').replace(/\|/gu, '\\|');
}

export function cefValue(value: string, max = 1023): string {
  return clip(value.replace(CONTROL, ''), max).replace(/\\/gu, '\\\\').replace(/=/gu, '\\=').replace(/\r/gu, '\\r').replace(/\n/gu, '\\n');
}

const SEVERITY: Record<CentralEvent['type'], number> = {
  'restricted-new': 8,
  'exception-expired': 7,
  'device-changed': 6,
  review: 3,
};

const NAMES: Record<CentralEvent['type'], string> = {
  'restricted-new': 'New restricted device',
  'exception-expired': 'Exception expired: device restricted again',
  'device-changed': 'Restricted device changed',
  review: 'Device reviewed',
};

export function toCef(e: CentralEvent, version: string): string {
  const ext: Array<[string, string | null | undefined]> = [
    ['rt', String(Date.parse(e.at))],
    ['externalId', e.id],
    ['cat', e.type],
    ['src', e.device.ip],
    ['smac', e.device.mac],
    ['deviceExternalId', e.device.id],
    ['act', e.device.status],
    ['cs1Label', 'site'],
    ['cs1', e.site],
    ['cs2Label', 'agent'],
    ['cs2', e.agent],
    ['cs3Label', 'rule'],
    ['cs3', e.pack === null && e.rule === null ? null : `${e.pack ?? ''}/${e.rule ?? ''}`],
    ['cs4Label', 'maker'],
    ['cs4', e.maker],
    ['cs5Label', 'brand'],
    ['cs5', e.brand],
    ['cs6Label', 'link'],
    ['cs6', e.link],
    ['msg', e.change === undefined ? e.reason : `${e.change.change}: ${e.change.before ?? '-'} -> ${e.change.after ?? '-'}`],
  ];
  if (e.review !== undefined) ext.push(['suser', e.review.by], ['reason', e.review.note]);
  const extension = ext
    .filter((pair): pair is [string, string] => typeof pair[1] === 'string' && pair[1] !== '')
    .map(([k, v]) => `${k}=${cefValue(v)}`)
    .join(' ');
  return `CEF:0|camsweep|camsweep-central|${cefHeader(version, 32)}|${cefHeader(e.type, 64)}|${cefHeader(NAMES[e.type])}|${SEVERITY[e.type]}|${extension}`;
}
