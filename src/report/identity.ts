import { createHash } from 'node:crypto';
import type { Device } from '../domain/types.ts';

/**
 * Stable names for what is reported. The same sweep queued twice, a batch re-sent after a
 * crash, or a batch split after a 413 always carries the same per-device keys, so a receiver
 * that keeps one row per key never stores a device twice.
 */

const hash = (...parts: string[]): string => createHash('sha256').update(parts.join('\u0000')).digest('hex');

/** The device's identity within a sweep: its MAC when known, else its IP. */
export function deviceIdentity(device: Pick<Device, 'mac' | 'ip'>): string {
  return device.mac !== null && device.mac !== '' ? `mac:${device.mac.toLowerCase()}` : `ip:${device.ip}`;
}

/** Idempotency key of one device in one sweep of one agent (128 bits, hex). */
export function deviceKey(agentId: string, sweepId: string, identity: string): string {
  return hash('camsweep.report/v1', agentId, sweepId, identity).slice(0, 32);
}

/**
 * Idempotency key of one request: a hash of the device keys it carries (or of the sweep when
 * none). Event keys, when the report carries events, are hashed in after the device keys.
 */
export function batchKey(agentId: string, sweepId: string, deviceKeys: readonly string[], eventKeys: readonly string[] = []): string {
  const events = eventKeys.length === 0 ? [] : ['events', ...[...eventKeys].sort()];
  if (deviceKeys.length === 0 && events.length === 0) return hash('camsweep.report/v1 batch', agentId, sweepId, 'no-devices').slice(0, 32);
  return hash('camsweep.report/v1 batch', agentId, sweepId, ...[...deviceKeys].sort(), ...events).slice(0, 32);
}

/** Idempotency key of one change event in one sweep of one agent (128 bits, hex); `n` > 1 for a repeat. */
export function eventKey(agentId: string, sweepId: string, type: string, deviceId: string, n = 1): string {
  return hash('camsweep.report/v1 event', agentId, sweepId, type, deviceId, ...(n > 1 ? [String(n)] : [])).slice(0, 32);
}
