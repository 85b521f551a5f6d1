import type { DeviceKind, DeviceStatus } from './types.ts';

/** Every device kind, in the order lists and help texts name them. */
export const DEVICE_KINDS: readonly DeviceKind[] = ['camera', 'recorder', 'intercom', 'printer', 'media', 'network', 'computer', 'other'];

/**
 * The video kinds: cameras, recorders and intercoms, the devices whose maker matters to the
 * policy (one of them whose maker is not established is for review). The one definition: the
 * kind rules (src/sweep/classify.ts), the judge and the policy (src/policy/decide.ts) read it.
 */
export const VIDEO_KINDS: readonly DeviceKind[] = ['camera', 'recorder', 'intercom'];

export function isVideoKind(kind: DeviceKind): boolean {
  return VIDEO_KINDS.includes(kind);
}

/** Every status, most severe first. */
export const DEVICE_STATUSES: readonly DeviceStatus[] = ['restricted', 'review', 'clear'];
